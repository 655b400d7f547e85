"""What the pages and the API show of rounds and scores: plain dicts, no ORM rows to walk.

A row is a model's: ``key`` (the model key), ``address`` (its wallet), ``model_number``
and ``name`` (the model's name: :func:`app.store.accounts.display_names`).

``score_view`` is one participant's round; ``leaderboard``, ``round_results`` and
``account_results`` are the three tables of the 2017 article (leaderboard, "Tournament N
results", an account's rounds). Amounts are ints in their token's base unit; which unit
each key holds is in ``AMOUNT_UNITS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from app.db import get_session
from app.models import Round, Score, key_of
from app.store.accounts import display_names
from app.store.errors import split_key
from app.store.journal import list_transactions
from app.store.rounds import get_round, list_submissions
from app.store.scores import (
    career_totals,
    net_nmr,
    round_nmr,
    round_scores,
    round_usd,
    user_scores,
)
from client.core.money import rules

# Every amount key of these views and its token: "nmr" amounts are wei (18 decimals),
# "usd" amounts are units of 1e-6 dollar (6 decimals).
AMOUNT_UNITS = {
    "stake_wei": "nmr", "burn_wei": "nmr", "staked_wei": "nmr",
    "nmr_reward": "nmr", "prize_nmr": "nmr", "round_nmr": "nmr", "burned": "nmr", "net_nmr": "nmr",
    "career_nmr": "nmr", "nmr_paid": "nmr", "nmr_pool": "nmr", "nmr_returned": "nmr",
    "usd_reward": "usd", "prize_usd": "usd", "round_usd": "usd", "career_usd": "usd", "usd_paid": "usd",
    "usd_staking_pool": "usd", "usd_prize_pool": "usd", "usd_returned": "usd",
}  # fmt: skip
AMOUNT_KEYS = frozenset(AMOUNT_UNITS)
# The chain's totals of an ended round (the view's key -> the round's column).
CHAIN_TOTALS = {"usd_paid": "paid_usd", "nmr_paid": "paid_nmr", "burned": "burned_nmr",
                "usd_returned": "returned_usd", "nmr_returned": "returned_nmr"}


def score_view(s: Score) -> dict[str, Any]:
    """A score as pages and the API show it: the metrics, the stake, every amount the
    round paid or burned, and ``round_usd`` (auction reward + prize, USD units),
    ``round_nmr`` (corr reward + prize, wei), ``burned`` (wei) and ``net_nmr``
    (round NMR - burned, wei). The per-era series is not included."""
    net = net_nmr(s)
    return {
        "live_logloss": s.live_logloss,
        "validation_logloss": s.validation_logloss,
        "consistency": s.consistency,
        "originality": s.originality,
        "concordance": s.concordance,
        "corr": s.corr,
        "mmc": s.mmc,
        "fnc": s.fnc,
        "stake_wei": s.stake_wei or 0,
        "confidence": s.confidence,
        "burn_wei": s.burn_wei or 0,
        "usd_reward": s.usd_reward or 0,
        "nmr_reward": s.nmr_reward or 0,
        "prize_rank": s.prize_rank,
        "prize_usd": s.prize_usd or 0,
        "prize_nmr": s.prize_nmr or 0,
        "reason": s.reason,
        "round_usd": round_usd(s),
        "round_nmr": round_nmr(s),
        "burned": s.burn_wei or 0,
        "net_nmr": net,
    }


# A participant who submitted but has no score (yet): every score key, all None.
UNSCORED: dict[str, Any] = dict.fromkeys(score_view(Score()))


def model_fields(key: str) -> dict[str, Any]:
    """``key``, ``address`` (the wallet) and ``model_number`` of a model key."""
    address, number = split_key(key)
    return {"key": key, "address": address, "model_number": number}


def shared_ranks(values: Sequence[Any]) -> list[int]:
    """Competition ranks of already sorted values: equal values share a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, value in enumerate(values):
        ranks.append(ranks[-1] if position and value == values[position - 1] else position + 1)
    return ranks


def is_controlling(s: Score) -> bool:
    """Counts toward the round's controlling capital: eligible (original, concordant,
    consistency >= 75%) and live logloss < ln 2."""
    return rules.is_controlling(s.originality, s.concordance, s.consistency, s.live_logloss)


def chain_totals(row: Round) -> dict[str, int] | None:
    """The round's totals as the oracle read them from the chain when it ended (ints), or
    None before that."""
    if row.paid_usd is None:
        return None
    return {key: int(getattr(row, column) or 0) for key, column in CHAIN_TOTALS.items()}


def leaderboard(round_number: int | None = None) -> dict[str, Any]:
    """Ranked rows of a scored round (default: the newest round with scores), each with
    rank (equal live logloss share one), the model (:func:`model_fields`), its name, every :func:`score_view` key,
    ``career_usd`` (USD units) and ``career_nmr`` (net NMR wei) over all rounds."""
    if round_number is None:
        round_number = get_session().scalar(select(func.max(Score.round_number)))
    if round_number is None:
        return {"round": None, "rows": []}
    scores = round_scores(round_number)
    names = display_names(s.model_key for s in scores)
    careers = career_totals(s.model_key for s in scores)
    rows = []
    for rank, s in zip(shared_ranks([s.live_logloss for s in scores]), scores, strict=True):
        career = careers.get(s.model_key, {"career_usd": 0, "career_nmr": 0})
        rows.append({
            "rank": rank,
            **model_fields(s.model_key),
            "name": names[s.model_key],
            **score_view(s),
            "career_usd": career["career_usd"],
            "career_nmr": career["career_nmr"],
        })
    return {"round": round_number, "rows": rows}


def round_results(number: int) -> dict[str, Any] | None:
    """"Tournament N results", or None for an unknown round: the round row, its pools
    and funder, ``resolved_at``, participants (every submitter, scored or not, best live
    logloss first, with :func:`score_view` keys and the one-line ``reason``) and the
    totals: ``n_participants``, ``n_stakers``, ``staked_wei``, ``controlling_capital``
    (how many are eligible with live logloss < ln 2), ``usd_paid`` (sum of round USD),
    ``nmr_paid`` (sum of round NMR), ``burned`` and the settlement batches. The totals add
    up the rows, i.e. the plan; ``on_chain`` has what the chain paid, burned and returned
    once the round is finalized (see :func:`chain_totals`). """
    row = get_round(number)
    if row is None:
        return None
    submissions = list_submissions(number)
    scores = round_scores(number)
    by_key = {s.model_key: s for s in scores}
    names = display_names([s.model_key for s in submissions] + list(by_key))
    participants = []
    for sub in submissions:
        score = by_key.pop(sub.model_key, None)
        participants.append({
            **model_fields(sub.model_key),
            "name": names[sub.model_key],
            "hash": sub.hash,
            "submitted_at": sub.created_at,
            "validation_logloss_at_upload": (sub.metrics or {}).get("validation_logloss"),
            **(score_view(score) if score else UNSCORED),
        })
    for score in by_key.values():  # scored without a current submission (should not happen)
        participants.append({**model_fields(score.model_key), "name": names[score.model_key], **score_view(score)})
    participants.sort(key=lambda p: (p.get("live_logloss") is None, p.get("live_logloss") or 0.0))
    stakers = [s for s in scores if (s.stake_wei or 0) > 0]
    nmr_paid = sum(round_nmr(s) for s in scores)
    burned = sum(s.burn_wei or 0 for s in scores)
    return {
        "round": row,
        "status": row.status,
        "resolved_at": row.resolved_at,
        "usd_staking_pool": row.usd_staking_pool or 0,
        "usd_prize_pool": row.usd_prize_pool or 0,
        "nmr_pool": row.nmr_pool or 0,
        "funder": row.funder,
        "participants": participants,
        "n_participants": len(participants),
        "n_stakers": len(stakers),
        "staked_wei": sum(s.stake_wei for s in stakers),
        "controlling_capital": sum(is_controlling(s) for s in scores),
        "usd_paid": sum(round_usd(s) for s in scores),
        "nmr_paid": nmr_paid,
        "burned": burned,
        "on_chain": chain_totals(row),
        "transactions": list_transactions(number),
    }


def account_results(address: str) -> dict[str, Any]:
    """A model's rounds (``address`` is the model key; an address: its model 0), newest first: per round its number and status, every
    :func:`score_view` key (``round_usd``, ``round_nmr``, ``reason`` ...) and ``per_era``;
    and the career sums ``career_usd`` (USD units) and ``career_nmr`` (net NMR wei), as in
    :func:`career_totals`."""
    return _results_of(address, user_scores(address))


def wallet_results(address: str) -> dict[str, dict[str, Any]]:
    """:func:`account_results` of every model of wallet ``address`` that has scores, by
    model key, from one query of scores and one of rounds however many models it has."""
    query = select(Score).where(Score.address == address).order_by(Score.round_number.desc(), Score.model_number)
    by_model: dict[str, list[Score]] = {}
    for score in get_session().scalars(query):
        by_model.setdefault(key_of(score.address, score.model_number or 0), []).append(score)
    statuses = _statuses({s.round_number for scores in by_model.values() for s in scores})
    return {key: _results_of(key, scores, statuses) for key, scores in by_model.items()}


def _statuses(numbers: set[int]) -> dict[int, str]:
    return dict(get_session().execute(select(Round.number, Round.status).where(Round.number.in_(numbers))).all())


def _results_of(key: str, scores: Sequence[Score], statuses: dict[int, str] | None = None) -> dict[str, Any]:
    if statuses is None:
        statuses = _statuses({s.round_number for s in scores})
    rows = [
        {"round": s.round_number, "round_status": statuses.get(s.round_number), **score_view(s), "per_era": s.per_era or {}}
        for s in scores
    ]
    return {
        "address": key,
        "scores": rows,
        "career_usd": sum(r["round_usd"] for r in rows),
        "career_nmr": sum(r["net_nmr"] for r in rows),
    }