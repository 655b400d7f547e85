"""Concordance: do a submission's predictions follow the same distribution on every split?

Numerai's 2017 criterion: the tournament rows are clustered with k-means (5 clusters)
on their features; within each cluster, the KS statistic is taken between the
validation, test and live predictions (three pairs) and the largest kept; a submission
is concordant when the mean of those per-cluster maxima is below 0.12. A model that
behaves differently on live rows than on validation rows (e.g. looked-up validation
answers) fails it.

Each KS statistic is a rational (:mod:`client.core.scoring.ks`), so the mean is one too:
:func:`concordance_fractions` keeps it exact and the decision ``mean < 12/100`` has no
rounding; :func:`concordance` is its nearest float (the published statistic).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations

import numpy as np
from sklearn.cluster import KMeans

from client.core.scoring.ks import ks_numerators_rows
from client.core.scoring.transforms import submatrix

N_CLUSTERS = 5
CONCORDANCE_LIMIT = 0.12
SPLITS = ("validation", "test", "live")
_CHUNK = 128


_FIT_ROWS = 20_000


def feature_clusters(features: np.ndarray, n_clusters: int = N_CLUSTERS, seed: int = 0) -> np.ndarray:
    """k-means cluster label of each row (deterministic for a given ``seed``).

    The centres are fitted on at most 20,000 evenly spaced rows (plenty for 5 centres
    in a few dozen dimensions), then every row is assigned to its nearest centre.
    """
    features = np.asarray(features, dtype=np.float64)
    n_clusters = min(n_clusters, len(features))
    fit_rows = features[:: max(1, len(features) // _FIT_ROWS)]
    model = KMeans(n_clusters=n_clusters, n_init=2, random_state=seed).fit(fit_rows)
    return model.predict(features)


def concordance_fractions(
    predictions: np.ndarray | Sequence[np.ndarray], splits: np.ndarray, clusters: np.ndarray
) -> list[Fraction | None]:
    """Mean over clusters of the largest KS statistic between split pairs, exactly.

    ``predictions`` is (submissions x rows), or one array per submission over every row;
    ``splits`` holds each row's data type and ``clusters`` its cluster label. Clusters
    where fewer than two splits have rows are skipped; a round with no such cluster
    gives None for every submission.
    """
    groups = []
    for cluster in np.unique(clusters):
        present = [np.flatnonzero((clusters == cluster) & (splits == s)) for s in SPLITS]
        present = [rows for rows in present if len(rows)]
        if len(present) >= 2:
            groups.append(present)
    n_subs = len(predictions)
    if not groups:
        return [None] * n_subs
    totals = [Fraction(0)] * n_subs
    for start in range(0, n_subs, _CHUNK):
        block = range(start, min(start + _CHUNK, n_subs))
        for present in groups:
            ordered = [np.sort(submatrix(predictions, block, rows), axis=1) for rows in present]
            pairs = [
                (ks_numerators_rows(a, b, presorted=True), a.shape[1] * b.shape[1]) for a, b in combinations(ordered, 2)
            ]
            for position, s in enumerate(block):
                totals[s] += max(Fraction(int(numerators[position]), size) for numerators, size in pairs)
    return [total / len(groups) for total in totals]


def concordance(predictions: np.ndarray | Sequence[np.ndarray], splits: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """:func:`concordance_fractions` as floats (NaN where there is nothing to compare)."""
    return np.array([np.nan if x is None else float(x) for x in concordance_fractions(predictions, splits, clusters)])
