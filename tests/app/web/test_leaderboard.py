"""The leaderboard's round picker, all-time view, shared ranks, sorting and pages, in the
API and on the page (which works without JavaScript: every control is a link or a GET form)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from statistics import fmean

import pytest
from eth_utils import to_checksum_address

from app import store
from app.web.leaderboard import PAGE_SIZE
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

N_PLAYERS = 120  # three pages of 50, 50 and 20


def player(i: int) -> str:
    """A distinct checksum-free address per participant (the store keeps what it is given)."""
    return to_checksum_address("0x" + f"{i + 1:040x}")


def round_7_row(i: int) -> dict:
    """Participant i of round 7: logloss in pairs (0 and 1 tie, 2 and 3 tie, ...), $i paid,
    every fifth one burned 1 NMR, every fourth one staked 2 NMR, and participant 7 without a
    consistency."""
    return {
        "address": player(i), "live_logloss": 0.68 + (i // 2) * 1e-4, "validation_logloss": 0.69,
        "consistency": None if i == 7 else 0.5 + (i % 50) / 100, "originality": True, "concordance": i % 3 != 0,
        "usd_reward": i * USD, "prize_nmr": (N_PLAYERS - i) * NMR // 3, "burn_wei": NMR if i % 5 == 0 else 0,
        "stake_wei": 2 * NMR if i % 4 == 0 else 0,
    }  # fmt: skip


def round_5_row(i: int) -> dict:
    """Participant i of round 5 (only the first 30 played): $100 each, logloss 0.70."""
    return {"address": player(i), "live_logloss": 0.70, "usd_reward": 100 * USD}


@pytest.fixture
def boards(app):
    """Round 7 scored for 120 participants, round 5 for the first 30; one display name."""
    with app.app_context():
        now = store.utcnow()
        store.create_round(5, closes_at=now - timedelta(days=9), resolves_by=now - timedelta(days=8), status="closed")
        store.save_scores(5, [round_5_row(i) for i in range(30)])
        store.set_round_status(5, "finalized", resolved_at=now - timedelta(days=8))
        store.set_round_status(7, "closed")
        store.save_scores(7, [round_7_row(i) for i in range(N_PLAYERS)])
        store.set_round_status(7, "resolved", resolved_at=datetime(2017, 6, 15, 18, tzinfo=UTC))
        store.set_display_name(player(0), "A data scientist whose name is much too long for a column")
    return app


def board(client, **query) -> dict:
    response = client.get("/api/v1/leaderboard", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_round_board_pages_by_fifty_and_equal_scores_share_a_rank(client, boards):
    first = board(client, round=7)
    assert (first["view"], first["round"], first["rounds"]) == ("round", 7, [7, 5])
    assert (first["page"], first["pages"], first["page_size"], first["total"]) == (1, 3, PAGE_SIZE, N_PLAYERS)
    assert [row["rank"] for row in first["rows"][:6]] == [1, 1, 3, 3, 5, 5]
    assert [row["address"] for row in first["rows"][:2]] == [player(0), player(1)]
    last = board(client, round=7, page=3)
    assert len(last["rows"]) == 20 and last["rows"][-1]["rank"] == 119
    assert board(client) == first  # the newest scored round by default


def test_sorting_reorders_rows_and_keeps_their_ranks(client, boards):
    by_usd = board(client, round=7, sort="round_usd")
    assert by_usd["order"] == "desc" and [r["round_usd"] for r in by_usd["rows"][:3]] == [str(i * USD) for i in (119, 118, 117)]
    assert [r["rank"] for r in by_usd["rows"][:3]] == [119, 119, 117]  # 118 and 119 tie on logloss
    cheapest = board(client, round=7, sort="round_usd", order="asc")["rows"][0]
    assert (cheapest["address"], cheapest["round_usd"]) == (player(0), "0")
    consistent = board(client, round=7, sort="consistency", page=3)["rows"]
    assert consistent[-1]["address"] == player(7) and consistent[-1]["consistency"] is None  # no value: last
    names = [row["name"] for row in board(client, round=7, sort="name")["rows"]]
    assert names == sorted(names, key=str.casefold)


def test_all_time_adds_up_every_round(client, boards):
    careers = board(client, round="all")
    assert (careers["view"], careers["round"], careers["total"], careers["pages"]) == ("all", None, N_PLAYERS, 3)
    rows = {row["address"]: row for row in careers["rows"] + board(client, round="all", page=2)["rows"]
            + board(client, round="all", page=3)["rows"]}  # fmt: skip
    for i in (0, 5, 29, 30, 119):
        expected_usd = i * USD + (100 * USD if i < 30 else 0)
        expected_nmr = (N_PLAYERS - i) * NMR // 3 - (NMR if i % 5 == 0 else 0)
        loglosses = [0.68 + (i // 2) * 1e-4] + ([0.70] if i < 30 else [])
        row = rows[player(i)]
        assert (row["career_usd"], row["career_nmr"], row["rounds"]) == (str(expected_usd), str(expected_nmr), len(loglosses))
        assert row["mean_logloss"] == pytest.approx(fmean(loglosses), abs=1e-12)
    ranked = careers["rows"]
    assert ranked[0]["address"] == player(29) and ranked[0]["rank"] == 1  # $29 + $100
    usd = [int(r["career_usd"]) for r in ranked]
    assert usd == sorted(usd, reverse=True)
    # Players 0 and 100 both earned $100 in all (0 in round 5, 100 in round 7).
    assert rows[player(100)]["career_usd"] == rows[player(0)]["career_usd"] == str(100 * USD)
    tied = (rows[player(100)], rows[player(0)])
    assert tied[0]["career_nmr"] != tied[1]["career_nmr"]  # career NMR breaks the tie: different ranks
    assert tied[0]["rank"] != tied[1]["rank"]
    by_rounds = board(client, round="all", sort="rounds")["rows"]
    assert {r["rounds"] for r in by_rounds[:30]} == {2}


@pytest.mark.parametrize(("query", "status", "words"), [
    ({"sort": "wealth"}, 400, "sort must be one of rank, name, live_logloss"),
    ({"round": "all", "sort": "consistency"}, 400, "sort must be one of rank, name, career_usd"),
    ({"sort": "name", "order": "sideways"}, 400, "order must be asc or desc"),
    ({"page": "0"}, 400, "page must be a whole number from 1 to 3"),
    ({"page": "２"}, 400, "page must be a whole number"),
    ({"page": "9" * 40}, 400, "page must be a whole number"),
    ({"page": "4"}, 404, "page 4 is past the end: this leaderboard has 3 page(s) of 50"),
    ({"round": "3"}, 404, "tournament 3 does not exist; pick one of the scored rounds (7, 5) or round=all"),
    ({"round": "al"}, 400, "round must be a round number"),
])  # fmt: skip
def test_bad_queries_say_what_to_change(client, boards, query, status, words):
    for path in ("/api/v1/leaderboard", "/leaderboard"):
        response = client.get(path, query_string=query)
        assert response.status_code == status, (path, response.data[:300])
        assert words in response.get_data(as_text=True), (path, words)


def test_a_round_not_yet_scored_is_an_empty_board(client, app):
    empty = board(client, round=7)
    assert (empty["round"], empty["rows"], empty["rounds"]) == (7, [], [])
    assert "Tournament 7 has not been scored yet." in client.get("/leaderboard?round=7").get_data(as_text=True)


def test_the_page_links_sort_headers_pages_and_the_picker(client, boards):
    html = client.get("/leaderboard?round=7&sort=round_usd").get_data(as_text=True)
    # The sorted column says so (aria-sort) and its link flips the order; other columns start best first.
    assert re.search(r'<th scope="col" aria-sort="descending"><a href="/leaderboard\?round=7&amp;sort=round_usd&amp;order=asc">Round USD</a>', html)
    assert '<a href="/leaderboard?round=7&amp;sort=live_logloss&amp;order=asc" title="live logloss">Logloss</a>' in html
    assert '<a href="/leaderboard?round=7&amp;sort=career_usd&amp;order=desc">Career USD</a>' in html
    # Page links keep the board and its order.
    assert '<span aria-current="page" class="current">1</span>' in html
    assert 'href="/leaderboard?round=7&amp;sort=round_usd&amp;order=desc&amp;page=2" rel="next"' in html
    assert 'href="/leaderboard?round=7&amp;sort=round_usd&amp;order=desc&amp;page=3"' in html
    # The picker: all time and every scored round, the shown one selected.
    assert '<option value="all">All time (career)</option>' in html
    assert '<option value="7" selected>Tournament 7</option><option value="5">Tournament 5</option>' in html
    # Long names are cut by CSS, the whole name (and address) on hover; amounts exact on hover.
    first_page = client.get("/leaderboard?round=7").get_data(as_text=True)
    assert f'title="A data scientist whose name is much too long for a column ({player(0)})"' in first_page
    assert '<span class="amount" title="$119">$119.00</span>' in html
    assert '<span class="amount" title="13.333333333333333333 NMR">13.33</span>' in html  # 40 NMR / 3


def test_the_all_time_page(client, boards):
    html = client.get("/leaderboard?round=all&page=3").get_data(as_text=True)
    assert "Leaderboard · all time" in html and '<option value="all" selected>' in html
    for column in ("Career USD", "Career NMR", "Rounds", "Mean logloss"):
        assert f">{column}</a></th>" in html
    assert 'href="/leaderboard?round=all&amp;sort=rank&amp;order=asc&amp;page=2" rel="prev"' in html
    assert html.count('<tr data-address=') == 20


def test_search_by_name_and_filter_by_stake_keep_the_boards_ranks(client, boards):
    named = board(client, round=7, q="MUCH TOO LONG")
    assert [(row["address"], row["rank"]) for row in named["rows"]] == [(player(0), 1)]
    by_key = board(client, round=7, q=player(9)[-6:].lower())
    assert [row["address"] for row in by_key["rows"]] == [player(9)]
    stakers = board(client, round=7, staked="yes")
    assert stakers["total"] == N_PLAYERS // 4 and all(int(row["stake_wei"]) == 2 * NMR for row in stakers["rows"])
    assert [row["rank"] for row in stakers["rows"][:3]] == [1, 5, 9]  # the board's ranks, not renumbered
    assert board(client, round=7, staked="no")["total"] == N_PLAYERS - N_PLAYERS // 4
    both = board(client, round=7, staked="yes", sort="round_usd")
    assert [row["round_usd"] for row in both["rows"][:2]] == [str(116 * USD), str(112 * USD)]
    assert board(client, round="all", q="much too long")["total"] == 1


@pytest.mark.parametrize(("query", "words"), [
    ({"round": 7, "staked": "maybe"}, "staked must be yes or no"),
    ({"round": "all", "staked": "yes"}, "staked filters one round's board"),
    ({"round": 7, "q": "x" * 65}, "at most 64 characters"),
])  # fmt: skip
def test_a_bad_search_or_filter_says_what_to_change(client, boards, query, words):
    response = client.get("/api/v1/leaderboard", query_string=query)
    assert response.status_code == 400 and words in response.get_json()["error"]["message"]


def test_the_page_searches_without_javascript_and_its_links_keep_the_filters(client, boards):
    page = client.get("/leaderboard", query_string={"round": 7, "staked": "yes", "q": "0"}).get_data(as_text=True)
    assert 'name="q" value="0"' in page and '<option value="yes" selected>staked</option>' in page
    sort_links = re.findall(r'href="(/leaderboard\?[^"]*sort=round_usd[^"]*)"', page)
    assert sort_links and all("staked=yes" in link and "q=0" in link for link in sort_links)
    nobody = client.get("/leaderboard", query_string={"round": 7, "q": "nobody by this name"}).get_data(as_text=True)
    assert "Nobody on this board matches “nobody by this name”" in nobody
