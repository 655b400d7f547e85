"""Balances in every page's header, as the 2017 site kept them in view: a signed-in
wallet's NMR and USD read from a real Ganache, following the chain; none signed out; a
sentence, not an error, when the chain does not answer."""

from __future__ import annotations

from eth_account import Account

from app.chain import init_app as init_chain
from tests.app.oracle.conftest import NMR, send, token_and_escrow
from tests.app.web.conftest import sign_in

PAGES = ("/", "/rounds", "/leaderboard", "/rules", "/settings", "/account")


def _signed_in(app, key):
    app.config.update(SIWE_DOMAIN="localhost", SIWE_URI="http://localhost")
    client = app.test_client()
    assert sign_in(client, Account.from_key(key)).status_code == 200
    return client


def test_a_signed_in_wallet_sees_its_chain_balances_on_every_page(app, w3, keys, deployment):
    client = _signed_in(app, keys[3])
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        assert '<span id="header-nmr">1,000.00</span> NMR' in page, path
        assert '<span id="header-usd">$1,000.00</span>' in page, path
    token, _ = token_and_escrow(w3, deployment[1])
    send(w3, keys[3], token.functions.transfer(Account.from_key(keys[4]).address, 250 * NMR))
    assert '<span id="header-nmr">750.00</span> NMR' in client.get("/rules").get_data(as_text=True)


def test_signed_out_pages_carry_no_balances(app):
    page = app.test_client().get("/rules").get_data(as_text=True)
    assert 'id="header-balances"' not in page


def test_a_chain_that_does_not_answer_says_so_in_the_header(app, keys):
    client = _signed_in(app, keys[3])
    app.config["RPC_URL"] = "http://127.0.0.1:9"  # nothing listens there
    init_chain(app)  # a fresh lazy connection to the dead node
    response = client.get("/rules")
    assert response.status_code == 200
    assert "Balances unavailable" in response.get_data(as_text=True)
