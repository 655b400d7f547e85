"""The leaderboard's search and stake filter, and the model page they lead to, against a real
chain: the lived-in site of tests/e2e/site_tour.py (round 1 played and paid on Ganache) in
headless Chromium. What the model page says a round paid is what the escrow's events say;
its rank and percentile are the round's order by live logloss; its charts are drawn."""

from __future__ import annotations

from app import store
from app.web.formatting import exact_units, format_percent
from tests.e2e.conftest import contracts  # noqa: F401  (fixture)
from tests.e2e.site_tour import PLAYERS, deployment, tab, toured_site  # noqa: F401  (fixtures)

LONG_NAME = PLAYERS[1][0]  # "JB_AI3 with a very long display name": staked 60 NMR in round 1


def show(page, search: str, staked: str) -> list[str]:
    """Submit the leaderboard's form with ``search`` and ``staked`` ("", "yes", "no"): the
    addresses of the rows shown, top first."""
    page.fill("#leaderboard-search", search)
    page.select_option("#leaderboard-staked", staked)
    page.click("#round-picker button[type=submit]")
    page.wait_for_load_state("networkidle")
    return [row.get_attribute("data-address") for row in page.locator("#leaderboard tbody tr").all()]


def paid_on_chain(escrow, address: str) -> tuple[int, int, int]:
    """(USD, NMR, NMR burned) the escrow paid ``address`` in round 1, from its events."""
    settled = [e.args for e in escrow.events.StakeSettled().get_logs(from_block=0) if e.args.staker == address]
    prizes = [e.args for e in escrow.events.PrizePaid().get_logs(from_block=0) if e.args.winner == address]
    usd = sum(s.usdReward for s in settled) + sum(p.usdPrize for p in prizes)
    nmr = sum(s.nmrReward for s in settled) + sum(p.nmrPrize for p in prizes)
    return usd, nmr, sum(s.burned for s in settled)


def test_search_and_stake_filter_lead_to_a_model_page_that_agrees_with_the_chain(
    server, app, browser, ganache_url, toured_site, contracts,  # noqa: F811  (fixtures)
):
    _token, escrow = contracts
    staker, target = toured_site[PLAYERS[0][0]], toured_site[LONG_NAME]
    stakers = {toured_site[name] for name, _file, stake in PLAYERS if stake}
    with app.app_context():
        scores = {s.address: s for s in store.round_scores(1)}
    with tab(browser, ganache_url, staker, "wide", "light") as page:
        page.goto(server + "/leaderboard?round=1")
        everyone = [row.get_attribute("data-address") for row in page.locator("#leaderboard tbody tr").all()]
        assert set(everyone) == set(toured_site.values())
        ranks = {row.get_attribute("data-address"): row.locator("td.rank").text_content()
                 for row in page.locator("#leaderboard tbody tr").all()}

        assert show(page, "very LONG", "") == [target]  # case does not matter; the board's rank stays
        assert page.locator("#leaderboard tbody td.rank").text_content() == ranks[target]
        assert show(page, "", "no") == [a for a in everyone if a not in stakers]
        assert show(page, "", "yes") == [a for a in everyone if a in stakers]
        assert show(page, "nobody by that name", "") == []
        assert "Nobody on this board matches" in page.locator("#leaderboard-empty").text_content()

        show(page, "very long", "yes")
        page.click("#leaderboard tbody td.name a")
        page.wait_for_selector("#model-rounds")
        assert page.locator("#model-name").text_content() == LONG_NAME
        row = page.locator("#model-rounds tbody tr[data-round='1']")

        # Rank and percentile: the round's order by live logloss.
        loglosses = sorted(s.live_logloss for s in scores.values() if s.live_logloss is not None)
        mine = scores[target].live_logloss
        better = sum(value < mine for value in loglosses)
        assert row.locator("td.rank").text_content() == f"{better + 1} of {len(loglosses)}"
        beaten = sum(value >= mine for value in loglosses) - 1
        assert row.locator("td.percentile").text_content() == format_percent(beaten / (len(loglosses) - 1))
        assert row.locator("td.corr").text_content() == f"{scores[target].corr:.4f}"
        assert row.locator("td.mmc").text_content() == f"{scores[target].mmc:.4f}"

        # Money: the escrow's events, every digit (the hover title).
        usd, nmr, burned = paid_on_chain(escrow, target)
        assert usd > 0 and burned == 0
        assert row.locator("td.round-usd span.amount").get_attribute("title") == f"${exact_units(usd, 6)}"
        assert row.locator("td.round-nmr span.amount").get_attribute("title") == f"{exact_units(nmr, 18)} NMR"
        staked = escrow.functions.getStake(1, target, 0).call()
        assert row.locator("td.stake span.amount").get_attribute("title") == f"{exact_units(staked[0], 18)} NMR"

        titles = [t.text_content() for t in page.locator("#history svg.chart-wide > title").all()]
        assert titles[:5] == ["Live logloss by round", "CORR and MMC by round", "USD won by round",
                              "NMR earned or burned by round", "NMR staked by round"]
        assert page.locator("#history svg.chart-narrow").count() == len(titles)

        # Each live era's CORR, MMC and FNC, as stored at resolution.
        live = [e for e in scores[target].era_scores if e["data_type"] == "live"]
        assert live
        points = page.locator("#era-scores-chart svg.chart-wide circle > title").all_text_contents()
        assert points[:len(live)] == [f"{e['era']}: CORR {e['corr']:.5f}" for e in live]
