"""The tournament's thresholds, each defined once: what beats a coin flip, what is
consistent, and who counts toward a round's controlling capital (the 2017 article's
words). Scoring, payout, the store and the pages all read them here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

LN2 = math.log(2.0)
# A constant 0.5 scores ln 2 exactly in exact arithmetic, but a float mean of n copies
# can land an ulp below; "beats a coin flip" must not depend on that.
LOGLOSS_TOLERANCE = 1e-12
CONSISTENCY_THRESHOLD = 0.75


def beats_coin_flip(logloss: Any) -> Any:
    """True where a logloss is below ln 2 by more than float noise (the 2017 bar): a bool
    for a number, elementwise for a numpy array."""
    return logloss < LN2 - LOGLOSS_TOLERANCE


def consistency(era_loglosses: Sequence[float]) -> float | None:
    """The share of eras whose logloss beats the coin flip (None for no eras); the scoring
    engine computes the same share over a matrix of eras at once."""
    return sum(bool(beats_coin_flip(loss)) for loss in era_loglosses) / len(era_loglosses) if era_loglosses else None


def is_consistent(consistency: float | None, threshold: float = CONSISTENCY_THRESHOLD) -> bool:
    """A share of eras beating the coin flip that meets the threshold (None or NaN: no)."""
    return consistency is not None and math.isfinite(consistency) and consistency >= threshold


def is_controlling(original: bool | None, concordant: bool | None, consistency: float | None,
                   live_logloss: float | None, threshold: float = CONSISTENCY_THRESHOLD) -> bool:
    """Counts toward the round's controlling capital (and may win a prize): original,
    concordant, consistent and a finite live logloss below ln 2."""
    return (
        original is True
        and concordant is True
        and is_consistent(consistency, threshold)
        and live_logloss is not None
        and math.isfinite(live_logloss)
        and bool(beats_coin_flip(live_logloss))
    )
