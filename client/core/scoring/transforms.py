"""Row-wise transforms over a (submissions x rows) matrix, as numerai-tools applies per column.

Every function takes a 2-D array whose rows are submissions and whose columns are the
rows of the dataset (one era, or all live rows), so one call transforms every
submission at once. numerai-tools works column by column on a DataFrame; these are the
same formulas, matched to it to 1e-9 by the tests. :func:`submatrix` cuts such a block
out of a round kept as one array per submission.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import ndtri


def tie_kept_rank(values: np.ndarray) -> np.ndarray:
    """Average ranks 1..n along the last axis; tied values share the mean of their ranks.

    Same as ``pandas.Series.rank(method="average")`` applied to each row.
    """
    n = values.shape[-1]
    order = np.argsort(values, axis=-1)  # stability is moot: tied values share one rank
    ordered = np.take_along_axis(values, order, axis=-1)
    starts = np.ones(values.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    positions = np.arange(n, dtype=np.float64)
    if starts.all():  # no ties anywhere: rank = sorted position + 1
        ranked = np.broadcast_to(positions + 1, values.shape)
    else:
        first = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
        ends = np.ones(values.shape, dtype=bool)
        ends[..., :-1] = starts[..., 1:]
        last = np.minimum.accumulate(np.where(ends, positions, n)[..., ::-1], axis=-1)[..., ::-1]
        ranked = (first + last) / 2 + 1
    ranks = np.empty(values.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, ranked, axis=-1)
    return ranks


def rank_percentile(values: np.ndarray) -> np.ndarray:
    """numerai-tools ``tie_kept_rank``: ``(rank - 0.5) / n``, centred on 0.5."""
    return (tie_kept_rank(values) - 0.5) / values.shape[-1]


def gaussian(percentiles: np.ndarray) -> np.ndarray:
    """numerai-tools ``gaussian``: the normal ppf of percentile ranks."""
    return ndtri(percentiles)


def rank_gaussian(values: np.ndarray) -> np.ndarray:
    """numerai-tools ``gaussian(tie_kept_rank(x))``: percentile ranks through the normal ppf."""
    return gaussian(rank_percentile(values))


def signed_power(values: np.ndarray, exponent: float = 1.5) -> np.ndarray:
    """``sign(x) * |x| ** exponent`` (numerai-tools ``power``)."""
    return np.sign(values) * np.abs(values) ** exponent


def pearson_rows(matrix: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``matrix`` with ``target`` (NaN for a constant row)."""
    centred = matrix - matrix.mean(axis=-1, keepdims=True)
    target_centred = target - target.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (centred @ target_centred) / (
            np.sqrt(np.einsum("ij,ij->i", centred, centred)) * np.sqrt(target_centred @ target_centred)
        )


def submatrix(columns: Sequence[np.ndarray], submissions: Sequence[int] | range, rows: np.ndarray) -> np.ndarray:
    """The (len(submissions) x len(rows)) float64 block of a round, copied from its columns.

    ``columns[s]`` holds submission ``s`` over every tournament row. Only the block is
    ever materialised (never the whole submissions x rows matrix); contiguous ``rows``
    (an era) are copied as slices, without an index temporary.
    """
    rows = np.asarray(rows)
    block = np.empty((len(submissions), len(rows)))
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (np.diff(rows) == 1).all():
        rows = slice(int(rows[0]), int(rows[-1]) + 1)
    for position, s in enumerate(submissions):
        block[position] = columns[s][rows]
    return block
