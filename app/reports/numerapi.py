"""What numerapi's per-model reads need beyond the other store modules: a leaderboard's
20-round reputations, and a model's rank within each of its rounds.

Models are keyed by model key (the address for a wallet's model 0, ``<address>-<n>``
for model n); numerapi passes model names where Numerai had user names, and a name is
looked up by :func:`app.store.wallet_models.models_named`.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import fmean

from sqlalchemy import select

from app.db import get_session
from app.models import Score
from app.store.scores import scores_of_rounds

REPUTATION_ROUNDS = 20  # numerapi's corr20Rep: Numerai's reputation spans 20 rounds
REPUTATION_METRICS = ("corr", "mmc", "fnc")


def reputations(round_number: int, window: int = REPUTATION_ROUNDS) -> dict[str, dict[str, float | None]]:
    """Per model key, the mean of each of :data:`REPUTATION_METRICS` over its scores in the
    last ``window`` scored rounds up to ``round_number`` (None where it has none): a plain
    mean, where Numerai weights recent rounds more. Two queries whatever the window."""
    numbers_query = (
        select(Score.round_number).where(Score.round_number <= round_number)
        .group_by(Score.round_number).order_by(Score.round_number.desc()).limit(window)
    )  # fmt: skip
    values: dict[str, dict[str, list[float]]] = {}
    for scores in scores_of_rounds(get_session().scalars(numbers_query)).values():
        for score in scores:
            series = values.setdefault(score.model_key, {metric: [] for metric in REPUTATION_METRICS})
            for metric in REPUTATION_METRICS:
                if getattr(score, metric) is not None:
                    series[metric].append(getattr(score, metric))
    return {
        address: {metric: fmean(series[metric]) if series[metric] else None for metric in REPUTATION_METRICS}
        for address, series in values.items()
    }


def rank_in_round(key: str, scores: Iterable[Score], metric: str, higher_is_better: bool = True) -> int | None:
    """Model ``key``'s competition rank by ``metric`` among a round's ``scores`` (1 = best;
    equal values share a rank), or None when it has no value."""
    scores = list(scores)
    mine = next((getattr(s, metric) for s in scores if s.model_key == key), None)
    if mine is None:
        return None
    others = [getattr(s, metric) for s in scores if getattr(s, metric) is not None]
    return 1 + sum((value > mine) if higher_is_better else (value < mine) for value in others)
