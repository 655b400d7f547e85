"""Scores: the oracle's result for every participant of a round, and what they earned.

A score row carries the metrics, the stake, and the round's money for that participant
in three flows (DESIGN "The economy"): the staking auction (``usd_reward`` in USD units,
or ``burn_wei``), the corr policy's ``nmr_reward`` (NMR wei) and the rank prizes
(``prize_usd`` in USD units, ``prize_nmr`` in NMR wei, at ``prize_rank``), with the
one-line ``reason`` for the outcome.

A participant is a model: rows are given and looked up by model key (the address for a
wallet's model 0, ``<address>-<n>`` for model n); sums are keyed by model key too.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select

from app.db import get_session
from app.models import REASON_MAX_CHARS, Score, key_of
from app.store.accounts import add_user
from app.store.errors import StoreError, check_amount, require_round, split_key
from app.store.rounds import current_submission
from client.core.scoring import STORED_DECISIONS, STORED_METRICS
from client.core.scoring.round import PER_ERA_METRICS as ERA_METRICS

SCORE_FIELDS = (
    "submission_id", *STORED_METRICS, *STORED_DECISIONS, "per_era", "era_scores", "stake_wei", "confidence", "burn_wei",
    "usd_reward", "nmr_reward", "prize_rank", "prize_usd", "prize_nmr", "reason",
)  # fmt: skip
# Integer token amounts among SCORE_FIELDS: NMR wei (stake, burn, NMR reward and prize)
# and USD units (USD reward and prize).
SCORE_AMOUNTS = ("stake_wei", "burn_wei", "usd_reward", "nmr_reward", "prize_usd", "prize_nmr")


def save_scores(round_number: int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Replace the round's scores. Each row needs ``address`` (the model key: an address
    for model 0, ``<address>-<n>`` for model n) and may carry any of
    ``SCORE_FIELDS`` (amounts as ints: NMR in wei, USD in 1e-6 dollar units; ``per_era``
    as ``{era: value}``; ``era_scores`` as ``[{"era", "data_type", "logloss", "corr",
    "mmc", "fnc"}, ...]`` with numbers or None; ``reason`` one line of at most 300 characters). When ``submission_id`` is missing, the address's
    model's current submission is linked. Every row is checked before anything is written.
    Returns the count."""
    require_round(round_number)
    prepared = [_score_values(round_number, row) for row in rows]
    keys = [key_of(values["address"], values["model_number"]) for values in prepared]
    if len(set(keys)) != len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        raise StoreError(f"one score per model and round; repeated: {', '.join(repeated)}")
    session = get_session()
    session.execute(delete(Score).where(Score.round_number == round_number))
    for values in prepared:
        add_user(values["address"])
        session.add(Score(round_number=round_number, **values))
    session.commit()
    return len(prepared)


def _score_values(round_number: int, row: Mapping[str, Any]) -> dict[str, Any]:
    """One row's column values, checked; a StoreError says what is wrong with it."""
    row = dict(row)
    address = row.pop("address", None)
    if not address:
        raise StoreError("every score row needs an address (the model key)")
    wallet, model_number = split_key(address)
    unknown = set(row) - set(SCORE_FIELDS)
    if unknown:
        raise StoreError(f"unknown score field(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
    for key in SCORE_AMOUNTS:
        if key in values:
            values[key] = check_amount(f"{address} {key}", values[key])
    if "prize_rank" in values:
        values["prize_rank"] = _rank(address, values["prize_rank"])
    if "reason" in values:
        values["reason"] = _reason(address, values["reason"])
    if "era_scores" in values:
        values["era_scores"] = _era_scores(address, values["era_scores"])
    if "confidence" in values:
        values["confidence"] = str(values["confidence"])
    if values.get("submission_id") is None:
        current = current_submission(round_number, address)
        values["submission_id"] = current.id if current else None
    values["address"], values["model_number"] = wallet, model_number
    return values


def _rank(address: str, rank: Any) -> int:
    try:
        value = operator.index(rank)
    except TypeError:
        raise StoreError(f"{address} prize_rank must be an integer, not {rank!r}") from None
    if isinstance(rank, bool) or value < 1:
        raise StoreError(f"{address} prize_rank must be 1 or more (got {rank!r})")
    return value


def _era_scores(address: str, eras: Any) -> list[dict[str, Any]]:
    """The per-era rows, checked: a list of objects naming their era, every metric a
    finite number or None (JSON columns would store NaN as text some readers reject)."""
    if not isinstance(eras, list):
        raise StoreError(f"{address} era_scores must be a list of eras, not {type(eras).__name__}")
    checked = []
    for entry in eras:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("era"), str):
            raise StoreError(f"{address} era_scores: every entry needs an era name, not {entry!r}")
        unknown = set(entry) - {"era", "data_type", *ERA_METRICS}
        if unknown:
            raise StoreError(f"{address} era_scores {entry['era']}: unknown field(s) {', '.join(sorted(unknown))}")
        for metric in ERA_METRICS:
            value = entry.get(metric)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not math.isfinite(value)):  # fmt: skip
                raise StoreError(f"{address} era_scores {entry['era']} {metric} must be a finite number or null")
        checked.append({"era": entry["era"], "data_type": entry.get("data_type"),
                        **{metric: entry.get(metric) for metric in ERA_METRICS}})  # fmt: skip
    return checked


def _reason(address: str, reason: Any) -> str:
    if not isinstance(reason, str):
        raise StoreError(f"{address} reason must be text, not {reason!r}")
    if "\n" in reason or "\r" in reason:
        raise StoreError(f"{address} reason must be one line")
    if len(reason) > REASON_MAX_CHARS:
        raise StoreError(f"{address} reason has {len(reason)} characters; at most {REASON_MAX_CHARS}")
    return reason


def round_scores(round_number: int) -> list[Score]:
    """The round's scores, best live logloss first (unscored last)."""
    query = select(Score).where(Score.round_number == round_number)
    return sorted(get_session().scalars(query), key=_score_order)


def scores_of_rounds(numbers: Iterable[int]) -> dict[int, list[Score]]:
    """The scores of every round in ``numbers`` (one query), by round, each as
    :func:`round_scores` orders it; a round without scores maps to ``[]``."""
    wanted = set(numbers)
    by_round: dict[int, list[Score]] = {number: [] for number in wanted}
    for score in get_session().scalars(select(Score).where(Score.round_number.in_(wanted))):
        by_round[score.round_number].append(score)
    return {number: sorted(scores, key=_score_order) for number, scores in by_round.items()}


def _score_order(score: Score) -> tuple:
    # Ties by the address as a number (its hex), not by its checksum's letter case.
    return (score.live_logloss is None, score.live_logloss if score.live_logloss is not None else 0.0,
            score.address.lower(), score.model_number or 0)  # fmt: skip


def user_scores(key: str) -> list[Score]:
    """Model ``key``'s scores over all rounds, newest round first."""
    address, number = split_key(key)
    query = (select(Score).where(Score.address == address, Score.model_number == number)
             .order_by(Score.round_number.desc()))  # fmt: skip
    return list(get_session().scalars(query))


def round_usd(score: Any) -> int:
    """USD paid to the participant this round (auction reward + rank prize), in USD units."""
    return (score.usd_reward or 0) + (score.prize_usd or 0)


def round_nmr(score: Any) -> int:
    """NMR paid to the participant this round (corr reward + rank prize), in wei; the
    returned stake is not counted."""
    return (score.nmr_reward or 0) + (score.prize_nmr or 0)


def net_nmr(score: Any) -> int:
    """NMR the round paid the participant minus what it burned of their stake, in wei."""
    return round_nmr(score) - (score.burn_wei or 0)


def career_totals(keys: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Per model key over all rounds: ``career_usd`` (sum of round USD, USD units) and
    ``career_nmr`` (sum of net NMR, wei). Models without scores are left out. (An
    expired round's rows hold what the chain paid, not the plan: the oracle rewrites them.)"""
    # Only the amounts: rows with the same attribute names serve round_usd and net_nmr.
    query = select(Score.address, Score.model_number, Score.usd_reward, Score.prize_usd, Score.nmr_reward,
                   Score.prize_nmr, Score.burn_wei)  # fmt: skip
    wanted = None
    if keys is not None:
        wanted = {key_of(*split_key(key)) for key in keys}
        query = query.where(Score.address.in_({split_key(key)[0] for key in wanted}))
    totals: dict[str, dict[str, int]] = {}
    for score in get_session().execute(query):
        key = key_of(score.address, score.model_number or 0)
        if wanted is not None and key not in wanted:
            continue
        career = totals.setdefault(key, {"career_usd": 0, "career_nmr": 0})
        career["career_usd"] += round_usd(score)
        career["career_nmr"] += net_nmr(score)
    return totals


def career_wei(keys: Iterable[str] | None = None) -> dict[str, int]:
    """Net NMR (rewards and prizes minus burns, in wei) per model key over all rounds."""
    return {key: career["career_nmr"] for key, career in career_totals(keys).items()}


def scored_rounds() -> list[int]:
    """Numbers of the rounds with scores (resolved by the oracle), newest first."""
    query = select(Score.round_number).distinct().order_by(Score.round_number.desc())
    return list(get_session().scalars(query))
