"""KS, originality and concordance against scipy's ks_2samp and brute force."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from app.scoring.concordance import concordance, feature_clusters
from app.scoring.ks import ks_statistic_rows
from app.scoring.originality import originality, similar_ks_pairs

TOLERANCE = 1e-9


@pytest.mark.parametrize("seed", range(20))
def test_ks_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    na, nb = rng.integers(1, 300, 2)
    a, b = rng.random((4, na)), rng.random((4, nb)) * rng.uniform(0.5, 1.5)
    if seed % 2:
        a, b = a.round(2), b.round(2)  # ties within and across samples
    ours = ks_statistic_rows(a, b)
    for row, value in enumerate(ours):
        assert abs(value - ks_2samp(a[row], b[row]).statistic) < TOLERANCE


def brute_force_originality(predictions):
    original, similar_to = [], []
    for j in range(len(predictions)):
        match = -1
        for i in range(j):
            a, b = predictions[i], predictions[j]
            corr = 0.0 if np.ptp(a) == 0 or np.ptp(b) == 0 else np.corrcoef(a, b)[0, 1]
            if abs(corr) > 0.95 or ks_2samp(a, b).statistic <= 0.03:
                match = i
                break
        original.append(match < 0)
        similar_to.append(match)
    return np.array(original), np.array(similar_to)


def submissions_with_copies(seed, n_subs=30, n_rows=2000):
    rng = np.random.default_rng(seed)
    base = rng.random((n_subs, n_rows)) * rng.uniform(0.05, 1, (n_subs, 1)) + rng.uniform(0, 0.3, (n_subs, 1))
    base[5] = base[1] + rng.normal(0, 0.02, n_rows)  # near copy: high correlation
    base[9] = rng.permutation(base[2])  # same distribution, uncorrelated: KS = 0
    base[12] = base[3] * (1 + rng.uniform(0.01, 0.06))  # stretched: KS around the limit
    base[15] = 0.5  # constant
    base[20] = 1 - base[4]  # negatively correlated copy
    return np.clip(base, 0, 1)


@pytest.mark.parametrize("seed", range(6))
def test_originality_matches_brute_force(seed):
    predictions = submissions_with_copies(seed)
    original, similar_to = originality(predictions)
    expected_original, expected_similar = brute_force_originality(predictions)
    assert np.array_equal(original, expected_original)
    assert np.array_equal(similar_to, expected_similar)
    assert not original[5] and not original[9] and not original[20]


def test_ks_screening_equals_exact_ks_for_every_pair():
    predictions = submissions_with_copies(11, n_subs=25, n_rows=500)
    screened = similar_ks_pairs(predictions, grid_size=16)  # coarse grid: many exact fallbacks
    for j, i in combinations(range(25), 2):
        j, i = max(i, j), min(i, j)
        assert screened[j, i] == (ks_2samp(predictions[i], predictions[j]).statistic <= 0.03)


def test_first_submission_is_always_original():
    original, similar_to = originality(np.random.default_rng(0).random((1, 50)))
    assert original.tolist() == [True] and similar_to.tolist() == [-1]


def test_concordance_matches_brute_force():
    rng = np.random.default_rng(4)
    n = 4000
    features = rng.random((n, 4))
    splits = np.array(["validation"] * 2000 + ["test"] * 1000 + ["live"] * 1000)
    predictions = rng.random((6, n))
    predictions[1, 2000:] = predictions[1, 2000:] * 0.5  # behaves differently off validation
    clusters = feature_clusters(features)
    ours = concordance(predictions, splits, clusters)
    for s in range(6):
        per_cluster = []
        for c in np.unique(clusters):
            groups = [predictions[s][(clusters == c) & (splits == k)] for k in ("validation", "test", "live")]
            per_cluster.append(max(ks_2samp(a, b).statistic for a, b in combinations(groups, 2)))
        assert abs(ours[s] - np.mean(per_cluster)) < TOLERANCE
    assert ours[1] > 0.12 > ours[0]


def test_clusters_are_deterministic():
    features = np.random.default_rng(1).random((300, 3))
    assert np.array_equal(feature_clusters(features), feature_clusters(features))
    assert len(np.unique(feature_clusters(features))) == 5
