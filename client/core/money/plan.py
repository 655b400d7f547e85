"""A settlement plan and its JSON form (plan.json, the API's plan): amounts as decimal
strings, so JavaScript never rounds them; reading one back checks every field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from client.core.money.stakes import is_uint


@dataclass(frozen=True)
class StakeOutcome:
    """Settlement of one stake: ``stake - burn`` NMR back, ``usd_reward`` and ``nmr_reward``
    paid. ``release``: what it keeps goes to the wallet even if the position rolls (no file
    of the model was scored)."""

    model: str
    stake: int
    burn: int
    usd_reward: int
    nmr_reward: int
    reason: str
    release: bool = False


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


def plan_to_json(plan: Plan) -> dict[str, object]:
    """JSON-ready plan: amounts as decimal strings."""
    return {
        "stakes": [
            {"model": s.model, "stake": str(s.stake), "burn": str(s.burn), "usd_reward": str(s.usd_reward),
             "nmr_reward": str(s.nmr_reward), "reason": s.reason, "release": s.release}
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
            model=_text(item, "model", where),
            stake=_amount(item, "stake", where),
            burn=_amount(item, "burn", where),
            usd_reward=_amount(item, "usd_reward", where),
            nmr_reward=_amount(item, "nmr_reward", where),
            reason=_text(item, "reason", where),
            release=_flag(item, "release", where),
        )
        for where, item in _items(obj, "stakes")
    ]
    prizes = []
    for where, item in _items(obj, "prizes"):
        rank = item.get("rank")
        if not is_uint(rank) or rank < 1:
            raise ValueError(f"{where}: rank must be a positive integer, got {rank!r}")
        prizes.append(Prize(_text(item, "participant", where), rank, _amount(item, "usd", where),
                            _amount(item, "nmr", where), _text(item, "reason", where)))
    reasons = obj.get("reasons")
    if not isinstance(reasons, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in reasons.items()):
        raise ValueError("plan: reasons must map each participant to a line of text")
    return Plan(stakes, prizes, dict(reasons))


def _flag(item: Mapping[str, object], key: str, where: str) -> bool:
    """An optional true/false field (plans written before it existed leave it out: false)."""
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {key} must be true or false, got {value!r:.40}")  # noqa: TRY004 - a malformed plan is a ValueError, as in json
    return value


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


def _amount(item: Mapping[str, object], key: str, where: str) -> int:
    value = item.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if is_uint(value):
        return value
    raise ValueError(f"{where}: {key} must be a non-negative integer (a decimal string), got {value!r:.80}")
