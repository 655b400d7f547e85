"""The one-line reasons a plan writes (the article's "why" column), worded once: the
names they use for participants and the causes that make a score ineligible."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from client.core.money.rules import is_controlling
from client.core.money.stakes import ParticipantScore
from client.core.money.units import exact

NO_SCORE = "no scored file matches the committed hash"


def short_name(participant: str) -> str:
    """An address as ``0x1234…abcd``; any other key unchanged."""
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", participant):
        return f"{participant[:6]}…{participant[-4:]}"
    return participant


def labeller(names: Mapping[str, str] | None) -> Callable[[str], str]:
    """A participant's display name (from ``names``), else its short key."""
    names = names or {}
    return lambda participant: names.get(participant) or short_name(participant)


def quality_causes(score: ParticipantScore, label: Callable[[str], str]) -> list[str]:
    """Why a file is not original or not concordant (empty when it is both)."""
    causes = []
    if not score.original:
        causes.append(f"not original: like {label(score.similar_to)}" if score.similar_to else "not original")
    if not score.concordant:
        causes.append("not concordant")
    return causes


def causes(score: ParticipantScore, consistency_threshold: float, label: Callable[[str], str]) -> list[str]:
    """Why a score is not eligible (empty when it is)."""
    found = quality_causes(score, label)
    if not math.isfinite(score.consistency):
        found.append("no consistency")
    elif not score.consistency >= consistency_threshold:
        found.append(f"consistency {percent(score.consistency)} < {percent(consistency_threshold)}")
    if not math.isfinite(score.live_logloss):
        found.append("no live logloss")
    return found


def prize_eligible(score: ParticipantScore | None, consistency_threshold: float) -> bool:
    """May win a prize (and counts toward controlling capital): scored, and
    :func:`client.core.money.rules.is_controlling`."""
    return score is not None and is_controlling(score.original, score.concordant, score.consistency,
                                                score.live_logloss, consistency_threshold)


def percent(share: float) -> str:
    """``0.58333`` -> ``58.33%``, cut to 2 decimals of a percent, trailing zeros dropped."""
    hundredths = math.floor(exact(share) * 10_000)
    whole, frac = divmod(hundredths, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"
