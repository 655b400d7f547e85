"""The three tables of the 2017 article, as pages, the API and the oracle's published
files show them: the leaderboard, "Tournament N results" and a model's rounds.

A row is a model's: ``key`` (the model key), ``address`` (its wallet), ``model_number``
and ``name`` (:func:`app.store.display_names`), then :func:`app.reports.rows.score_view`'s
keys. Totals are typed amounts like the rows' (:mod:`client.core.money.units`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select

from app.db import get_session
from app.models import Round, Score, key_of
from app.reports.rows import (
    UNSCORED,
    chain_totals,
    is_controlling,
    model_fields,
    score_view,
    shared_ranks,
)
from app.store import (
    career_totals,
    display_names,
    get_round,
    list_submissions,
    list_transactions,
    round_scores,
    user_scores,
)
from client.core.money.units import NmrAmount, UsdAmount


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
            "career_usd": UsdAmount(career["career_usd"]),
            "career_nmr": NmrAmount(career["career_nmr"]),
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
    return {
        "round": row,
        "status": row.status,
        "resolved_at": row.resolved_at,
        "usd_staking_pool": UsdAmount(row.usd_staking_pool or 0),
        "usd_prize_pool": UsdAmount(row.usd_prize_pool or 0),
        "nmr_pool": NmrAmount(row.nmr_pool or 0),
        "funder": row.funder,
        "participants": participants,
        "n_participants": len(participants),
        "n_stakers": len(stakers),
        "staked_wei": NmrAmount(sum(s.stake_wei for s in stakers)),
        "controlling_capital": sum(is_controlling(s) for s in scores),
        "usd_paid": UsdAmount(sum(p["round_usd"] or 0 for p in participants)),
        "nmr_paid": NmrAmount(sum(p["round_nmr"] or 0 for p in participants)),
        "burned": NmrAmount(sum(p["burned"] or 0 for p in participants)),
        "on_chain": chain_totals(row),
        "transactions": list_transactions(number),
    }


def account_results(address: str) -> dict[str, Any]:
    """A model's rounds (``address`` is the model key; an address: its model 0), newest first: per round its number and status, every
    :func:`score_view` key (``round_usd``, ``round_nmr``, ``reason`` ...), ``per_era``
    (``{era: logloss}``) and ``era_scores`` (every scored era in order: ``{era,
    data_type, logloss, corr, mmc, fnc}``; ``[]`` for a row resolved before they were kept);
    and the career sums ``career_usd`` (USD units) and ``career_nmr`` (net NMR wei), as in
    :func:`career_totals`."""
    return _results_of(address, user_scores(address))


def standings(key: str, numbers: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Model ``key``'s place in each round of ``numbers`` by live logloss (the board's
    order, equal scores sharing a rank): ``rank``, ``of`` (models scored) and
    ``percentile`` (the share of the others it beat or tied: 1 best, 0 last)."""
    found: dict[int, dict[str, Any]] = {}
    for number in numbers:
        losses = {s.model_key: s.live_logloss for s in round_scores(number) if s.live_logloss is not None}
        if key not in losses:
            continue
        rank, of = 1 + sum(loss < losses[key] for loss in losses.values()), len(losses)
        found[number] = {"rank": rank, "of": of, "percentile": 1.0 if of == 1 else (of - rank) / (of - 1)}
    return found


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
        {"round": s.round_number, "round_status": statuses.get(s.round_number), **score_view(s),
         "per_era": s.per_era or {}, "era_scores": s.era_scores or []}
        for s in scores
    ]
    return {
        "address": key,
        "scores": rows,
        "career_usd": UsdAmount(sum(r["round_usd"] for r in rows)),
        "career_nmr": NmrAmount(sum(r["net_nmr"] for r in rows)),
    }