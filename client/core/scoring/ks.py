"""Two-sample Kolmogorov-Smirnov statistics in exact integer arithmetic.

``D = sup_x |F_a(x) - F_b(x)|`` over the two empirical CDFs, the statistic scipy's
``ks_2samp`` returns, taken over the union of both samples' values (ties are compared
after the last copy of a tied value). For samples of sizes ``na`` and ``nb``, ``D`` is
the rational ``max |i/na - j/nb| = max |i*nb - j*na| / (na*nb)``: its numerator is an
integer, so a decision such as ``D <= 3/100`` is ``100 * numerator <= 3 * na * nb``,
with no rounding anywhere (a float ``i/na - j/nb`` reads an exact 60/2000 as
0.030000000000000027).

- :func:`ks_numerators_rows`: the numerator for many pairs at once (rows are pairs);
  :func:`ks_statistic_rows` the statistic as the float nearest the rational;
- :func:`ks_numerator`: the same for one pair, by the definition (the reference);
- :func:`excess_beyond`: for two *equally long* sorted samples, whether the count gap
  ever exceeds ``m``, from order statistics alone (the lemma the originality screen uses).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def as_fraction(limit: float | Fraction) -> Fraction:
    """A decimal limit as the rational it is written as (``0.03`` -> ``3/100``, not the float's)."""
    return limit if isinstance(limit, Fraction) else Fraction(repr(float(limit)))


def ks_at_most(numerator: int, na: int, nb: int, limit: float | Fraction) -> bool:
    """``numerator / (na * nb) <= limit``, decided in integers (Python ints: no overflow)."""
    limit = as_fraction(limit)
    return int(numerator) * limit.denominator <= limit.numerator * na * nb


def ks_numerator(a: np.ndarray, b: np.ndarray) -> int:
    """``na * nb * D`` for one pair, straight from the definition (the reference path).

    The CDFs are evaluated at every value of the union: ``i = #{a <= x}``,
    ``j = #{b <= x}``, and the largest ``|i * nb - j * na|`` is the numerator.
    """
    a, b = np.sort(np.asarray(a, np.float64)), np.sort(np.asarray(b, np.float64))
    values = np.union1d(a, b)
    i = np.searchsorted(a, values, side="right").astype(np.int64)
    j = np.searchsorted(b, values, side="right").astype(np.int64)
    return int(np.abs(i * len(b) - j * len(a)).max(initial=0))


def ks_numerators_rows(a: np.ndarray, b: np.ndarray, *, presorted: bool = False) -> np.ndarray:
    """``na * nb * D(a[i], b[i])`` for each row ``i``, as int64.

    ``a`` is (pairs x na), ``b`` is (pairs x nb), both finite. With ``presorted`` the rows
    are already ascending, and merging them is a linear pass for the stable sort.
    ``na * nb`` must stay below 2**63 (true of any sample that fits in memory).
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError("a and b must be 2-D with one row per pair")
    na, nb = a.shape[1], b.shape[1]
    if na == 0 or nb == 0:
        return np.zeros(a.shape[0], np.int64)
    if not presorted:
        a, b = np.sort(a, axis=1), np.sort(b, axis=1)
    pooled = np.hstack([a, b])
    order = np.argsort(pooled, axis=1, kind="stable")
    values = np.take_along_axis(pooled, order, axis=1)
    from_a = np.cumsum(order < na, axis=1, dtype=np.int64)
    from_b = np.arange(1, na + nb + 1, dtype=np.int64) - from_a
    gap = np.abs(from_a * nb - from_b * na)
    # The CDFs are only compared after the last copy of a tied value.
    group_end = np.ones(values.shape, dtype=bool)
    group_end[:, :-1] = values[:, 1:] != values[:, :-1]
    return np.where(group_end, gap, 0).max(axis=1)


def ks_statistic_rows(a: np.ndarray, b: np.ndarray, *, presorted: bool = False) -> np.ndarray:
    """KS statistic between ``a[i]`` and ``b[i]`` for each row ``i`` (NaN for an empty row).

    The float nearest the exact rational (one division of exact integers); decisions
    belong to :func:`ks_numerators_rows` and :func:`ks_at_most`.
    """
    na, nb = a.shape[1], b.shape[1]
    if na == 0 or nb == 0:
        return np.full(a.shape[0], np.nan)
    return ks_numerators_rows(a, b, presorted=presorted) / (na * nb)


def allowed_excess(n: int, limit: float | Fraction) -> int:
    """Largest count gap ``m`` with ``m / n <= limit`` for two samples of ``n`` values each."""
    limit = as_fraction(limit)
    return n * limit.numerator // limit.denominator


def excess_beyond(a: np.ndarray, b: np.ndarray, m: int) -> np.ndarray:
    """Whether ``#{a <= x} - #{b <= x} > m`` for some ``x``, for each row (a one-sided test).

    ``a`` and ``b`` are (pairs x n), each row sorted ascending, both of length ``n``.
    Lemma: the gap reaches ``m + 1`` exactly when ``b[j] > a[j + m]`` for some
    ``0 <= j < n - m`` (take ``x = a[j + m]``: at least ``j + m + 1`` values of ``a`` and at
    most ``j`` of ``b`` are ``<= x``; conversely, at an ``x`` with counts ``p - q > m``,
    ``j = p - m - 1`` is a witness). So ``KS <= m / n`` is ``not excess_beyond(a, b, m)
    and not excess_beyond(b, a, m)``: comparisons of order statistics, no merge, and
    ties need no special case.
    """
    n = a.shape[1]
    if m >= n:
        return np.zeros(a.shape[0], bool)
    return (b[:, : n - m] > a[:, m:]).any(axis=1)
