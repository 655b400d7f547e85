"""Payout: a round's scores, stakes and pools -> a settlement plan (pure, integer units).

``build_plan(policy, stakes, scores, pools)`` returns a :class:`Plan`: one
:class:`StakeOutcome` per stake (``burn`` NMR destroyed, the rest of the stake returned,
``usd_reward`` from the USD staking pool, ``nmr_reward`` from the NMR pool), the
performance :class:`Prize` list (USD from the prize pool, NMR from the NMR pool), and one
line of reason per participant. NMR amounts are ints in wei (10**18 per NMR), USD amounts
ints in the stablecoin's units (``usd_unit`` per dollar, 10**6 by default). The escrow
enforces the same bounds that :func:`build_plan` asserts before returning. Worked
examples: docs/payout.md.

Stake policies:

- ``"auction2017"`` (default; the 2017 whitepaper, section 3.3). A stake is a bid: ``s``
  NMR at confidence ``c`` (WAD: 10**18 == 1.0 NMR per dollar) asks ``s / c`` dollars.
  Eligible stakes (original, concordant, consistency >= ``consistency_threshold``,
  finite live logloss) are ranked by confidence, highest first, ties to the earlier
  stake. Walking down while the USD staking pool lasts: live logloss < ln 2 -> stake back
  + ``min(bid, pool left)`` dollars; otherwise the whole stake is burned and nothing is
  taken from the pool. Once the pool is depleted nobody else earns or loses: stakes
  below, and ineligible stakes, come back with no prize.
- ``"corr"`` (modern Numerai). ``s * clip(multiplier * corr, -cap, +cap)``: negative ->
  that much of the stake burned; positive -> that much NMR from the NMR pool, only for
  original and concordant files, all scaled down together if the pool is short. The USD
  staking pool is not spent (it returns to the funder).

Prizes, under either policy (``"rank2017"``, the 2017 article's results table): the top
``top`` eligible participants with live logloss < ln 2, staked or not, by live logloss
(ties: earlier in scoring order); rank r gets ``pool * r**-exponent / S`` of the USD
prize pool and of the NMR the stakes left, ``S`` the sum of the weights of ranks 1..top.

A staker with no score (the stake's hash matched no accepted file) gets the stake back:
no reward, no burn, no prize.

Why one module past 350 lines: the policies, the prize ranking, the bounds they share
with the escrow, the reason lines they write and the plan's JSON form are one job, the
money of a round; split up, the reason wording and the amounts it describes would drift.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache

from app.scoring.metrics import beats_coin_flip

WAD = 10**18
NMR = 10**18
USD_UNIT = 10**6
DEFAULT_POLICY = "auction2017"
CONSISTENCY_THRESHOLD = 0.75
CORR_MULTIPLIER = 1.0
CORR_CAP = 0.25
PRIZE_TOP = 100
PRIZE_EXPONENT = 1.2
MAX_PRIZE_WINNERS = 100  # the escrow's MAX_PRIZE_WINNERS
NO_SCORE = "no scored file matches the committed hash"


@dataclass(frozen=True)
class Pools:
    """A round's three pools, funded in advance: USD units, USD units, NMR wei."""

    usd_staking: int
    usd_prize: int
    nmr: int

    def __post_init__(self) -> None:
        for name in ("usd_staking", "usd_prize", "nmr"):
            value = getattr(self, name)
            if not _is_uint(value):
                raise ValueError(f"the {name} pool must be a non-negative int in token units, got {value!r}")


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
class ParticipantScore:
    """The scores of the file a participant is judged on (app.scoring's summary row).

    ``similar_to`` is the participant whose earlier file made this one unoriginal.
    """

    live_logloss: float
    consistency: float
    original: bool
    concordant: bool
    corr: float
    similar_to: str | None = None


@dataclass(frozen=True)
class StakeOutcome:
    """Settlement of one stake: ``stake - burn`` NMR back, ``usd_reward`` and ``nmr_reward`` paid."""

    staker: str
    stake: int
    burn: int
    usd_reward: int
    nmr_reward: int
    reason: str


@dataclass(frozen=True)
class Prize:
    """A performance prize: ``usd`` from the USD prize pool, ``nmr`` from the NMR pool."""

    participant: str
    rank: int
    usd: int
    nmr: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """Stakes in stake order, prizes by rank, one reason line per participant."""

    stakes: list[StakeOutcome]
    prizes: list[Prize]
    reasons: dict[str, str]


Scores = Mapping[str, "ParticipantScore | None"]


@dataclass(frozen=True)
class _Round:
    """What every policy reads: the scores (scoring order), display names, the dollar unit."""

    scores: Scores
    label: Callable[[str], str]
    usd_unit: int

    def usd(self, units: int) -> str:
        return format_usd(units, self.usd_unit)


# A policy's answer per stake: the outcome, and the whole reason line when the stake's own
# reason already says why there is no prize (None: the prize's reason is appended).
_Judged = tuple[StakeOutcome, "str | None"]


def build_plan(
    policy: str,
    stakes: list[StakeEntry],
    scores: Scores,
    pools: Pools,
    *,
    usd_unit: int = USD_UNIT,
    names: Mapping[str, str] | None = None,
    **params: float,
) -> Plan:
    """Settlement plan of a round under ``policy`` (``"auction2017"`` or ``"corr"``), with
    the ``rank2017`` prizes.

    ``scores`` maps participant -> score (None: not scored) in scoring order, earliest
    submission first; ``names`` gives display names for the reasons. ``params`` go to
    every rule that takes them: ``consistency_threshold`` (auction and prizes),
    ``multiplier`` and ``cap`` (corr), ``top`` and ``exponent`` (prizes). Raises
    ValueError for an unknown policy or parameter, a staker listed twice, amounts that
    are not non-negative ints or a confidence of 0; TypeError for pools that are not
    :class:`Pools` or scores that are not :class:`ParticipantScore`. The plan is checked
    against the escrow's bounds before it is returned.
    """
    try:
        stake_policy = POLICIES[policy]
    except KeyError:
        raise ValueError(f"unknown payout policy {policy!r}; choose one of {sorted(POLICIES)}") from None
    stake_params, prize_params = _split_params(policy, stake_policy, params)
    _check_inputs(stakes, scores, pools, usd_unit, names)
    ordered = sorted(stakes, key=lambda s: (s.order, s.staker))  # staker only breaks equal orders
    book = _Round(scores, _labeller(names), usd_unit)
    judged = stake_policy(ordered, book, pools, **stake_params)
    nmr_left = pools.nmr - sum(outcome.nmr_reward for outcome, _ in judged)
    prizes, prize_reasons = rank2017(book, pools.usd_prize, nmr_left, **prize_params)

    reasons = {participant: prize_reasons[participant] for participant in scores}
    for outcome, line in judged:
        reasons[outcome.staker] = line if line is not None else f"{outcome.reason}; {prize_reasons[outcome.staker]}"
    plan = Plan([outcome for outcome, _ in judged], prizes, reasons)
    _check_bounds(plan, ordered, scores, pools, usd_unit)
    return plan


def auction2017(
    stakes: list[StakeEntry],
    book: _Round,
    pools: Pools,
    *,
    consistency_threshold: float = CONSISTENCY_THRESHOLD,
) -> list[_Judged]:
    """The whitepaper's confidence auction paid in USD (module docstring); ``stakes`` in order."""
    judged: dict[str, _Judged] = {}
    eligible = []
    for stake in stakes:
        score = book.scores.get(stake.staker)
        if score is None:
            judged[stake.staker] = _unscored(stake)
        elif causes := _causes(score, consistency_threshold, book.label):
            reason = f"{'; '.join(causes)}; stake back"
            judged[stake.staker] = (_outcome(stake, reason), f"{reason}, no prize")
        else:
            eligible.append(stake)
    left = pools.usd_staking
    for stake in sorted(eligible, key=lambda s: (-s.confidence, s.order, s.staker)):
        logloss = book.scores[stake.staker].live_logloss
        if pools.usd_staking == 0:
            judged[stake.staker] = (_outcome(stake, "no USD staking pool this round: stake back"), None)
        elif left == 0:
            judged[stake.staker] = (_outcome(stake, "below the pool cut: stake back"), None)
        elif bool(beats_coin_flip(logloss)):
            bid = stake.amount * book.usd_unit // stake.confidence
            reward = min(bid, left)
            left -= reward
            reason = f"in the money: stake back + {book.usd(reward)}"
            if reward < bid:
                reason += f" (bid {book.usd(bid)}, pool exhausted)"
            judged[stake.staker] = (_outcome(stake, reason, usd_reward=reward), None)
        else:
            reason = f"burned: live logloss {logloss:.4f} >= ln 2"
            judged[stake.staker] = (_outcome(stake, reason, burn=stake.amount), f"{reason}; no prize")
    return [judged[s.staker] for s in stakes]


def corr_policy(
    stakes: list[StakeEntry],
    book: _Round,
    pools: Pools,
    *,
    multiplier: float = CORR_MULTIPLIER,
    cap: float = CORR_CAP,
) -> list[_Judged]:
    """``s * clip(multiplier * corr, -cap, cap)``, NMR rewards scaled into the NMR pool."""
    if not (math.isfinite(cap) and 0 <= cap <= 1) or not math.isfinite(multiplier):
        raise ValueError(f"corr needs a cap within [0, 1] and a finite multiplier, got cap={cap!r}, multiplier={multiplier!r}")
    judged: dict[str, _Judged] = {}
    claims: dict[str, int] = {}
    for stake in stakes:
        score = book.scores.get(stake.staker)
        if score is None:
            judged[stake.staker] = _unscored(stake)
            continue
        if not math.isfinite(score.corr):
            judged[stake.staker] = (_outcome(stake, "corr undefined: stake back"), None)
            continue
        factor = min(max(_exact(multiplier) * _exact(score.corr), -_exact(cap)), _exact(cap))
        amount = math.floor(stake.amount * abs(factor))  # <= cap * s <= s
        shown = f"corr {score.corr:.4f}"
        if factor < 0:
            reason = f"{shown}: {format_nmr(amount)} NMR burned, {format_nmr(stake.amount - amount)} NMR back"
            judged[stake.staker] = (_outcome(stake, reason, burn=amount), None)
        elif factor == 0:
            judged[stake.staker] = (_outcome(stake, f"{shown}: stake back"), None)
        elif causes := _quality_causes(score, book.label):
            reason = f"{'; '.join(causes)}; {shown}: stake back, no reward"
            judged[stake.staker] = (_outcome(stake, reason), f"{reason}, no prize")
        else:
            claims[stake.staker] = amount
    total = sum(claims.values())
    by_staker = {s.staker: s for s in stakes}
    for staker, claim in claims.items():
        stake = by_staker[staker]
        paid = claim * pools.nmr // total if total > pools.nmr else claim
        reason = f"corr {book.scores[staker].corr:.4f}: stake back + {format_nmr(paid)} NMR"
        if paid < claim:
            reason += f" (scaled from {format_nmr(claim)} NMR to fit the NMR pool)"
        judged[staker] = (_outcome(stake, reason, nmr_reward=paid), None)
    return [judged[s.staker] for s in stakes]


POLICIES = {"auction2017": auction2017, "corr": corr_policy}


def rank2017(
    book: _Round,
    usd_pool: int,
    nmr_pool: int,
    *,
    top: int = PRIZE_TOP,
    exponent: float = PRIZE_EXPONENT,
    consistency_threshold: float = CONSISTENCY_THRESHOLD,
) -> tuple[list[Prize], dict[str, str]]:
    """Performance prizes by live logloss rank, and the prize reason of every participant."""
    if not (isinstance(top, int) and not isinstance(top, bool) and 1 <= top <= MAX_PRIZE_WINNERS):
        raise ValueError(f"top must be an int from 1 to {MAX_PRIZE_WINNERS} (the escrow's limit), got {top!r}")
    shares = prize_shares(top, exponent)
    position = {participant: i for i, participant in enumerate(book.scores)}
    ranked = sorted(
        (p for p, s in book.scores.items() if _prize_eligible(s, consistency_threshold)),
        key=lambda p: (book.scores[p].live_logloss, position[p]),
    )
    prizes, reasons = [], {}
    for rank, participant in enumerate(ranked, start=1):
        head = f"rank {rank} of {len(ranked)}"
        if rank > top:
            reasons[participant] = f"{head}: outside the top {top}"
            continue
        share = shares[rank - 1]
        usd = usd_pool * share.numerator // share.denominator
        nmr = nmr_pool * share.numerator // share.denominator
        parts = ([book.usd(usd)] if usd_pool else []) + ([f"{format_nmr(nmr)} NMR"] if nmr_pool else [])
        reasons[participant] = f"{head}: {' + '.join(parts) or 'no prize pool'}"
        if usd or nmr:
            prizes.append(Prize(participant, rank, usd, nmr, reasons[participant]))
    for participant, score in book.scores.items():
        if participant in reasons:
            continue
        if score is None:
            reasons[participant] = "not scored; no prize"
        elif causes := _causes(score, consistency_threshold, book.label):
            reasons[participant] = f"{'; '.join(causes)}; no prize"
        else:
            reasons[participant] = f"live logloss {score.live_logloss:.4f} >= ln 2: no prize"
    return prizes, reasons


def prize_shares(top: int = PRIZE_TOP, exponent: float = PRIZE_EXPONENT) -> tuple[Fraction, ...]:
    """Share of a pool for ranks 1..top: ``r**-exponent / S``, exact fractions summing to <= 1.

    ``r**-exponent`` is ``exp(-exponent * ln r)`` in 60-digit decimal arithmetic (correctly
    rounded, the same on every machine), so the oracle and a verifier get the same amounts.
    """
    if not (math.isfinite(exponent) and exponent >= 0):
        raise ValueError(f"exponent must be a finite number >= 0, got {exponent!r}")
    return _prize_shares(top, repr(float(exponent)))


@lru_cache(maxsize=16)
def _prize_shares(top: int, exponent: str) -> tuple[Fraction, ...]:
    context = Context(prec=60)
    minus_exponent = -Decimal(exponent)
    weights = [Fraction(context.exp(context.multiply(minus_exponent, context.ln(Decimal(r))))) for r in range(1, top + 1)]
    total = sum(weights)
    return tuple(weight / total for weight in weights)


def plan_totals(plan: Plan) -> dict[str, int]:
    """Sums of a plan, ints: NMR in wei, USD in units; ``returned + burned == staked``."""
    staked = sum(s.stake for s in plan.stakes)
    burned = sum(s.burn for s in plan.stakes)
    usd_staking_paid = sum(s.usd_reward for s in plan.stakes)
    usd_prize_paid = sum(p.usd for p in plan.prizes)
    return {
        "staked": staked,
        "burned": burned,
        "returned": staked - burned,
        "usd_staking_paid": usd_staking_paid,
        "usd_prize_paid": usd_prize_paid,
        "usd_paid": usd_staking_paid + usd_prize_paid,
        "nmr_paid": sum(s.nmr_reward for s in plan.stakes) + sum(p.nmr for p in plan.prizes),
        "prize_winners": len(plan.prizes),
    }


def controlling_capital(scores: Scores, consistency_threshold: float = CONSISTENCY_THRESHOLD) -> int:
    """The article's CONTROLLING CAPITAL: eligible participants with live logloss < ln 2."""
    return sum(1 for score in scores.values() if _prize_eligible(score, consistency_threshold))


# ---- reasons and money ---------------------------------------------------------------------


def format_usd(units: int, usd_unit: int = USD_UNIT) -> str:
    """Dollars to the nearest cent (half up; display only, amounts stay exact), cents shown
    only when there are some: ``$500``, ``$1,267.58``; 999.999127 dollars read ``$1,000``."""
    sign, units = ("-", -units) if units < 0 else ("", units)
    dollars, cents = divmod((units * 200 // usd_unit + 1) // 2, 100)
    return f"{sign}${dollars:,}" + (f".{cents:02d}" if cents else "")


def format_nmr(wei: int) -> str:
    """NMR to 2 decimals (nearest, half up; display only) with thousands separators:
    ``1,070.32`` (no unit)."""
    sign, wei = ("-", -wei) if wei < 0 else ("", wei)
    whole, hundredths = divmod((wei // (NMR // 200) + 1) // 2, 100)
    return f"{sign}{whole:,}.{hundredths:02d}"


def short_name(participant: str) -> str:
    """An address as ``0x1234…abcd``; any other key unchanged."""
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", participant):
        return f"{participant[:6]}…{participant[-4:]}"
    return participant


def _labeller(names: Mapping[str, str] | None) -> Callable[[str], str]:
    names = names or {}
    return lambda participant: names.get(participant) or short_name(participant)


def _quality_causes(score: ParticipantScore, label: Callable[[str], str]) -> list[str]:
    causes = []
    if not score.original:
        causes.append(f"not original: like {label(score.similar_to)}" if score.similar_to else "not original")
    if not score.concordant:
        causes.append("not concordant")
    return causes


def _causes(score: ParticipantScore, consistency_threshold: float, label: Callable[[str], str]) -> list[str]:
    """Why a score is not eligible (empty when it is)."""
    causes = _quality_causes(score, label)
    if not math.isfinite(score.consistency):
        causes.append("no consistency")
    elif not score.consistency >= consistency_threshold:
        causes.append(f"consistency {_percent(score.consistency)} < {_percent(consistency_threshold)}")
    if not math.isfinite(score.live_logloss):
        causes.append("no live logloss")
    return causes


def _prize_eligible(score: ParticipantScore | None, consistency_threshold: float) -> bool:
    return (
        score is not None
        and not _causes(score, consistency_threshold, short_name)
        and bool(beats_coin_flip(score.live_logloss))
    )


def _percent(share: float) -> str:
    """``0.58333`` -> ``58.33%``, cut to 2 decimals of a percent, trailing zeros dropped."""
    hundredths = math.floor(_exact(share) * 10_000)
    whole, frac = divmod(hundredths, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


def _unscored(stake: StakeEntry) -> _Judged:
    reason = f"{NO_SCORE}: stake back"
    return _outcome(stake, reason), f"{reason}, no prize"


def _outcome(stake: StakeEntry, reason: str, *, burn: int = 0, usd_reward: int = 0, nmr_reward: int = 0) -> StakeOutcome:
    return StakeOutcome(stake.staker, stake.amount, burn, usd_reward, nmr_reward, reason)


def _exact(value: float) -> Fraction:
    """The float's shortest decimal form as an exact fraction: 2.0 * 0.05 pays exactly 10%."""
    return Fraction(repr(float(value)))


# ---- checks --------------------------------------------------------------------------------


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
    stakes: list[StakeEntry], scores: Scores, pools: Pools, usd_unit: int, names: Mapping[str, str] | None
) -> None:
    if not isinstance(pools, Pools):
        raise TypeError(f"pools must be Pools(usd_staking, usd_prize, nmr) in token units, got {pools!r}")
    if not _is_uint(usd_unit) or usd_unit == 0:
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
        if not isinstance(stake, StakeEntry) or not isinstance(stake.staker, str) or not stake.staker:
            raise TypeError(f"each stake must be a StakeEntry with a staker address, got {stake!r}")
        if stake.staker in seen:
            raise ValueError(f"staker {stake.staker} has two stakes; the escrow keeps one per staker per round")
        seen.add(stake.staker)
        if not _is_uint(stake.amount):
            raise ValueError(f"stake of {stake.staker} must be a non-negative int in wei, got {stake.amount!r}")
        if not _is_uint(stake.confidence) or stake.confidence < 1:
            raise ValueError(f"confidence of {stake.staker} must be an int >= 1 (WAD), got {stake.confidence!r}")
        if not _is_int(stake.order):
            raise ValueError(f"order of {stake.staker}'s stake must be an int, got {stake.order!r}")


def _check_bounds(plan: Plan, stakes: list[StakeEntry], scores: Scores, pools: Pools, usd_unit: int) -> None:
    """The escrow's bounds, asserted on every plan (explicit raises: they survive ``python -O``)."""

    def require(condition: bool, message: str) -> None:
        if not condition:
            raise AssertionError(f"payout plan breaks a bound: {message}")

    require([s.staker for s in plan.stakes] == [s.staker for s in stakes], "one outcome per stake, in stake order")
    for stake, outcome in zip(stakes, plan.stakes):
        amounts = (outcome.stake, outcome.burn, outcome.usd_reward, outcome.nmr_reward)
        require(all(type(v) is int and v >= 0 for v in amounts), f"{stake.staker}: amounts are non-negative ints")
        require(outcome.stake == stake.amount and outcome.burn <= stake.amount, f"{stake.staker}: burn <= stake")
        require(outcome.usd_reward <= stake.amount * usd_unit // stake.confidence, f"{stake.staker}: usd <= bid")
        require(outcome.nmr_reward <= stake.amount, f"{stake.staker}: nmr reward <= stake")
    winners = [p.participant for p in plan.prizes]
    require(len(winners) <= MAX_PRIZE_WINNERS and len(set(winners)) == len(winners), "at most 100 winners, each once")
    require(all(type(v) is int and v >= 0 for p in plan.prizes for v in (p.usd, p.nmr)), "prizes are non-negative ints")
    totals = plan_totals(plan)
    require(totals["usd_staking_paid"] <= pools.usd_staking, "USD staking pool exceeded")
    require(totals["usd_prize_paid"] <= pools.usd_prize, "USD prize pool exceeded")
    require(totals["nmr_paid"] <= pools.nmr, "NMR pool exceeded")
    require(set(plan.reasons) == set(scores) | {s.staker for s in stakes}, "one reason per participant")


# ---- JSON ----------------------------------------------------------------------------------


def plan_to_json(plan: Plan) -> dict[str, object]:
    """JSON-ready plan: amounts as decimal strings, so JavaScript never rounds them."""
    return {
        "stakes": [
            {"staker": s.staker, "stake": str(s.stake), "burn": str(s.burn), "usd_reward": str(s.usd_reward),
             "nmr_reward": str(s.nmr_reward), "reason": s.reason}
            for s in plan.stakes
        ],
        "prizes": [
            {"participant": p.participant, "rank": p.rank, "usd": str(p.usd), "nmr": str(p.nmr), "reason": p.reason}
            for p in plan.prizes
        ],
        "reasons": dict(plan.reasons),
    }


def plan_from_json(obj: Mapping[str, object]) -> Plan:
    """Inverse of :func:`plan_to_json` (other keys of ``obj`` are ignored; amounts may also
    be ints). Raises ValueError, saying what is wrong, for anything malformed."""
    if not isinstance(obj, Mapping):  # a malformed document is a ValueError, as in json
        raise ValueError(f"a plan is a JSON object with stakes, prizes and reasons, not {type(obj).__name__}")  # noqa: TRY004
    stakes = [
        StakeOutcome(
            staker=_text(item, "staker", where),
            stake=_amount(item, "stake", where),
            burn=_amount(item, "burn", where),
            usd_reward=_amount(item, "usd_reward", where),
            nmr_reward=_amount(item, "nmr_reward", where),
            reason=_text(item, "reason", where),
        )
        for where, item in _items(obj, "stakes")
    ]
    prizes = []
    for where, item in _items(obj, "prizes"):
        rank = item.get("rank")
        if not _is_uint(rank) or rank < 1:
            raise ValueError(f"{where}: rank must be a positive integer, got {rank!r}")
        prizes.append(Prize(_text(item, "participant", where), rank, _amount(item, "usd", where),
                            _amount(item, "nmr", where), _text(item, "reason", where)))
    reasons = obj.get("reasons")
    if not isinstance(reasons, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in reasons.items()):
        raise ValueError("plan: reasons must map each participant to a line of text")
    return Plan(stakes, prizes, dict(reasons))


def _items(obj: Mapping[str, object], key: str) -> list[tuple[str, Mapping[str, object]]]:
    items = obj.get(key)
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ValueError(f"plan: {key} must be a list of objects, got {items!r:.80}")
    return [(f"plan {key}[{i}]", item) for i, item in enumerate(items)]


def _text(item: Mapping[str, object], key: str, where: str) -> str:
    value = item.get(key)
    if isinstance(value, str):
        return value
    raise ValueError(f"{where}: {key} must be a string, got {value!r:.80}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_uint(value: object) -> bool:
    return _is_int(value) and value >= 0


def _amount(item: Mapping[str, object], key: str, where: str) -> int:
    value = item.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if _is_uint(value):
        return value
    raise ValueError(f"{where}: {key} must be a non-negative integer (a decimal string), got {value!r:.80}")
