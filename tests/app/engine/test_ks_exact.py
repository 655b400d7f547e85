"""Exact KS decisions: a statistic of exactly 0.03 is "similar", one count more is not;
a concordance of exactly 0.12 is not concordant."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import ks_2samp

from client.core.scoring.concordance import (
    CONCORDANCE_LIMIT,
    concordance,
    concordance_fractions,
)
from client.core.scoring.ks import (
    allowed_excess,
    as_fraction,
    excess_beyond,
    ks_at_most,
    ks_numerator,
    ks_numerators_rows,
    ks_statistic_rows,
)
from client.core.scoring.originality import originality, originality_exact

LIMIT = Fraction(3, 100)


def shifted_pair(n: int, gap: int, seed: int = 0) -> np.ndarray:
    """Two uncorrelated samples of ``n`` distinct values whose KS is exactly ``gap / n``.

    The second drops the ``gap`` smallest values of the first and adds ``gap`` above its
    maximum, so its CDF trails by ``gap`` counts over the middle; shuffling keeps the
    Pearson correlation near 0, so only KS can decide originality.
    """
    rng = np.random.default_rng(seed)
    base = np.sort(rng.random(n))
    later = np.concatenate([base[gap:], base[-1] + 1 + np.arange(gap)])
    return np.vstack([rng.permutation(base), rng.permutation(later)])


def scipy_numerator(a: np.ndarray, b: np.ndarray) -> int:
    """scipy's statistic as the rational it approximates, ``numerator / (na * nb)``."""
    statistic = ks_2samp(a, b).statistic
    numerator = round(statistic * len(a) * len(b))
    assert abs(statistic - numerator / (len(a) * len(b))) < 1e-12
    return numerator


def test_limit_is_the_decimal_not_the_float():
    assert as_fraction(0.03) == LIMIT and as_fraction(0.12) == Fraction(3, 25)
    assert Fraction(0.03) != LIMIT  # what a float comparison would use
    assert allowed_excess(2000, 0.03) == 60 and allowed_excess(2100, 0.03) == 63 and allowed_excess(2099, 0.03) == 62


@pytest.mark.parametrize(("n", "gap"), [(2000, 60), (2100, 63)])
def test_ks_of_exactly_the_limit_fails_originality(n, gap):
    pair = shifted_pair(n, gap)
    assert ks_numerator(pair[0], pair[1]) == gap * n  # KS = gap / n = 0.03 exactly
    assert ks_at_most(ks_numerator(pair[0], pair[1]), n, n, 0.03)
    assert abs(np.corrcoef(pair)[0, 1]) < 0.2
    for decide in (originality, originality_exact):
        original, similar_to = decide(pair)
        assert original.tolist() == [True, False] and similar_to.tolist() == [-1, 0]


@pytest.mark.parametrize(("n", "gap"), [(2000, 61), (2100, 64), (50_000, 1501)])
def test_ks_just_above_the_limit_passes(n, gap):
    pair = shifted_pair(n, gap)
    assert ks_numerator(pair[0], pair[1]) == gap * n
    assert not ks_at_most(gap * n, n, n, 0.03)
    assert originality(pair)[0].tolist() == [True, True]


def test_exact_limit_at_a_tied_value():
    """Ties: KS is taken after the last copy of a value (the union of values, as scipy)."""
    a = np.repeat(np.arange(20.0), 100)  # 2000 values, 100 copies of each of 0..19
    b = a.copy()
    b[np.flatnonzero(b == 5)[:60]] = 6  # 60 copies of 5 become 6: a gap of 60 at x = 5 only
    assert ks_numerator(a, b) == scipy_numerator(a, b) == 60 * 2000
    assert ks_numerators_rows(a[None], b[None])[0] == 60 * 2000
    b[np.flatnonzero(b == 5)[:1]] = 6
    assert ks_numerator(a, b) == 61 * 2000
    pair = np.vstack([a, np.random.default_rng(1).permutation(b)])
    assert originality(pair)[0].tolist() == originality_exact(pair)[0].tolist() == [True, True]


def test_unequal_sizes_at_the_limit():
    """na = 1000, nb = 2000: KS = 60000 / 2,000,000 = 0.03, decided in integers."""
    a = np.arange(1000.0)
    b = np.concatenate([np.arange(30.0, 1000.0).repeat(2), 1000 + np.arange(60.0)])  # 2000 values
    numerator = ks_numerator(a, b)
    assert numerator == scipy_numerator(a, b) == 60_000
    assert ks_at_most(numerator, 1000, 2000, 0.03) and not ks_at_most(numerator + 1, 1000, 2000, 0.03)
    assert ks_statistic_rows(a[None], b[None])[0] == 0.03  # the float nearest 3/100


@pytest.mark.parametrize("seed", range(12))
def test_decisions_equal_scipy_compared_exactly(seed):
    """Random sizes, ties and near-limit pairs: our integer numerators are scipy's statistic."""
    rng = np.random.default_rng(seed)
    for _ in range(10):
        na, nb = (int(x) for x in rng.integers(20, 600, 2))
        if seed % 3 == 0:
            nb = na
        a = rng.random(na).round(int(rng.integers(1, 4)))
        b = (rng.random(nb) * rng.uniform(0.9, 1.1)).round(int(rng.integers(1, 4)))
        numerator = ks_numerator(a, b)
        assert numerator == scipy_numerator(a, b)
        assert ks_numerators_rows(a[None], b[None])[0] == numerator
        exact = Fraction(numerator, na * nb)
        assert ks_at_most(numerator, na, nb, 0.03) == (exact <= LIMIT)


@pytest.mark.parametrize("seed", range(8))
def test_lemma_on_order_statistics(seed):
    """``excess_beyond`` (no merge) agrees with the counted gap in each direction."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    a = np.sort(rng.integers(0, 30, (20, n)).astype(float), axis=1)
    b = np.sort(rng.integers(0, 30, (20, n)).astype(float) + rng.integers(-2, 3, (20, 1)), axis=1)
    for row in range(20):
        values = np.union1d(a[row], b[row])
        gap = np.searchsorted(a[row], values, "right") - np.searchsorted(b[row], values, "right")
        for m in range(0, n + 1, max(1, n // 7)):
            assert excess_beyond(a[row : row + 1], b[row : row + 1], m)[0] == (gap.max() > m)
            assert excess_beyond(b[row : row + 1], a[row : row + 1], m)[0] == ((-gap).max() > m)


def test_concordance_of_exactly_the_limit_is_not_concordant():
    """Concordant means a mean KS *below* 0.12: an exact 12/100 is not, 11/100 is."""
    splits = np.repeat(["validation", "test", "live"], 100)
    clusters = np.zeros(300, int)
    at_limit = np.concatenate([np.arange(100.0), np.arange(100.0), np.arange(100.0) + 12])
    below = np.concatenate([np.arange(100.0), np.arange(100.0), np.arange(100.0) + 11])
    fractions = concordance_fractions(np.vstack([at_limit, below]), splits, clusters)
    assert fractions == [Fraction(12, 100), Fraction(11, 100)]
    assert [x < as_fraction(CONCORDANCE_LIMIT) for x in fractions] == [False, True]
    assert concordance(np.vstack([at_limit, below]), splits, clusters).tolist() == [0.12, 0.11]


@pytest.mark.parametrize("extra", [0, 1, 40])
def test_values_closer_than_float32_are_still_told_apart(extra):
    """The dense screen compares in float32; 4,000 values 1e-10 apart fall on a handful of
    float32 values, so every decision there must come from the float64 levels."""
    n = 4000
    gap = allowed_excess(n, 0.03) + extra
    base = 0.5 + 1e-10 * np.arange(n)
    later = np.concatenate([base[gap:], base[-1] + 1e-10 * (1 + np.arange(gap))])
    pair = np.vstack([base, np.random.default_rng(2).permutation(later)])
    assert len(np.unique(pair.astype(np.float32))) < 10
    assert originality(pair)[0].tolist() == originality_exact(pair)[0].tolist() == [True, extra > 0]
