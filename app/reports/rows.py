"""One participant's row of a round as every report shows it, and the helpers the
reports share: a model's key fields, competition ranks, the round's chain totals.

Every amount is typed (:class:`client.core.money.units.NmrAmount` in wei,
:class:`~client.core.money.units.UsdAmount` in USD units), so the JSON form knows it
by its type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.models import Round, Score
from app.store import net_nmr, round_nmr, round_usd, split_key
from client.core.money import rules
from client.core.money.units import NmrAmount, UsdAmount

# The chain's totals of an ended round (the report's key -> the round's column, its token).
CHAIN_TOTALS = {
    "usd_paid": ("paid_usd", UsdAmount), "nmr_paid": ("paid_nmr", NmrAmount), "burned": ("burned_nmr", NmrAmount),
    "usd_returned": ("returned_usd", UsdAmount), "nmr_returned": ("returned_nmr", NmrAmount),
}  # fmt: skip


def score_view(s: Score) -> dict[str, Any]:
    """A score as pages, the API and the published scores show it: the metrics, the
    stake, every amount the round paid or burned, and ``round_usd`` (auction reward +
    prize), ``round_nmr`` (corr reward + prize), ``burned`` and ``net_nmr`` (round NMR -
    burned). The per-era series is not included."""
    return {
        "live_logloss": s.live_logloss,
        "validation_logloss": s.validation_logloss,
        "consistency": s.consistency,
        "originality": s.originality,
        "concordance": s.concordance,
        "corr": s.corr,
        "mmc": s.mmc,
        "fnc": s.fnc,
        "stake_wei": NmrAmount(s.stake_wei or 0),
        "confidence": s.confidence,
        "burn_wei": NmrAmount(s.burn_wei or 0),
        "usd_reward": UsdAmount(s.usd_reward or 0),
        "nmr_reward": NmrAmount(s.nmr_reward or 0),
        "prize_rank": s.prize_rank,
        "prize_usd": UsdAmount(s.prize_usd or 0),
        "prize_nmr": NmrAmount(s.prize_nmr or 0),
        "reason": s.reason,
        "round_usd": UsdAmount(round_usd(s)),
        "round_nmr": NmrAmount(round_nmr(s)),
        "burned": NmrAmount(s.burn_wei or 0),
        "net_nmr": NmrAmount(net_nmr(s)),
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
    """The round's totals as the oracle read them from the chain when it ended, or None
    before that."""
    if row.paid_usd is None:
        return None
    return {key: amount(getattr(row, column) or 0) for key, (column, amount) in CHAIN_TOTALS.items()}
