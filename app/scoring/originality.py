"""Originality: is a submission a copy of an earlier one of the same round?

Numerai's 2017 submission criteria: a submission is not original when, against any
earlier submission of the round, ``|Pearson| > 0.95`` or the two-sample KS statistic
``<= 0.03``. All pairs are checked at once:

- Pearson for every pair is one matrix product of standardised rows;
- KS for every pair is bracketed from CDFs on a shared grid (a lower bound, and an upper
  bound that adds the largest grid-cell mass); pairs whose bracket straddles the limit
  get a finer bracket from their own quantiles, and the few still unsure are computed
  exactly, so the decision equals exact KS everywhere.
"""

from __future__ import annotations

import numpy as np

from app.scoring.ks import cdf_on_grid, ks_statistic_rows

CORRELATION_LIMIT = 0.95
KS_LIMIT = 0.03
GRID_SIZE = 256
_PAIR_CHUNK = 64
_SLACK = 1e-9  # brackets this close to the limit are settled exactly
_FINE_GRID = 2048


def pearson_matrix(predictions: np.ndarray) -> np.ndarray:
    """Pearson correlation between every pair of rows (0 where a row is constant)."""
    centred = predictions - predictions.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = centred / norms[:, None]
    unit[norms == 0] = 0.0
    return np.clip(unit @ unit.T, -1.0, 1.0)


def similar_ks_pairs(predictions: np.ndarray, limit: float = KS_LIMIT, grid_size: int = GRID_SIZE) -> np.ndarray:
    """Boolean (S x S) matrix, ``[j, i]`` True when ``i < j`` and KS(i, j) <= ``limit``."""
    n_subs, n = predictions.shape
    pooled = predictions.ravel()
    sample = pooled if pooled.size <= 1_000_000 else pooled[:: pooled.size // 1_000_000]
    grid = np.unique(np.quantile(sample, np.linspace(0, 1, grid_size)))
    counts = cdf_on_grid(predictions, grid)
    with_ends = np.hstack([np.zeros((n_subs, 1), np.int32), counts, np.full((n_subs, 1), n, np.int32)])
    widest_cell = np.diff(with_ends, axis=1).max(axis=1)

    similar = np.zeros((n_subs, n_subs), dtype=bool)
    ambiguous_pairs = []
    for start in range(0, n_subs, _PAIR_CHUNK):
        stop = min(start + _PAIR_CHUNK, n_subs)
        later = np.arange(start, stop)
        earlier = np.arange(stop)[None, :] < later[:, None]  # pairs (j, i) with i < j
        lower = np.abs(counts[later, None, :] - counts[None, :stop, :]).max(axis=2) / n
        upper = lower + np.maximum(widest_cell[later, None], widest_cell[None, :stop]) / n
        similar[later, :stop] = earlier & (upper <= limit - _SLACK)
        unsure = earlier & (upper > limit - _SLACK) & (lower <= limit + _SLACK)
        rows, cols = np.nonzero(unsure)
        ambiguous_pairs.append(np.column_stack([later[rows], cols]))
    pairs = np.vstack(ambiguous_pairs) if ambiguous_pairs else np.empty((0, 2), int)
    if len(pairs):
        ordered = {s: np.sort(predictions[s]) for s in np.unique(pairs)}
        decided = np.array([_fine_bracket(ordered[j], ordered[i], limit) for j, i in pairs], dtype=np.int8)
        similar[pairs[decided == 1, 0], pairs[decided == 1, 1]] = True
        pairs = pairs[decided == 0]
        for chunk in np.array_split(pairs, max(1, len(pairs) // _PAIR_CHUNK)) if len(pairs) else []:
            a = np.stack([ordered[s] for s in chunk[:, 0]])
            b = np.stack([ordered[s] for s in chunk[:, 1]])
            similar[chunk[:, 0], chunk[:, 1]] = ks_statistic_rows(a, b, presorted=True) <= limit
    return similar


def _fine_bracket(a: np.ndarray, b: np.ndarray, limit: float) -> int:
    """Settle KS(a, b) <= limit from both samples' quantiles: 1 yes, -1 no, 0 unsure.

    ``a`` and ``b`` are sorted. On the union of their ``_FINE_GRID`` quantiles the CDFs
    are exact; between two grid points each CDF rises by at most one quantile step, so
    the supremum is bracketed to within about 1 / ``_FINE_GRID``.
    """
    steps = np.linspace(0, len(a) - 1, _FINE_GRID).astype(int)
    grid = np.union1d(a[steps], b[np.linspace(0, len(b) - 1, _FINE_GRID).astype(int)])
    ca = np.searchsorted(a, grid, side="right") / len(a)
    cb = np.searchsorted(b, grid, side="right") / len(b)
    lower = np.abs(ca - cb).max()
    upper = max(lower, np.maximum(ca[1:] - cb[:-1], cb[1:] - ca[:-1]).max(initial=0.0))
    if upper <= limit - _SLACK:
        return 1
    return -1 if lower > limit + _SLACK else 0


def originality(
    predictions: np.ndarray,
    *,
    correlation_limit: float = CORRELATION_LIMIT,
    ks_limit: float = KS_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Originality of each submission (rows, in submission order, earliest first).

    Returns ``(original, similar_to)``: ``original[j]`` is False when some earlier
    submission is too similar, and ``similar_to[j]`` is the index of the earliest such
    submission (-1 when original).
    """
    n_subs = predictions.shape[0]
    correlated = np.abs(pearson_matrix(predictions)) > correlation_limit
    similar = np.tril(correlated, k=-1) | similar_ks_pairs(predictions, ks_limit)
    has_earlier = similar.any(axis=1)
    similar_to = np.where(has_earlier, np.argmax(similar, axis=1), -1)
    return ~has_earlier, similar_to if n_subs else np.empty(0, int)
