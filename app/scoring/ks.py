"""Two-sample Kolmogorov-Smirnov statistics for many pairs of samples at once.

``D = sup_x |F_a(x) - F_b(x)|`` over the two empirical CDFs, the statistic scipy's
``ks_2samp`` returns. Rows of the inputs are independent pairs (one per submission, or
one per pair of submissions), so every statistic of a round comes from a few sorts.
"""

from __future__ import annotations

import numpy as np


def ks_statistic_rows(a: np.ndarray, b: np.ndarray, *, presorted: bool = False) -> np.ndarray:
    """KS statistic between ``a[i]`` and ``b[i]`` for each row ``i``.

    ``a`` is (pairs x na), ``b`` is (pairs x nb), both finite. With ``presorted`` the rows
    are already ascending, and merging them is a linear pass for the stable sort.
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError("a and b must be 2-D with one row per pair")
    na, nb = a.shape[1], b.shape[1]
    if na == 0 or nb == 0:
        return np.full(a.shape[0], np.nan)
    if not presorted:
        a, b = np.sort(a, axis=1), np.sort(b, axis=1)
    pooled = np.hstack([a, b])
    order = np.argsort(pooled, axis=1, kind="stable")
    values = np.take_along_axis(pooled, order, axis=1)
    from_a = np.cumsum(order < na, axis=1)
    from_b = np.arange(1, na + nb + 1) - from_a
    gap = np.abs(from_a / na - from_b / nb)
    # The CDFs are only compared after the last copy of a tied value.
    group_end = np.ones(values.shape, dtype=bool)
    group_end[:, :-1] = values[:, 1:] != values[:, :-1]
    return np.where(group_end, gap, 0.0).max(axis=1)


def cdf_on_grid(samples: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Empirical CDF of each row of ``samples`` at each point of the sorted ``grid``.

    Returns (rows x len(grid)) counts of values <= grid point, as int32.
    """
    n_rows = samples.shape[0]
    cells = np.searchsorted(grid, samples, side="left")  # values <= grid[k] fall in cells <= k
    offsets = (np.arange(n_rows) * (len(grid) + 1))[:, None]
    counts = np.bincount((cells + offsets).ravel(), minlength=n_rows * (len(grid) + 1))
    return np.cumsum(counts.reshape(n_rows, len(grid) + 1), axis=1)[:, :-1].astype(np.int32)
