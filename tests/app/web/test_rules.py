"""The rules page's Rolling stakes section (docs/rolling.md): its worked example is the
payout core's three plans, each judging what the round before kept, and the page shows
those figures as it formats NMR."""

from __future__ import annotations

import re

from client.core.money.build import build_plan
from client.core.money.stakes import ParticipantScore, Pools, Stake
from client.core.money.units import NMR, WAD, format_nmr


def _plan_outcome(amount: int, corr: float | None):
    """The corr policy (multiplier 1, cap 0.25) on one stake of `amount`; None: no file."""
    score = None if corr is None else ParticipantScore(live_logloss=0.70, consistency=1.0, original=True,
                                                       concordant=True, corr=corr)
    return build_plan("corr", [Stake("A", amount, WAD, 0)], {"A": score}, Pools(0, 0, 1_000 * NMR),
                      multiplier=1.0, cap=0.25).stakes[0]


def test_the_rolling_example_is_what_the_payout_core_pays_round_after_round(client):
    example = client.get("/api/v1/rules").get_json()["rolling"]
    first = _plan_outcome(100 * NMR, 0.1)
    second = _plan_outcome(first.stake + first.nmr_reward, -0.3)
    third = _plan_outcome(second.stake - second.burn, None)
    assert (first.nmr_reward, second.burn, third.release) == (10 * NMR, 27_500 * NMR // 1000, True)
    rows = example["rows"]
    assert [(r["round"], r["stake_wei"], r["burn_wei"], r["nmr_reward_wei"], r["kept_wei"], r["rolls_into"])
            for r in rows] == [
        (1, str(100 * NMR), "0", str(10 * NMR), str(110 * NMR), 2),
        (2, str(110 * NMR), str(second.burn), "0", str(82_500 * NMR // 1000), 3),
        (3, str(82_500 * NMR // 1000), "0", "0", str(82_500 * NMR // 1000), None),
    ]
    assert [r["reason"] for r in rows] == [first.reason, second.reason, third.reason]
    assert example["back_wei"] == str(third.stake)


def test_the_rules_explain_rolling_stakes_with_the_example_as_the_page_formats_nmr(client):
    page = client.get("/rules").get_data(as_text=True)
    section = page.split('id="rolling-stakes"', 1)[1].split("</section>", 1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    for words in ("nmr stake AMOUNT -c CONF --roll", "nmr roll N --off", "USD rewards and prizes always go to your wallet",
                  "stops rolling", "nmr withdraw N", "cap 0.25", "1,000.00 NMR"):
        assert words in text, words
    assert "`" not in section  # plain text: the docs' markdown never leaks onto the page
    table = section.split('id="rolling-example"', 1)[1]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("<tr data-round=")[1:]]
    assert cells[0].startswith('"1"> 1 100.00 0.10 0.00 10.00 110.00 round 2, rolling corr 0.1000: stake back + 10.00 NMR')
    assert cells[1].startswith(f'"2"> 2 110.00 -0.30 {format_nmr(27_500 * NMR // 1000)} 0.00 82.50 round 3, rolling')
    assert cells[2].startswith('"3"> 3 82.50 no file 0.00 0.00 82.50 the wallet no scored file matches')
    assert re.search(r'id="rolling-example-back">82\.50</span> NMR', section)
    assert 'href="/rules#rolling-stakes"' in client.get("/stake").get_data(as_text=True)
