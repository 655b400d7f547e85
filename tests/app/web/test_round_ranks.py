"""A round's results carry one rank per row: the prize rank, the place among the eligible
by live logloss, the same number the plan's reason names; an ineligible row has none and
its Why says why."""

from __future__ import annotations

import re

from eth_utils import to_checksum_address

from app import store

ROUND = 7


def _address(i: int) -> str:
    return to_checksum_address("0x" + f"{i + 1:040x}")


def test_the_rank_column_is_the_prize_rank_and_ineligible_rows_have_none(app, client):
    rows = [  # best live logloss first; the second is not original, the fourth is worse than a coin flip
        {"address": _address(0), "live_logloss": 0.680, "originality": True, "concordance": True, "consistency": 0.9,
         "reason": "rank 1 of 2: $10.00"},
        {"address": _address(1), "live_logloss": 0.681, "originality": False, "concordance": True, "consistency": 0.9,
         "reason": "not original"},
        {"address": _address(2), "live_logloss": 0.685, "originality": True, "concordance": True, "consistency": 0.8,
         "reason": "rank 2 of 2: $5.00"},
        {"address": _address(3), "live_logloss": 0.700, "originality": True, "concordance": True, "consistency": 0.9,
         "reason": "live logloss 0.7000 >= ln 2"},
    ]
    with app.app_context():
        store.set_round_status(ROUND, "closed")
        store.save_scores(ROUND, rows)
        store.set_round_status(ROUND, "resolved")
    participants = client.get(f"/api/v1/rounds/{ROUND}").get_json()["participants"]
    assert [p["rank"] for p in participants] == [1, None, 2, None]
    for p in participants:
        named = re.match(r"rank (\d+) of", p["why"])
        assert (int(named.group(1)) if named else None) == p["rank"], p  # the # and the Why agree
    page = client.get(f"/rounds/{ROUND}").get_data(as_text=True)
    assert re.findall(r'<td class="rank">([^<]*)</td>', page) == ["1", "–", "2", "–"]
