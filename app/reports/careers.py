"""The all-time leaderboard: everyone's career over every scored round.

Amounts are stored as decimal strings (:class:`app.columns.Wei`), so the sums are taken in
Python over one query of the few columns they need, never through SQL's floats.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import get_session
from app.models import Score, key_of
from app.reports.rows import model_fields, shared_ranks
from app.store import display_names, net_nmr, round_usd
from client.core.money.units import NmrAmount, UsdAmount


def all_time() -> list[dict[str, Any]]:
    """One row per model over every scored round, best career first: ``rank`` (equal
    careers share one), ``key`` (the model key), ``address`` (its wallet),
    ``model_number``, ``name`` (the model's, :func:`display_names`), ``career_usd`` (USD units),
    ``career_nmr`` (net NMR wei: earned minus burned), ``rounds`` (rounds scored) and
    ``mean_logloss`` (mean live logloss of those rounds; None when none has one).

    Careers are ordered by USD, then NMR; the key breaks ties in the order only."""
    query = select(
        Score.address, Score.model_number, Score.live_logloss, Score.usd_reward, Score.prize_usd, Score.nmr_reward, Score.prize_nmr,
        Score.burn_wei,
    )  # fmt: skip
    careers: dict[str, dict[str, Any]] = {}
    for score in get_session().execute(query):
        career = careers.setdefault(key_of(score.address, score.model_number or 0), {"career_usd": 0, "career_nmr": 0, "rounds": 0, "logloss": []})
        career["career_usd"] += round_usd(score)
        career["career_nmr"] += net_nmr(score)
        career["rounds"] += 1
        if score.live_logloss is not None:
            career["logloss"].append(score.live_logloss)
    ordered = sorted(careers.items(), key=lambda item: (-item[1]["career_usd"], -item[1]["career_nmr"], item[0]))
    ranks = shared_ranks([(c["career_usd"], c["career_nmr"]) for _key, c in ordered])
    names = display_names(careers)
    return [
        {
            "rank": rank,
            **model_fields(key),
            "name": names[key],
            "career_usd": UsdAmount(career["career_usd"]),
            "career_nmr": NmrAmount(career["career_nmr"]),
            "rounds": career["rounds"],
            "mean_logloss": sum(career["logloss"]) / len(career["logloss"]) if career["logloss"] else None,
        }
        for rank, (key, career) in zip(ranks, ordered, strict=True)
    ]
