"""KS, originality and concordance against scipy's ks_2samp, brute force and the exact path.

The originality screen (float32 Gram matrix, order-statistic grids, pruning) must decide
every pair as the definition does: ``test_fast_path_equals_exact_path`` runs both on a
corpus built to sit on every edge (random, near copies, KS gaps at and around the limit
and around each grid's unsure band, Pearson a hair either side of 0.95, ties, point
masses, constants) and compares every pair's decision, ``original`` and ``similar_to``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.stats import ks_2samp

import client.core.scoring.originality as originality_module
from client.core.scoring.concordance import concordance, feature_clusters
from client.core.scoring.ks import allowed_excess, ks_statistic_rows
from client.core.scoring.originality import (
    originality,
    originality_exact,
    similar_pairs,
    similar_pairs_exact,
)

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
    """np.corrcoef and scipy, one pair at a time (KS at exactly 0.03 read as scipy's float)."""
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


def edge_corpus(seed: int, n_rows: int) -> np.ndarray:
    """Submissions on every edge the fast path has (see the module docstring)."""
    rng = np.random.default_rng(seed)
    m = allowed_excess(n_rows, 0.03)
    subs = [np.clip(rng.normal(0.5 + rng.uniform(-0.03, 0.03), rng.uniform(0.01, 0.08), n_rows), 0, 1) for _ in range(6)]
    # KS gaps against a base: drop the g smallest values, add g above the maximum. Gaps at
    # the limit, one either side, and either side of the grids' unsure bands (2 s).
    others = sorted({g for d in (2, 15, 16, 17, 63, 64, 65) for g in (m - d, m + d) if 0 <= g < n_rows})
    for decimals, count in ((None, 6), (3, 3)):  # distinct values, then heavy ties
        base = rng.normal(0.5, 0.05, n_rows)
        base = np.sort(base if decimals is None else base.round(decimals))
        subs.append(rng.permutation(base))
        for g in [m, m + 1, m - 1, *rng.permutation(others)[:count]]:
            subs.append(rng.permutation(np.concatenate([base[g:], base[-1] + 0.001 * (1 + np.arange(g))])))
    point_mass = rng.permutation(subs[6])
    point_mass[rng.random(n_rows) < 0.3] = 0.5
    subs += [point_mass, np.where(rng.random(n_rows) < 0.02, 0.5, point_mass), subs[0].round(2)]
    subs += [subs[1] + rng.normal(0, 0.002, n_rows), 1 - subs[2], np.full(n_rows, 0.5)]
    # Pearson a hair either side of 0.95: x and z orthonormal, y = r x + sqrt(1 - r^2) z.
    x = subs[3] - subs[3].mean()
    x /= np.linalg.norm(x)
    z = rng.normal(size=n_rows)
    z -= z.mean() + (z @ x) * x
    z /= np.linalg.norm(z)
    for r in (0.95 - 2e-3, 0.95 - 1e-7, 0.95 + 1e-7, 0.95 + 2e-3, -0.95 - 1e-7):
        subs.append(0.5 + 3 * (r * x + np.sqrt(1 - r * r) * z))
    return np.vstack(subs)


@pytest.mark.parametrize(("seed", "n_rows"), [(0, 2000), (1, 2000), (2, 6000), (3, 12_000)])
def test_fast_path_equals_exact_path(seed, n_rows):
    predictions = edge_corpus(seed, n_rows)
    correlated, ks_similar = similar_pairs(predictions)
    exact_correlated, exact_ks = similar_pairs_exact(predictions)
    assert np.array_equal(correlated, exact_correlated)
    assert np.array_equal(ks_similar, exact_ks)
    original, similar_to = originality(predictions)
    exact_original, exact_similar_to = originality_exact(predictions)
    assert np.array_equal(original, exact_original) and np.array_equal(similar_to, exact_similar_to)
    # The corpus does reach both sides of both limits.
    assert 0 < ks_similar.sum() < len(predictions) ** 2 / 2 - ks_similar.sum()
    assert not correlated[-4, 3] and correlated[-3, 3] and correlated[-1, 3]


def test_rows_may_be_a_list_of_arrays():
    predictions = submissions_with_copies(2)
    expected = originality(predictions)
    ours = originality(list(predictions))
    assert all(np.array_equal(x, y) for x, y in zip(ours, expected, strict=True))


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


def test_gram_from_a_second_pass_when_the_rows_do_not_fit(monkeypatch):
    """Above ``_UNIT_BYTES`` the float32 rows are rebuilt chunk by chunk: same decisions."""
    predictions = edge_corpus(4, 3000)
    expected = similar_pairs(predictions)
    monkeypatch.setattr(originality_module, "_UNIT_BYTES", 0)
    assert all(np.array_equal(x, y) for x, y in zip(similar_pairs(predictions), expected, strict=True))
