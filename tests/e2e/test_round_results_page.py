"""The article's tables with real values: a round on a real Ganache, funded with the 2017
pools, six participants (the article's names), four stakes, resolved, settled and
finalized by the oracle; then headless Chromium reads "Tournament 1 results", the
leaderboard and the Rules page, and every figure is checked against the chain's events.
Screenshots go to artifacts/screenshots/results-*.png."""

from __future__ import annotations

import re

import pytest
from eth_account import Account

from app import oracle, store
from app.oracle import DEFAULT_POOLS
from app.web import services
from tests.app.oracle.conftest import NMR, advance_chain_time, send
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.conftest import CLOSES_IN, RESOLVES_IN, ROUND
from tests.e2e.support import (
    deploy_with_players,
    leaning_predictions,
    nmr_text,
    usd_text,
)

# name, the file (seed, shift, how it leans), stake (NMR, confidence) or None.
PARTICIPANTS = (
    ("STUDYAI", {"seed": 1, "lean": 0.08}, (100, "0.5")),                     # bid $200, the best
    ("JB_AI3", {"seed": 2, "shift": 0.03}, (60, "1")),                         # bid $60, good
    ("INOPHO", {"seed": 3, "shift": -0.03, "live_toward": False}, (40, "2")),  # first in line, wrong on live
    ("PADPDA", {"seed": 4, "shift": 0.06}, None),                              # prizes only
    ("DAENRIS", {"seed": 1, "lean": 0.08}, (10, "1")),                         # STUDYAI's file again
    ("DAENRIS1", {"seed": 6, "shift": 0.04, "toward": False, "noise": 0.03}, None),  # worse than a coin flip
)  # fmt: skip
ARTICLE_COLUMNS = ["#", "Data scientist", "Live logloss", "Val. logloss", "Round USD", "Round NMR", "Consistency"]
LEADERBOARD_COLUMNS = ["#", "Name", "Logloss", "Career USD", "Consistency", "Originality", "Concordance", "Career NMR"]
DATASET = {"n_features": 8, "rows_per_era": 1500, "n_train_eras": 3, "n_validation_eras": 3}
FILE = {"lean": 0.06, "noise": 0.012}


@pytest.fixture(scope="module")
def deployment(w3, keys, tmp_path_factory):
    """Fresh contracts whose stakers (keys 3..8) hold 1,000 NMR and $1,000 each."""
    out = tmp_path_factory.mktemp("chain") / "deployments.json"
    record = deploy_with_players(w3, keys, out, len(PARTICIPANTS))
    return out, record


@pytest.fixture
def resolved_round(app, w3, keys, contracts):
    """Round 1 opened with the default pools ($3,000 staking, $3,603.03 and 14,412.13 NMR of
    prizes), the six participants' uploads and stakes, then closed, resolved, settled,
    finalized and published by the oracle. Returns {name: address}."""
    token, escrow = contracts
    addresses = {}
    with app.app_context():
        row = oracle.open_round(ROUND, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=DEFAULT_POOLS,
                                dataset_options=DATASET, report=lambda _: None)
        for index, (name, file, stake) in enumerate(PARTICIPANTS):
            key = keys[3 + index]
            address = addresses[name] = Account.from_key(key).address
            store.set_display_name(address, name)
            body = leaning_predictions(row, **{**FILE, **file})
            outcome = services.upload_predictions(ROUND, address, body, f"{name.lower()}.csv")
            assert outcome.result.ok, outcome.result.problems
            if stake:
                amount, confidence = stake[0] * NMR, int(float(stake[1]) * 10**18)
                send(w3, key, token.functions.approve(escrow.address, amount))
                send(w3, key, escrow.functions.stake(ROUND, 0, amount, confidence, bytes.fromhex(outcome.result.hash[2:])))
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.run_round(ROUND, report=lambda _: None)
        assert store.get_round(ROUND).status == "finalized"
    return addresses


def paid_on_chain(escrow) -> dict[str, dict[str, int]]:
    """Per address what the escrow paid and burned in round 1, from its events."""
    paid: dict[str, dict[str, int]] = {}

    def entry(address):
        return paid.setdefault(address, {"usd": 0, "nmr": 0, "burned": 0})

    for log in escrow.events.StakeSettled().get_logs(from_block=0, argument_filters={"roundId": ROUND}):
        args = entry(log["args"]["staker"])
        args["usd"] += log["args"]["usdReward"]
        args["nmr"] += log["args"]["nmrReward"]
        args["burned"] += log["args"]["burned"]
    for log in escrow.events.PrizePaid().get_logs(from_block=0, argument_filters={"roundId": ROUND}):
        args = entry(log["args"]["winner"])
        args["usd"] += log["args"]["usdPrize"]
        args["nmr"] += log["args"]["nmrPrize"]
    return paid


def table(page, selector: str) -> tuple[list[str], list[dict[str, str]]]:
    """A table's header texts and its rows as {header: cell text}."""
    headers = [h.strip() for h in page.locator(f"{selector} thead th").all_inner_texts()]
    rows = []
    for row in page.locator(f"{selector} tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append(dict(zip(headers, cells, strict=True)))
    return headers, rows


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"results-{name}.png"), full_page=True)


def test_round_results_page_shows_the_articles_tables_with_the_chains_figures(
    server, app, open_page, resolved_round, contracts, w3,
):
    _, escrow = contracts
    paid = paid_on_chain(escrow)
    names = {address: name for name, address in resolved_round.items()}
    with app.app_context():
        reasons = {names[s.address]: s.reason for s in store.round_scores(ROUND)}
        resolved_at = store.get_round(ROUND).resolved_at
    page = open_page(wallet=False)
    page.goto(server + "/rounds/1")

    assert page.inner_text("h1") == "Tournament 1 results"
    assert "This tournament has resolved and paid out" in page.inner_text("#round-status-note")
    facts = page.inner_text("#totals")
    for words in ("Participants", "Controlling capital", "USD paid out", "NMR paid out", "Resolved"):
        assert words in facts
    assert page.inner_text("#n-participants") == "6"
    assert page.inner_text("#controlling-capital") == "3"  # STUDYAI, JB_AI3, PADPDA
    usd_paid = sum(p["usd"] for p in paid.values())
    nmr_paid = sum(p["nmr"] for p in paid.values())
    view = escrow.functions.getRound(ROUND).call()
    assert view[4] == (200 + 60) * 10**6 and usd_paid == view[4] + view[6]  # the auction's, then the prizes'
    assert page.inner_text("#usd-paid") == usd_text(usd_paid) == "$1,962.85"
    assert page.inner_text("#nmr-paid") == nmr_text(nmr_paid)
    assert page.inner_text("#resolved") == resolved_at.strftime("%a %b %d %Y")
    assert page.inner_text("#burned") == f"{nmr_text(40 * NMR)} NMR" == "40.00 NMR"
    pools = (page.inner_text("#pool-usd-staking"), page.inner_text("#pool-usd-prize"), page.inner_text("#pool-nmr"))
    assert pools == ("$3,000.00", "$3,603.03", "14,412.13 NMR")

    headers, rows = table(page, "#participants")
    assert headers[: len(ARTICLE_COLUMNS)] == ARTICLE_COLUMNS and headers[-1] == "Why"
    by_name = {row["Data scientist"]: row for row in rows}
    assert set(by_name) == set(resolved_round)
    # One rank per row, the prize rank: STUDYAI's copy ties it on logloss but is not original, so it has none.
    assert [row["#"] for row in rows][:4] == ["1", "–", "2", "3"]
    for row in rows[:4]:
        if row["#"] != "–":
            assert f"rank {row['#']} of 3" in row["Why"], row
    for name, row in by_name.items():
        address = resolved_round[name]
        got = paid.get(address, {"usd": 0, "nmr": 0, "burned": 0})
        assert re.fullmatch(r"0\.\d{6}", row["Live logloss"]) and re.fullmatch(r"0\.\d{6}", row["Val. logloss"])
        assert row["Round USD"] == usd_text(got["usd"]) and row["Round NMR"] == nmr_text(got["nmr"]), name
        assert re.fullmatch(r"\d+(\.\d+)?%", row["Consistency"])
        assert row["Why"] == reasons[name]
    assert by_name["STUDYAI"]["Round USD"] == "$1,200.00" and by_name["STUDYAI"]["Round NMR"] == "4,000.00"
    assert by_name["STUDYAI"]["Why"] == "in the money: stake back + $200; rank 1 of 3: $1,000 + 4,000.00 NMR"
    assert by_name["JB_AI3"]["Why"].startswith("in the money: stake back + $60; rank 2 of 3: $435.27")
    assert re.fullmatch(r"burned: live logloss 0\.\d{4} >= ln 2; no prize", by_name["INOPHO"]["Why"])
    assert by_name["INOPHO"]["Burned NMR"] == "40.00" and by_name["INOPHO"]["Round USD"] == "$0.00"
    assert by_name["PADPDA"]["Why"] == "rank 3 of 3: $267.58 + 1,070.32 NMR"
    assert by_name["DAENRIS"]["Why"] == "not original: like STUDYAI; stake back, no prize"
    assert by_name["DAENRIS1"]["Why"].startswith("consistency 0% < 75%") and by_name["DAENRIS1"]["Consistency"] == "0%"
    shot(page, "01-round")

    page.click("nav >> text=Leaderboard")
    headers, rows = table(page, "#leaderboard")
    assert headers[: len(LEADERBOARD_COLUMNS)] == LEADERBOARD_COLUMNS
    board = {row["Name"]: row for row in rows}
    assert board["STUDYAI"]["Career USD"] == "$1,200.00" and board["STUDYAI"]["Career NMR"] == "4,000.00"
    assert board["INOPHO"]["Career NMR"] == "-40.00"  # earned minus burned
    assert (board["DAENRIS"]["Originality"], board["STUDYAI"]["Originality"]) == ("✗", "✓")
    assert all(re.fullmatch(r"0\.\d{6}", row["Logloss"]) and row["Concordance"] in ("✓", "✗") for row in rows)
    shot(page, "02-leaderboard")

    page.click("#rules-link")
    assert page.inner_text("#rules-pool-usd-staking") == "$3,000.00"
    assert page.inner_text("#rules-pool-usd-prize") == "$3,603.03"
    assert page.inner_text("#rules-pool-nmr") == "14,412.13 NMR"
    assert page.inner_text("#rules-consistency") == "75%"
    prize = page.locator("#prize-table tr[data-rank='1'] td.prize-usd").inner_text()
    assert prize == "$1,000.00"
    assert page.locator("#auction-example tr[data-name='ABRIOSI'] td.usd").inner_text() == "$500.00"
    shot(page, "03-rules")


def test_an_expired_round_says_so_on_its_results_page(app, w3, keys, contracts):
    """The oracle missed its deadline: the round is finalized on the escape-hatch path, and
    its results page says what that means for stakers and the pools."""
    token, escrow = contracts
    with app.app_context():
        row = oracle.open_round(ROUND, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=DEFAULT_POOLS,
                                dataset_options=DATASET, report=lambda _: None)
        address = Account.from_key(keys[3]).address
        outcome = services.upload_predictions(ROUND, address, leaning_predictions(row, **FILE), "late.csv")
    send(w3, keys[3], token.functions.approve(escrow.address, 10 * NMR))
    send(w3, keys[3], escrow.functions.stake(ROUND, 0, 10 * NMR, NMR, bytes.fromhex(outcome.result.hash[2:])))
    advance_chain_time(w3, RESOLVES_IN + 1)
    with app.app_context():
        oracle.run_round(ROUND, report=lambda _: None)  # too late to settle: expires it
    results = app.test_client().get("/api/v1/rounds/1").get_json()
    assert results["round"]["status"] == "expired"
    assert (results["usd_paid"], results["nmr_paid"], results["burned"]) == ("0", "0", "0")
    assert results["on_chain"]["usd_returned"] == str(DEFAULT_POOLS.usd_staking + DEFAULT_POOLS.usd_prize)
    page = app.test_client().get("/rounds/1").get_data(as_text=True)
    assert "finalized on the escape-hatch path" in page and "takes the whole stake back alone" in page
    assert "$6,603.03 and 14,412.13 NMR" in page  # back to the funder
    assert "not scored: the oracle&#39;s deadline passed first" in page
    assert escrow.functions.getStake(ROUND, address, 0).call()[2] == 1  # still active: the staker withdraws alone
