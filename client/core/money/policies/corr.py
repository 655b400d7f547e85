"""Modern Numerai's policy: ``s * clip(multiplier * corr, -cap, +cap)``.

Negative -> that much of the stake burned; positive -> that much NMR from the NMR pool,
only for original and concordant files, all scaled down together if the pool is short.
The USD staking pool is not spent (it returns to the funder).
"""

from __future__ import annotations

import math

from client.core.money.book import Book, Judged, outcome, unscored
from client.core.money.reasons import quality_causes
from client.core.money.stakes import Pools, Stake
from client.core.money.units import exact, format_nmr

CORR_MULTIPLIER = 1.0
CORR_CAP = 0.25


def corr_policy(
    stakes: list[Stake],
    book: Book,
    pools: Pools,
    *,
    multiplier: float = CORR_MULTIPLIER,
    cap: float = CORR_CAP,
) -> list[Judged]:
    """Every stake's burn or NMR reward (``stakes`` in stake order)."""
    if not (math.isfinite(cap) and 0 <= cap <= 1) or not math.isfinite(multiplier):
        raise ValueError(f"corr needs a cap within [0, 1] and a finite multiplier, got cap={cap!r}, multiplier={multiplier!r}")
    judged: dict[str, Judged] = {}
    claims: dict[str, int] = {}
    for stake in stakes:
        score = book.scores.get(stake.model)
        if score is None:
            judged[stake.model] = unscored(stake)
            continue
        if not math.isfinite(score.corr):
            judged[stake.model] = (outcome(stake, "corr undefined: stake back"), None)
            continue
        factor = min(max(exact(multiplier) * exact(score.corr), -exact(cap)), exact(cap))
        amount = math.floor(stake.amount * abs(factor))  # <= cap * s <= s
        shown = f"corr {score.corr:.4f}"
        if factor < 0:
            reason = f"{shown}: {format_nmr(amount)} NMR burned, {format_nmr(stake.amount - amount)} NMR back"
            judged[stake.model] = (outcome(stake, reason, burn=amount), None)
        elif factor == 0:
            judged[stake.model] = (outcome(stake, f"{shown}: stake back"), None)
        elif found := quality_causes(score, book.label):
            reason = f"{'; '.join(found)}; {shown}: stake back, no reward"
            judged[stake.model] = (outcome(stake, reason), f"{reason}, no prize")
        else:
            claims[stake.model] = amount
    total = sum(claims.values())
    by_model = {s.model: s for s in stakes}
    for model, claim in claims.items():
        paid = claim * pools.nmr // total if total > pools.nmr else claim
        reason = f"corr {book.scores[model].corr:.4f}: stake back + {format_nmr(paid)} NMR"
        if paid < claim:
            reason += f" (scaled from {format_nmr(claim)} NMR to fit the NMR pool)"
        judged[model] = (outcome(by_model[model], reason, nmr_reward=paid), None)
    return [judged[s.model] for s in stakes]
