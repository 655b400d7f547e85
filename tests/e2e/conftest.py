"""The staking page end to end: a real Ganache (tests/app/oracle/conftest.py), the real app
served on a free port (tests/app/web/test_browser.py's ``server``), one headless Chromium
for the session and a fresh browser context with the injected wallet per test."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from app import oracle
from app.chain.deploy import deploy_contracts
from app.web import services
from client.core.money.stakes import Pools
from client.core.money.units import USD_UNIT as USD
from tests.app.oracle.conftest import (  # noqa: F401  (fixtures, re-exported for these tests)
    NMR,
    ROOT,
    app,
    ganache_url,
    keys,
    send,
    token_and_escrow,
    w3,
)
from tests.app.web.test_browser import CHROMIUM, CHROMIUM_FLAGS, server  # noqa: F401
from tests.e2e.support import (
    WALLET_JS,
    leaning_predictions,
    rpc_forwarder,
    wallet_config,
)

ROUND = 1
CLOSES_IN = 600
RESOLVES_IN = 1200
DATASET = {"n_features": 8, "rows_per_era": 80, "n_train_eras": 3, "n_validation_eras": 3}
POOLS = Pools(usd_staking=100 * USD, usd_prize=50 * USD, nmr=100 * NMR)


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium for this module (module-scoped so that it never overlaps
    another test module's own sync Playwright in the same thread)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium (tools/bootstrap.sh installs it)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def deployment(w3, keys, tmp_path_factory):  # noqa: F811
    """The contracts, deployed once for this module (the tests share them through snapshots)."""
    out = tmp_path_factory.mktemp("chain") / "deployments.json"
    oracle_account, pauser, *stakers = (Account.from_key(k).address for k in keys[1:5])
    record = deploy_contracts(w3, keys[0], oracle_account, pauser, ROOT / "build" / "contracts", out,
                              demo_stakers=stakers, stake_funds=1_000 * NMR)
    return out, record


@pytest.fixture(autouse=True)
def fresh_chain(w3, deployment):  # noqa: F811
    """Every test starts from the freshly deployed chain: Ganache's evm_snapshot before,
    evm_revert after (a revert consumes its snapshot, so each test takes its own)."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True


@pytest.fixture
def staker(keys):  # noqa: F811
    """Ganache account 3: 1,000 NMR from the deployment, unlocked in Ganache."""
    return Account.from_key(keys[3])


@pytest.fixture
def other(keys):  # noqa: F811
    """Ganache account 4, a second account in the same wallet."""
    return Account.from_key(keys[4])


@pytest.fixture
def contracts(w3, deployment):  # noqa: F811
    """(token, escrow) web3 contracts, to check what the page did on chain."""
    return token_and_escrow(w3, deployment[1])


@pytest.fixture
def usd(w3, deployment):  # noqa: F811
    """The TestUSD web3 contract (6 decimals; the stakers hold $1,000 each)."""
    record = deployment[1]["USD"]
    return w3.eth.contract(address=record["address"], abi=record["abi"])


@pytest.fixture
def round_open(app):  # noqa: F811
    """Round 1 open on chain and in the app: staking closes in 10 minutes, the oracle's
    deadline is 20 minutes away (chain time), POOLS paid by the treasury, the ``corr``
    policy (a negative live CORR burns part of the stake)."""
    with app.app_context():
        return oracle.open_round(ROUND, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=POOLS,
                                 policy="corr", dataset_options=DATASET, report=lambda _: None)


@pytest.fixture
def upload(app, round_open, staker):  # noqa: F811
    """``upload(toward=True) -> hash``: the staker uploads a file leaning towards (or away
    from) the targets; it becomes their latest accepted submission."""

    def make(toward: bool = True) -> str:
        with app.app_context():
            body = leaning_predictions(round_open, toward)
            outcome = services.upload_predictions(ROUND, staker.address, body, "model.csv")
        assert outcome.result.ok, outcome.result.problems
        return outcome.result.hash

    return make


@pytest.fixture
def submission(upload):
    """The staker's accepted prediction file in round 1; returns its hash."""
    return upload()


@pytest.fixture
def stake_from_python(w3, keys, contracts):  # noqa: F811
    """``stake_from_python(hash, amount, model=0)``: the staker stakes at confidence 0.5 on
    one of its models (the escrow's model number) without the page."""
    token, escrow = contracts

    def make(submission_hash: str, amount: int = 10 * NMR, model: int = 0) -> int:
        send(w3, keys[3], token.functions.approve(escrow.address, amount))
        send(w3, keys[3], escrow.functions.stake(ROUND, model, amount, NMR // 2, bytes.fromhex(submission_hash[2:])))
        return amount

    return make


@pytest.fixture
def staked(stake_from_python, submission):
    """The staker already holds 10 NMR at confidence 0.5 on the submission."""
    return stake_from_python(submission)


@pytest.fixture
def open_page(browser, ganache_url, staker, other):  # noqa: F811
    """``open_page(**wallet_options)``: a new tab whose wallet holds the staker's and
    another account (``wallet=False``: no wallet at all)."""
    contexts = []

    def make(wallet: bool = True, **options):
        context = browser.new_context(viewport={"width": 1100, "height": 1000})
        contexts.append(context)
        if wallet:
            context.expose_function("__walletRpc", rpc_forwarder(ganache_url))
            config = wallet_config([staker.address, other.address], **options)
            context.add_init_script(f"({WALLET_JS})({json.dumps(config)})")
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
