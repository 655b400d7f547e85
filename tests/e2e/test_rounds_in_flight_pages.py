"""Rounds in every state at once on a real Ganache, read in headless Chromium: a finalized
round's paid amounts equal the escrow's events; a committed round's plan is labelled
planned, never paid; an open round's stakers are the chain's before the oracle has done
anything; a voided round shows its dispute and the disputer's reward (the only NMR it
paid out). Screenshots go to artifacts/screenshots/in-flight-*.png."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.middleware import Web3Middleware

from app import oracle, reports, store
from app.chain import get_chain
from app.oracle import DEFAULT_POOLS
from app.web import services
from client.core.chain.contracts import Chain
from tests.app.oracle.conftest import NMR, advance_chain_time, deploy_guarded, send
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.support import leaning_predictions, nmr_text, usd_text

WINDOW = 600
DATASET = {"n_features": 8, "rows_per_era": 1500, "n_train_eras": 3, "n_validation_eras": 3}
QUIET = {"report": lambda _: None}
FILES = ({"seed": 1, "lean": 0.08, "noise": 0.012}, {"seed": 2, "lean": 0.06, "shift": 0.03, "noise": 0.012})


@pytest.fixture(scope="module")
def deployment(w3, keys, tmp_path_factory):
    """Fresh contracts with a ten-minute challenge window and a guardian (the last key)."""
    out = tmp_path_factory.mktemp("chain") / "deployments.json"
    record = deploy_guarded(w3, keys, out, WINDOW, slice(3, 8))
    return out, record


def _open_and_stake(app, w3, keys, contracts, number: int, closes_in: int) -> None:
    token, escrow = contracts
    with app.app_context():
        row = oracle.open_round(number, closes_in=closes_in, resolves_in=closes_in + 5000, pools=DEFAULT_POOLS,
                                dataset_options=DATASET, **QUIET)
        for index in range(2):
            key = keys[3 + index]
            # Two good files apart (the article's STUDYAI and JB_AI3): both original, both in the money.
            body = leaning_predictions(row, **FILES[index])
            outcome = services.upload_predictions(number, Account.from_key(key).address, body, "p.csv")
            assert outcome.result.ok, outcome.result.problems
            send(w3, key, token.functions.approve(escrow.address, 20 * NMR))
            send(w3, key, escrow.functions.stake(number, 0, 20 * NMR, NMR // 10, bytes.fromhex(outcome.result.hash[2:])))


def _burn_everyone(document: dict) -> dict:
    for entry in document["stakes"]:
        entry["burn"], entry["usd_reward"], entry["nmr_reward"] = entry["stake"], "0", "0"
    return document


def _paid_by_events(escrow, number: int) -> tuple[int, int]:
    """USD and NMR the escrow paid in round `number`, summed from its events."""
    usd = nmr = 0
    for log in escrow.events.StakeSettled().get_logs(from_block=0, argument_filters={"roundId": number}):
        usd, nmr = usd + log["args"]["usdReward"], nmr + log["args"]["nmrReward"]
    for log in escrow.events.PrizePaid().get_logs(from_block=0, argument_filters={"roundId": number}):
        usd, nmr = usd + log["args"]["usdPrize"], nmr + log["args"]["nmrPrize"]
    return usd, nmr


@pytest.fixture
def four_states(app, w3, keys, contracts):
    """Round 1 finalized, round 2 voided, round 3 open with two stakes, round 4 committed."""
    app.config["GUARDIAN_PRIVATE_KEY"] = keys[-1]
    _open_and_stake(app, w3, keys, contracts, 1, 100)
    _open_and_stake(app, w3, keys, contracts, 2, 100)
    advance_chain_time(w3, 101)
    with app.app_context():
        oracle.plan_round(1, **QUIET)
        oracle.commit_round(1, **QUIET)
        store.save_plan(2, _burn_everyone(oracle.plan_round(2, **QUIET)))
        oracle.commit_round(2, **QUIET)
        chain = oracle.guardian_chain()
        disputer = Chain(chain.w3, chain.deployments, Account.from_key(keys[5]), owner="staker")
        disputer.dispute(2)
        oracle.rule_round(2, upheld=True, **QUIET)
    advance_chain_time(w3, WINDOW + 1)
    with app.app_context():
        oracle.settle_round(1, wait_up_to=0, **QUIET)
        oracle.finalize_round(1, **QUIET)
    _open_and_stake(app, w3, keys, contracts, 3, 3000)
    _open_and_stake(app, w3, keys, contracts, 4, 100)
    advance_chain_time(w3, 101)
    with app.app_context():
        oracle.plan_round(4, **QUIET)
        oracle.commit_round(4, **QUIET)
        assert [store.get_round(n).status for n in (1, 2, 3, 4)] == ["finalized", "voided", "open", "resolved"]
    return Account.from_key(keys[5]).address


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"in-flight-{name}.png"), full_page=True)


def test_every_amount_says_whether_the_chain_paid_it_or_the_plan_plans_it(
    server, app, open_page, four_states, contracts,
):
    _, escrow = contracts
    disputer = four_states
    page = open_page(wallet=False)

    # Finalized: paid is what the escrow's events paid; nothing is labelled planned.
    page.goto(server + "/rounds/1")
    usd, nmr = _paid_by_events(escrow, 1)
    assert usd > 0 and page.inner_text("#usd-paid") == usd_text(usd)
    assert page.inner_text("#nmr-paid") == nmr_text(nmr)
    assert page.locator(".planned").count() == 0
    shot(page, "01-finalized")

    # Committed, in its challenge window: nothing paid yet; the plan's amounts say planned.
    page.goto(server + "/rounds/4")
    with app.app_context():
        planned = reports.round_results(4)
    assert _paid_by_events(escrow, 4) == (0, 0)
    assert page.inner_text("#usd-paid").startswith("$0.00")
    assert page.inner_text("#usd-planned") == f"planned: {usd_text(planned['usd_paid'])} (not yet paid)"
    assert planned["usd_paid"] > 0
    assert page.inner_text("#nmr-planned") == f"planned: {nmr_text(planned['nmr_paid'])} (not yet paid)"
    assert "challenge ends in" in page.inner_text("#round-chain-state")
    shot(page, "02-committed")

    # Open: its stakers and NMR staked are the chain's, before any oracle step.
    page.goto(server + "/rounds/3")
    view = escrow.functions.getRound(3).call()
    assert page.inner_text("#n-stakers") == str(view[12]) == "2"
    assert page.inner_text("#staked") == f"{nmr_text(view[9])} NMR" == "40.00 NMR"

    # Voided: the dispute, its ruling and the reward, which is all the NMR paid out.
    page.goto(server + "/rounds/2")
    dispute = page.inner_text("#dispute")
    assert disputer in dispute and "upheld" in dispute
    reward = escrow.events.DisputeRuled().get_logs(from_block=0, argument_filters={"roundId": 2})[0]["args"]["reward"]
    assert reward > 0 and page.inner_text("#dispute-reward").startswith(f"The disputer's reward: {nmr_text(reward)} NMR")
    assert page.inner_text("#nmr-paid") == nmr_text(reward) and page.inner_text("#usd-paid") == "$0.00"
    shot(page, "03-voided")

    # The home page shows the open round and, below it, the rounds in resolution.
    page.goto(server + "/")
    assert page.inner_text("h1") == "Tournament 3"
    flight = page.inner_text("#rounds-in-flight")
    assert "Tournament 4 · challenge ends in 0D 0H" in flight
    assert "Tournament 1" not in flight and "Tournament 2" not in flight  # ended rounds are results, not in flight
    shot(page, "04-home")

    # The round list states every round's state; the disputer's record holds the reward.
    page.goto(server + "/rounds")
    states = dict(zip(page.locator("#rounds tbody tr td:first-child").all_inner_texts(),
                      page.locator("#rounds tbody tr td.round-state").all_inner_texts(), strict=True))
    assert states["Tournament 1"] == "finalized" and states["Tournament 2"] == "voided"
    assert states["Tournament 3"].startswith("open: staking closes in")
    assert states["Tournament 4"].startswith("challenge ends in")
    with app.app_context():
        [record] = store.disputes_by(disputer)
        assert (record.number, record.dispute_upheld, record.dispute_reward) == (2, True, reward)

    # The list reads an ended round's figures from the store: not one RPC names round 1 or 2,
    # while the rounds in flight (3, 4) are read from the chain.
    calls: list[str] = []

    class CountingEthCalls(Web3Middleware):
        def wrap_make_request(self, make_request):
            def counting(method, params):
                if method == "eth_call":
                    calls.append(str(params[0].get("data") or params[0].get("input") or "").lower())
                return make_request(method, params)

            return counting

    with app.app_context():
        w3 = get_chain().w3
    w3.middleware_onion.add(CountingEthCalls, name="count eth_call")
    try:
        assert app.test_client().get("/rounds").status_code == 200
    finally:
        w3.middleware_onion.remove("count eth_call")
    round_reads = {n: escrow.functions.getRound(n)._encode_transaction_data().lower() for n in (1, 2, 3, 4)}
    assert not [data for data in calls if data in (round_reads[1], round_reads[2])]
    assert round_reads[3] in calls and round_reads[4] in calls
