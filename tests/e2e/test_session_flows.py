"""The site's one wallet session and live round header in headless Chromium, with the
stand-in MetaMask, a real Ganache and the real app: sign in once, then upload, stake on
that file and read the Performance panel without signing again; an account switch in
the wallet ends the session; signed out, /account is a sign-in panel; the header ticks,
turns to "closed — resolving" when the chain's clock passes the deadline and links the
results once the oracle has resolved the round, and the account shows one row per
tournament. Screenshots go to artifacts/screenshots/session-*.png."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from app import oracle, reports, store
from app.oracle import load_dataset
from app.web import services
from app.web.formatting import format_nmr, format_usd
from client.core.money.stakes import Pools
from client.core.scoring.concordance import concordance_fractions, feature_clusters
from tests.app.oracle.conftest import advance_chain_time
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.conftest import CLOSES_IN, DATASET, RESOLVES_IN, ROUND
from tests.e2e.support import leaning_predictions


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"session-{name}.png"), full_page=True)


def sign_in(page) -> None:
    """The header's Connect wallet: one signature, then the page reloads signed in."""
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")


@pytest.fixture
def fast_header(app):
    """The round header polls every second (20 s by default) so the tests need not wait."""
    app.config["ROUND_HEADER_POLL_SECONDS"] = 1


def test_sign_in_once_then_upload_stake_on_this_file_and_see_performance(
    server, app, open_page, round_open, staker, other, w3, contracts, tmp_path,
):
    _, escrow = contracts
    with app.app_context():  # someone uploaded the same file first: ours is not original
        body = leaning_predictions(round_open, toward=True)
        store.set_display_name(other.address, "EARLYBIRD")
        assert services.upload_predictions(ROUND, other.address, body, "first.csv").result.ok
    page = open_page()
    sign_ins = []
    page.on("request", lambda r: sign_ins.append(r.url) if r.url.endswith("/api/v1/auth/verify") else None)
    page.goto(server + "/")
    sign_in(page)
    assert page.get_attribute("#signed-in-as", "title") == staker.address

    path = tmp_path / "model.csv"
    path.write_bytes(body)
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#stake-on-this")
    file_hash = page.inner_text("#submission-hash")
    shot(page, "01-uploaded")

    page.click("#stake-on-this")
    page.wait_for_selector("#stake-app[data-ready='1']")
    assert page.url.endswith(f"/stake?hash={file_hash}")
    assert page.inner_text("#stake-hash") == file_hash
    page.wait_for_selector("#stake-button:not([disabled])")
    page.fill("#stake-amount", "10")
    page.fill("#stake-confidence", "0.5")
    page.click("#stake-button")
    page.locator("#tx-log li[data-step='stake'][data-state='confirmed']").wait_for()
    [staked] = escrow.events.Staked().get_logs(from_block=0, argument_filters={"staker": staker.address})
    assert "0x" + staked["args"]["submissionHash"].hex().removeprefix("0x") == file_hash
    shot(page, "02-staked-on-this")

    page.goto(server + "/")
    page.wait_for_function("() => document.getElementById('performance').dataset.pending === '0'")
    assert len(sign_ins) == 1  # signed in once: the upload and the stake used that session
    with app.app_context():
        tournament = load_dataset(store.get_round(ROUND)).tournament
    values = pd.read_csv(io.BytesIO(body), dtype={"id": str}).set_index("id")["probability"]
    column = values.reindex(tournament["id"].astype(str)).to_numpy(np.float64)
    features = tournament[[c for c in tournament.columns if str(c).startswith("feature")]].to_numpy(np.float64)
    [expected] = concordance_fractions([column], tournament["data_type"].astype(str).to_numpy(),
                                       feature_clusters(features))
    with app.app_context():
        metrics = store.current_submission(ROUND, staker.address).metrics
    assert page.inner_text("#perf-logloss") == f"{metrics['validation_logloss']:.5f}"
    assert page.inner_text("#perf-originality") == "not original: like EARLYBIRD"
    concordance = page.inner_text("#perf-concordance")
    assert f"mean KS {float(expected):.4f}" in concordance
    assert concordance.startswith("concordant" if expected < 0.12 else "not concordant")
    shot(page, "03-performance")


def test_switching_accounts_in_the_wallet_ends_the_session(server, open_page, round_open, staker, other):
    page = open_page()
    page.goto(server + "/")
    sign_in(page)
    page.evaluate("window.__wallet.setAccount(1)")  # the user picks another account in MetaMask
    page.wait_for_selector("#sign-in")
    page.wait_for_function("() => document.getElementById('sign-in-status').textContent.includes('switched')")
    status = page.inner_text("#sign-in-status")
    assert f"Signed out of {staker.address[:6]}" in status and f"your wallet switched to {other.address[:6]}" in status
    assert page.evaluate("fetch('/api/v1/auth/me').then((r) => r.json())")["address"] is None  # ended on the server
    shot(page, "04-switched-signed-out")
    sign_in(page)  # one click signs the new account in
    assert page.get_attribute("#signed-in-as", "title") == other.address


def test_signed_out_account_page_is_a_sign_in_panel(server, open_page, round_open, staker):
    page = open_page()
    response = page.goto(server + "/account")
    assert response.status == 401
    assert page.locator("#sign-in-panel").is_visible() and page.locator("#error-message").count() == 0
    shot(page, "05-account-signed-out")
    page.click("#sign-in-panel-button")
    page.wait_for_selector("#account-address")
    assert page.inner_text("#account-address") == staker.address


def test_round_header_ticks_closes_resolves_and_the_account_has_a_row_per_tournament(
    server, app, open_page, staked, staker, w3, fast_header,
):
    page = open_page()
    page.goto(server + "/rounds")
    state = page.locator("#round-header-state")
    # the chain's clock may run ahead of this computer's: the header's next poll follows it
    page.wait_for_function("() => /^0D 0H (9|10)M \\d+S remain$/.test(document.getElementById('round-header-state').textContent)")
    first = state.inner_text()
    page.wait_for_function("(t) => document.getElementById('round-header-state').textContent !== t", arg=first)
    assert page.inner_text("#round-header-link") == f"Tournament {ROUND}"

    advance_chain_time(w3, CLOSES_IN + 1)  # the escrow's deadline passes (chain time)
    page.wait_for_function("() => document.getElementById('round-header-state').textContent === 'closed — resolving'")
    shot(page, "06-closed-resolving")

    with app.app_context():
        oracle.run_round(ROUND, report=lambda _: None)
        assert store.get_round(ROUND).status == "finalized"
    page.wait_for_selector("#round-header-results-link:visible")
    assert page.inner_text("#round-header-state") == "resolved"
    assert page.inner_text("#round-header-results-link") == f"Tournament {ROUND} results"

    with app.app_context():  # the next tournament opens: the header moves on, the results stay linked
        oracle.open_round(ROUND + 1, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=Pools(0, 0, 0),
                          dataset_options=DATASET, report=lambda _: None)
    page.wait_for_function(f"() => document.getElementById('round-header-link').textContent === 'Tournament {ROUND + 1}'")
    page.wait_for_function("() => /^0D 0H (9|10)M \\d+S remain$/.test(document.getElementById('round-header-state').textContent)")
    assert page.inner_text("#round-header-results-link") == f"Tournament {ROUND} results"
    shot(page, "07-next-tournament")
    page.click("#round-header-results-link")
    page.wait_for_url(f"{server}/rounds/{ROUND}")

    sign_in(page)
    page.goto(server + "/account")
    with app.app_context():
        [score] = [s for s in store.round_scores(ROUND) if s.address == staker.address]
        view = reports.score_view(score)
    headers = [h.strip() for h in page.locator("#my-rounds thead th").all_inner_texts()]
    assert headers == ["Tournament", "Submission", "Stake", "Outcome", "Why", "USD", "NMR"]
    cells = dict(zip(headers, [c.strip() for c in page.locator(f"#my-rounds tr[data-round='{ROUND}'] td").all_inner_texts()],
                     strict=True))
    assert cells["Stake"] == f"{format_nmr(staked)} NMR at 0.5"
    assert cells["Outcome"].startswith(f"live logloss {score.live_logloss:.6f}")
    assert cells["Why"] == score.reason
    assert cells["USD"] == format_usd(view["round_usd"]) and cells["NMR"] == format_nmr(view["round_nmr"])
    assert page.locator("#my-rounds tbody tr").count() == 1  # one table, one row per tournament
    shot(page, "08-account-rows")
