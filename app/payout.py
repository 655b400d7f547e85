"""Payout policies: scores + on-chain stakes -> a settlement plan (pure, integer wei).

``build_plan(policy, stakes, scores, budget, **params)`` returns one :class:`PlanEntry`
per stake, in ``order`` (earliest stake first), with ``burn <= stake`` and
``sum(reward) <= budget``; every amount is an int in wei. The escrow returns
``stake - burn`` and pays ``reward`` from the round budget. docs/payout.md has worked
examples.

Policies:

- ``"auction2017"`` (default; Numerai's 2017 whitepaper). A stake is a bid of ``s`` NMR
  at confidence ``c`` (WAD, 10**18 = 1.0) for a prize of ``s / c`` from the round pool
  (the budget): ``s * 10**18 // c`` wei. Eligible stakes (original, concordant,
  consistency >= ``consistency_threshold``, default 0.75) are ranked by confidence,
  highest first, ties to the earlier stake. Walking down the ranking, each stake claims
  its prize from the pool, whatever its outcome (the auction allocates the pool before
  the results are known): live logloss < ln 2 -> stake back + the prize; otherwise the
  stake is burned. The stake at which the pool runs out is filled partly: it claims
  what is left of the pool, and the part of its stake that buys it
  (``ceil(left * c / 10**18)``) is what it can lose. Stakes below that point, and
  ineligible stakes, get their stake back and no reward. Prizes claimed by losing
  stakes stay in the budget and return to the treasury when the round is finalized.
- ``"corr"``. ``payout = s * clip(multiplier * corr, -cap, +cap)`` (defaults 1.0 and
  0.25). Negative -> that much of the stake is burned; positive -> a reward, only for
  original and concordant submissions; if the rewards exceed the budget they are all
  scaled down by ``budget / total`` (rounded down). Floats are taken at their printed
  decimal value (``0.05`` is exactly 1/20) and amounts rounded toward zero.

A stake whose staker has no score (``scores[staker]`` is None or missing: the stake's
hash matched no accepted prediction file) is returned in full, with no reward and no
burn, under every policy.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from app.scoring.metrics import beats_coin_flip

WAD = 10**18
DEFAULT_POLICY = "auction2017"
AUCTION_CONSISTENCY_THRESHOLD = 0.75
CORR_MULTIPLIER = 1.0
CORR_CAP = 0.25


@dataclass(frozen=True)
class StakeEntry:
    """One on-chain stake, as read from the chain.

    ``amount`` in wei, ``confidence`` in WAD (a uint64 on chain: 1 .. 2**64 - 1),
    ``order`` smaller for earlier stakes (block number * 10**6 + log index).
    """

    staker: str
    amount: int
    confidence: int
    order: int


@dataclass(frozen=True)
class StakerScore:
    """The scores of the prediction file a stake committed to."""

    live_logloss: float
    consistency: float
    original: bool
    concordant: bool
    corr: float


@dataclass(frozen=True)
class PlanEntry:
    """Settlement of one stake: ``stake - burn`` returned, ``reward`` paid from the budget."""

    staker: str
    stake: int
    burn: int
    reward: int


Scores = Mapping[str, "StakerScore | None"]


def build_plan(policy: str, stakes: list[StakeEntry], scores: Scores, budget: int, **params: float) -> list[PlanEntry]:
    """Settlement plan for a round under ``policy`` (``"auction2017"`` or ``"corr"``).

    Raises ValueError for an unknown policy, unknown parameters, a staker listed twice,
    or amounts that are not non-negative ints (confidence must be >= 1).
    """
    try:
        policy_function = POLICIES[policy]
    except KeyError:
        raise ValueError(f"unknown payout policy {policy!r}; choose one of {sorted(POLICIES)}") from None
    allowed = {p.name for p in inspect.signature(policy_function).parameters.values() if p.kind is p.KEYWORD_ONLY}
    if unknown := set(params) - allowed:
        raise ValueError(f"policy {policy!r} takes no parameter(s) {sorted(unknown)}; it takes {sorted(allowed)}")
    _check_inputs(stakes, budget)
    ordered = sorted(stakes, key=lambda s: (s.order, s.staker))  # staker only breaks equal orders
    plan = policy_function(ordered, scores, budget, **params)
    assert sum(e.reward for e in plan) <= budget and all(0 <= e.burn <= e.stake for e in plan)
    return plan


def auction2017(
    stakes: list[StakeEntry],
    scores: Scores,
    budget: int,
    *,
    consistency_threshold: float = AUCTION_CONSISTENCY_THRESHOLD,
) -> list[PlanEntry]:
    """The 2017 confidence auction (see the module docstring); ``stakes`` in order."""
    outcome = {s.staker: (0, 0) for s in stakes}  # staker -> (burn, reward)
    eligible = [s for s in stakes if _eligible(scores.get(s.staker), consistency_threshold)]
    pool = budget
    for stake in sorted(eligible, key=lambda s: (-s.confidence, s.order, s.staker)):
        if pool == 0:
            break
        prize = stake.amount * WAD // stake.confidence
        at_risk = stake.amount
        if prize > pool:  # the marginal stake: it bids for what is left
            prize = pool
            at_risk = min(stake.amount, -(-pool * stake.confidence // WAD))
        pool -= prize
        won = bool(beats_coin_flip(scores[stake.staker].live_logloss))
        outcome[stake.staker] = (0, prize) if won else (at_risk, 0)
    return [PlanEntry(s.staker, s.amount, *outcome[s.staker]) for s in stakes]


def corr_policy(
    stakes: list[StakeEntry],
    scores: Scores,
    budget: int,
    *,
    multiplier: float = CORR_MULTIPLIER,
    cap: float = CORR_CAP,
) -> list[PlanEntry]:
    """``s * clip(multiplier * corr, -cap, cap)``, rewards scaled into the budget."""
    if not 0 <= cap <= 1 or not math.isfinite(multiplier):
        raise ValueError("cap must be within [0, 1] and multiplier finite")
    burns, rewards = {}, {}
    for stake in stakes:
        score = scores.get(stake.staker)
        if score is None or not math.isfinite(score.corr):
            continue
        factor = min(max(_decimal(multiplier) * _decimal(score.corr), -_decimal(cap)), _decimal(cap))
        amount = math.floor(stake.amount * abs(factor))
        if factor < 0:
            burns[stake.staker] = amount
        elif score.original and score.concordant:
            rewards[stake.staker] = amount
    total = sum(rewards.values())
    if total > budget:
        rewards = {staker: reward * budget // total for staker, reward in rewards.items()}
    return [PlanEntry(s.staker, s.amount, burns.get(s.staker, 0), rewards.get(s.staker, 0)) for s in stakes]


POLICIES = {"auction2017": auction2017, "corr": corr_policy}


def plan_totals(plan: Iterable[PlanEntry]) -> dict[str, int]:
    """``staked, burned, returned, rewarded`` in wei; ``returned + burned == staked``."""
    entries = list(plan)
    staked = sum(e.stake for e in entries)
    burned = sum(e.burn for e in entries)
    return {"staked": staked, "burned": burned, "returned": staked - burned, "rewarded": sum(e.reward for e in entries)}


def plan_to_json(plan: Iterable[PlanEntry]) -> list[dict[str, str]]:
    """JSON-ready plan: amounts as decimal strings, so JavaScript never rounds them."""
    return [{"staker": e.staker, "stake": str(e.stake), "burn": str(e.burn), "reward": str(e.reward)} for e in plan]


def plan_from_json(obj: Iterable[Mapping[str, object]]) -> list[PlanEntry]:
    """Inverse of :func:`plan_to_json` (also accepts ints); rejects malformed amounts."""
    return [
        PlanEntry(
            staker=str(item["staker"]),
            stake=_amount(item["stake"], "stake"),
            burn=_amount(item["burn"], "burn"),
            reward=_amount(item["reward"], "reward"),
        )
        for item in obj
    ]


def _decimal(value: float) -> Fraction:
    """The float's shortest decimal form as an exact fraction: 2.0 * 0.05 pays exactly 10%."""
    return Fraction(repr(float(value)))


def _eligible(score: StakerScore | None, consistency_threshold: float) -> bool:
    return (
        score is not None
        and score.original
        and score.concordant
        and score.consistency >= consistency_threshold
        and math.isfinite(score.live_logloss)
    )


def _check_inputs(stakes: list[StakeEntry], budget: int) -> None:
    if not _is_uint(budget):
        raise ValueError(f"budget must be a non-negative int in wei, got {budget!r}")
    seen = set()
    for stake in stakes:
        if stake.staker in seen:
            raise ValueError(f"staker {stake.staker} has two stakes; the escrow keeps one per staker per round")
        seen.add(stake.staker)
        if not _is_uint(stake.amount):
            raise ValueError(f"stake of {stake.staker} must be a non-negative int in wei, got {stake.amount!r}")
        if not _is_uint(stake.confidence) or stake.confidence < 1:
            raise ValueError(f"confidence of {stake.staker} must be an int >= 1 (WAD), got {stake.confidence!r}")


def _is_uint(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _amount(value: object, name: str) -> int:
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    if _is_uint(value):
        return value
    raise ValueError(f"{name} must be a non-negative integer (decimal string), got {value!r}")
