"""Concordance: do a submission's predictions follow the same distribution on every split?

Numerai's 2017 criterion: the tournament rows are clustered with k-means (5 clusters)
on their features; within each cluster, the KS statistic is taken between the
validation, test and live predictions (three pairs) and the largest kept; a submission
is concordant when the mean of those per-cluster maxima is below 0.12. A model that
behaves differently on live rows than on validation rows (e.g. looked-up validation
answers) fails it.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.cluster import KMeans

from app.scoring.ks import ks_statistic_rows

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


def concordance(predictions: np.ndarray, splits: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Mean over clusters of the largest KS statistic between split pairs, per submission.

    ``predictions`` is (submissions x rows); ``splits`` holds each row's data type and
    ``clusters`` its cluster label. Clusters where fewer than two splits have rows are
    skipped; a round with no such cluster gives NaN.
    """
    groups = []
    for cluster in np.unique(clusters):
        present = [np.flatnonzero((clusters == cluster) & (splits == s)) for s in SPLITS]
        present = [rows for rows in present if len(rows)]
        if len(present) >= 2:
            groups.append(present)
    result = np.full(predictions.shape[0], np.nan)
    if not groups:
        return result
    for start in range(0, predictions.shape[0], _CHUNK):
        block = predictions[start : start + _CHUNK]
        per_cluster = []
        for present in groups:
            ordered = [np.sort(block[:, rows], axis=1) for rows in present]
            pair_ks = [ks_statistic_rows(a, b, presorted=True) for a, b in combinations(ordered, 2)]
            per_cluster.append(np.max(pair_ks, axis=0))
        result[start : start + _CHUNK] = np.mean(per_cluster, axis=0)
    return result
