"""``build_plan``: a round's stakes, scores and pools -> its settlement plan, checked
against the escrow's bounds before it is returned."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping

from client.core.money.book import Book, Scores
from client.core.money.plan import Plan, plan_totals
from client.core.money.policies import POLICIES
from client.core.money.prizes import MAX_PRIZE_WINNERS, rank2017
from client.core.money.reasons import labeller, prize_eligible
from client.core.money.rules import CONSISTENCY_THRESHOLD
from client.core.money.stakes import ParticipantScore, Pools, Stake, is_uint
from client.core.money.units import USD_UNIT


def build_plan(
    policy: str,
    stakes: list[Stake],
    scores: Scores,
    pools: Pools,
    *,
    usd_unit: int = USD_UNIT,
    names: Mapping[str, str] | None = None,
    **params: float,
) -> Plan:
    """Settlement plan of a round under ``policy`` (``"auction2017"`` or ``"corr"``), with
    the ``rank2017`` prizes.

    ``stakes`` are the round's active stakes; ``scores`` maps participant -> score (None:
    not scored) in scoring order, earliest submission first; ``names`` gives display names
    for the reasons. ``params`` go to every rule that takes them: ``consistency_threshold``
    (auction and prizes), ``multiplier`` and ``cap`` (corr), ``top`` and ``exponent``
    (prizes). Raises ValueError for an unknown policy or parameter, a model listed twice,
    amounts that are not non-negative ints or a confidence of 0; TypeError for pools that
    are not :class:`Pools` or scores that are not :class:`ParticipantScore`.
    """
    try:
        stake_policy = POLICIES[policy]
    except KeyError:
        raise ValueError(f"unknown payout policy {policy!r}; choose one of {sorted(POLICIES)}") from None
    stake_params, prize_params = _split_params(policy, stake_policy, params)
    _check_inputs(stakes, scores, pools, usd_unit, names)
    ordered = sorted(stakes, key=lambda s: (s.order, s.model))  # the key only breaks equal orders
    book = Book(scores, labeller(names), usd_unit)
    judged = stake_policy(ordered, book, pools, **stake_params)
    nmr_left = pools.nmr - sum(outcome.nmr_reward for outcome, _ in judged)
    prizes, prize_reasons = rank2017(book, pools.usd_prize, nmr_left, **prize_params)

    reasons = {participant: prize_reasons[participant] for participant in scores}
    for outcome, line in judged:
        reasons[outcome.model] = line if line is not None else f"{outcome.reason}; {prize_reasons[outcome.model]}"
    plan = Plan([outcome for outcome, _ in judged], prizes, reasons)
    _check_bounds(plan, ordered, scores, pools, usd_unit)
    return plan


def controlling_capital(scores: Scores, consistency_threshold: float = CONSISTENCY_THRESHOLD) -> int:
    """The article's CONTROLLING CAPITAL: eligible participants with live logloss < ln 2."""
    return sum(1 for score in scores.values() if prize_eligible(score, consistency_threshold))


def _split_params(policy: str, stake_policy: Callable, params: Mapping[str, object]) -> tuple[dict, dict]:
    def keywords(function: Callable) -> set[str]:
        return {p.name for p in inspect.signature(function).parameters.values() if p.kind is p.KEYWORD_ONLY}

    stake_names, prize_names = keywords(stake_policy), keywords(rank2017)
    if unknown := set(params) - stake_names - prize_names:
        raise ValueError(
            f"policy {policy!r} takes no parameter(s) {sorted(unknown)}; it takes {sorted(stake_names | prize_names)}"
        )
    for name, value in params.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"parameter {name} must be a finite number, got {value!r}")
    if "consistency_threshold" in params and not 0 <= params["consistency_threshold"] <= 1:
        raise ValueError(f"consistency_threshold must be within [0, 1], got {params['consistency_threshold']!r}")
    return (
        {k: v for k, v in params.items() if k in stake_names},
        {k: v for k, v in params.items() if k in prize_names},
    )


def _check_inputs(
    stakes: list[Stake], scores: Scores, pools: Pools, usd_unit: int, names: Mapping[str, str] | None
) -> None:
    if not isinstance(pools, Pools):
        raise TypeError(f"pools must be Pools(usd_staking, usd_prize, nmr) in token units, got {pools!r}")
    if not is_uint(usd_unit) or usd_unit == 0:
        raise ValueError(f"usd_unit must be a positive int (the stablecoin's units per dollar), got {usd_unit!r}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must map participant -> display name, got {names!r}")
    if not isinstance(scores, Mapping):
        raise TypeError(f"scores must map participant -> ParticipantScore or None, got {type(scores).__name__}")
    for participant, score in scores.items():
        if score is not None and not isinstance(score, ParticipantScore):
            raise TypeError(f"score of {participant} must be a ParticipantScore or None, got {score!r}")
    seen = set()
    for stake in stakes:
        if not isinstance(stake, Stake) or not isinstance(stake.model, str) or not stake.model:
            raise TypeError(f"each stake must be a Stake with a model key, got {stake!r}")
        if stake.model in seen:
            raise ValueError(f"model {stake.model} has two stakes; the escrow keeps one per model per round")
        seen.add(stake.model)
        if not is_uint(stake.amount):
            raise ValueError(f"stake of {stake.model} must be a non-negative int in wei, got {stake.amount!r}")
        if not is_uint(stake.confidence) or stake.confidence < 1:
            raise ValueError(f"confidence of {stake.model} must be an int >= 1 (WAD), got {stake.confidence!r}")
        if not _is_int(stake.order):
            raise ValueError(f"order of {stake.model}'s stake must be an int, got {stake.order!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bounds(plan: Plan, stakes: list[Stake], scores: Scores, pools: Pools, usd_unit: int) -> None:
    """The escrow's bounds, asserted on every plan (explicit raises: they survive ``python -O``)."""

    def require(condition: bool, message: str) -> None:
        if not condition:
            raise AssertionError(f"payout plan breaks a bound: {message}")

    require([s.model for s in plan.stakes] == [s.model for s in stakes], "one outcome per stake, in stake order")
    for stake, outcome in zip(stakes, plan.stakes):
        amounts = (outcome.stake, outcome.burn, outcome.usd_reward, outcome.nmr_reward)
        require(all(type(v) is int and v >= 0 for v in amounts), f"{stake.model}: amounts are non-negative ints")
        require(outcome.stake == stake.amount and outcome.burn <= stake.amount, f"{stake.model}: burn <= stake")
        require(outcome.usd_reward <= stake.amount * usd_unit // stake.confidence, f"{stake.model}: usd <= bid")
        require(outcome.nmr_reward <= stake.amount, f"{stake.model}: nmr reward <= stake")
    winners = [p.participant for p in plan.prizes]
    require(len(winners) <= MAX_PRIZE_WINNERS and len(set(winners)) == len(winners), "at most 100 winners, each once")
    require(all(type(v) is int and v >= 0 for p in plan.prizes for v in (p.usd, p.nmr)), "prizes are non-negative ints")
    totals = plan_totals(plan)
    require(totals["usd_staking_paid"] <= pools.usd_staking, "USD staking pool exceeded")
    require(totals["usd_prize_paid"] <= pools.usd_prize, "USD prize pool exceeded")
    require(totals["nmr_paid"] <= pools.nmr, "NMR pool exceeded")
    require(set(plan.reasons) == set(scores) | {s.model for s in stakes}, "one reason per participant")
