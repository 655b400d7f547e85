"""Originality: is a submission a copy of an earlier one of the same round?

Numerai's 2017 submission criteria: a submission is not original when, against any
earlier submission of the round, ``|Pearson| > 0.95`` or the two-sample KS statistic is
``<= 0.03``; ``similar_to`` names the earliest such submission.

:func:`originality_exact` is the definition, pair by pair: Pearson in float64 and KS as
an exact rational (:mod:`client.core.scoring.ks`). :func:`originality` decides every pair that
matters the same way, for a round of 1,000 submissions in seconds:

- **Pearson**: one float32 Gram matrix of the standardised rows (BLAS, in column
  chunks; the float32 rows come from the sorting pass when they fit in 256 MB, as for
  1,000 x 50k, else from a second pass). Whatever order BLAS sums in, its error is below
  ``gamma_n = n u / (1 - n u)`` (``u = 2**-24``) plus the rounding of the inputs, so
  only pairs whose ``|r|`` lies within that margin of the limit are recomputed, in
  float64 exactly as the definition does.
- **KS**: all rows have the same length ``n``, so ``KS <= M / n`` is a comparison of
  order statistics (:func:`client.core.scoring.ks.excess_beyond`). Each submission is sorted
  once and every 8th order statistic kept. On the order statistics ``s`` apart, one
  violated comparison proves "not similar", and comparing neighbouring grid points
  proves "similar" (every order statistic between two grid points lies between their
  values); only pairs whose count gap is within ``2 s`` of ``M`` stay unsure. All pairs
  are screened at a coarse ``s`` in dense (S x S) blocks, the unsure ones at ``s / 4``,
  ``s / 16``, ... down to the stored grid, and the last few exactly on their sorted rows.
- Only what decides ``similar_to`` is refined: once a submission is known similar to an
  earlier one, its unsure pairs with submissions after that one are dropped.

Nothing here holds a (submissions x rows) float64 copy: rows are read in blocks, so the
memory is the stored grid (``n`` bytes a submission) and an (S x S) matrix or two.

Why one module past ~350 lines: one job in two paths that must agree; the definition and
the fast path stay side by side so that the proof (tests/app/engine/test_similarity.py)
compares them where they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np

from client.core.scoring.ks import (
    allowed_excess,
    excess_beyond,
    ks_at_most,
    ks_numerator,
)

CORRELATION_LIMIT = 0.95
KS_LIMIT = 0.03
FINE_STRIDE = 8  # every 8th order statistic is kept: n bytes a submission
_GRAM_COLUMNS = 4096
_UNIT_BYTES = 256_000_000  # float32 standardised rows kept from the sort pass up to this size
_ROW_BLOCK = 16
_PAIR_CHUNK = 256
_EXACT_CHUNK = 16
_CACHE_BYTES = 64_000_000  # rows re-derived for the few pairs that need a second look
_THREADS = 2
_FLOAT32_UNIT = 2.0**-24
_FLOAT64_SLACK = 1e-9  # float64 rounding in the standardisation and the definition's dot

Rows = np.ndarray | Sequence[np.ndarray]


def originality(
    predictions: Rows,
    *,
    correlation_limit: float = CORRELATION_LIMIT,
    ks_limit: float | Fraction = KS_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Originality of each submission (rows, in submission order, earliest first).

    ``predictions`` is a (submissions x rows) array or a sequence of equally long 1-D
    arrays. Returns ``(original, similar_to)``: ``original[j]`` is False when some earlier
    submission is too similar, and ``similar_to[j]`` is the index of the earliest such
    submission (-1 when original). Same result as :func:`originality_exact`.
    """
    screen = _Screen(predictions, correlation_limit, ks_limit)
    return first_similar(screen.resolve(all_pairs=False))


def similar_pairs(
    predictions: Rows,
    *,
    correlation_limit: float = CORRELATION_LIMIT,
    ks_limit: float | Fraction = KS_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair decided by the fast path: ``(correlated, ks_similar)``, (S x S) booleans.

    ``[j, i]`` is set for ``i < j`` when ``|Pearson| > correlation_limit``, respectively
    ``KS <= ks_limit`` (the upper triangle and the diagonal are False).
    """
    screen = _Screen(predictions, correlation_limit, ks_limit)
    screen.resolve(all_pairs=True)
    return screen.correlated.copy(), screen.ks == 1


def similar_pairs_exact(
    predictions: Rows,
    *,
    correlation_limit: float = CORRELATION_LIMIT,
    ks_limit: float | Fraction = KS_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`similar_pairs` by the definition: each pair on its own (slow; the reference)."""
    rows = _as_rows(predictions)
    units = [unit_row(r) for r in rows]
    correlated = np.zeros((len(rows), len(rows)), bool)
    ks_similar = np.zeros_like(correlated)
    for j in range(len(rows)):
        for i in range(j):
            correlated[j, i] = abs(pearson_of_units(units[i], units[j])) > correlation_limit
            numerator = ks_numerator(rows[i], rows[j])
            ks_similar[j, i] = ks_at_most(numerator, len(rows[i]), len(rows[j]), ks_limit)
    return correlated, ks_similar


def originality_exact(
    predictions: Rows,
    *,
    correlation_limit: float = CORRELATION_LIMIT,
    ks_limit: float | Fraction = KS_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`originality` by the definition, pair by pair (slow; the reference)."""
    correlated, ks_similar = similar_pairs_exact(predictions, correlation_limit=correlation_limit, ks_limit=ks_limit)
    return first_similar(correlated | ks_similar)


def first_similar(similar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(original, similar_to)`` from an (S x S) matrix whose ``[j, i]`` says j is like i."""
    has_earlier = similar.any(axis=1)
    similar_to = np.where(has_earlier, np.argmax(similar, axis=1), -1) if len(similar) else np.empty(0, int)
    return ~has_earlier, similar_to


def unit_row(values: np.ndarray) -> np.ndarray:
    """``values`` centred and scaled to unit length in float64 (zeros for a constant row)."""
    centred = np.asarray(values, np.float64) - np.mean(values)
    norm = np.sqrt(np.einsum("i,i->", centred, centred))
    return centred / norm if norm > 0 else np.zeros_like(centred)


def pearson_of_units(u: np.ndarray, v: np.ndarray) -> float:
    """Pearson correlation of two rows from their :func:`unit_row` (0 when one is constant).

    numpy's own loop, not BLAS: the same bits wherever the rows sit in memory, and no
    thread wake-up (a threaded BLAS dot can take milliseconds on a busy machine).
    """
    return float(np.clip(np.einsum("i,i->", u, v), -1.0, 1.0))


def _as_rows(predictions: Rows) -> list[np.ndarray]:
    rows = [np.asarray(r, np.float64) for r in predictions]
    if len({len(r) for r in rows}) > 1:
        raise ValueError("every submission must have the same number of rows")
    return rows


def _reciprocal(norms: np.ndarray) -> np.ndarray:
    """``1 / norm``, 0 for a constant row (its standardised row is all zeros)."""
    return np.divide(1.0, norms, out=np.zeros(len(norms)), where=norms > 0)


def _run_blocks(work: Callable[[slice], None], n: int, size: int) -> None:
    """``work(block)`` for consecutive blocks of ``range(n)``, on two threads (numpy frees the GIL)."""
    blocks = [slice(start, min(start + size, n)) for start in range(0, n, size)]
    if len(blocks) <= 1:
        for block in blocks:
            work(block)
        return
    with ThreadPoolExecutor(_THREADS) as pool:
        list(pool.map(work, blocks))


class _RowCache:
    """``make(rows[i])`` by index, kept while they fit in ``_CACHE_BYTES`` (then forgotten)."""

    def __init__(self, rows: list[np.ndarray], make: Callable[[np.ndarray], np.ndarray]):
        self.rows, self.make = rows, make
        self.capacity = max(2, _CACHE_BYTES // max(1, 8 * len(rows[0]))) if rows else 2
        self.kept: dict[int, np.ndarray] = {}

    def __getitem__(self, index: int) -> np.ndarray:
        if index not in self.kept:
            if len(self.kept) >= self.capacity:
                self.kept.clear()
            self.kept[index] = self.make(self.rows[index])
        return self.kept[index]


class _Screen:
    """The fast path's state: stored order statistics, decided Pearson pairs, KS pair states.

    ``ks[j, i]`` (for ``i < j``) is 1 when KS is proven ``<= limit``, -1 when proven above,
    0 while unsure.
    """

    def __init__(self, predictions: Rows, correlation_limit: float, ks_limit: float | Fraction):
        self.rows = _as_rows(predictions)
        self.n_subs = len(self.rows)
        self.n = len(self.rows[0]) if self.rows else 0
        self.correlation_limit = float(correlation_limit)
        self.m = allowed_excess(self.n, ks_limit)
        self.fine_stride = FINE_STRIDE if self.m >= 8 * FINE_STRIDE else 1
        self.lower = np.tri(self.n_subs, k=-1, dtype=bool)
        self.ks = np.zeros((self.n_subs, self.n_subs), np.int8)
        if self.n == 0:  # nothing to compare: every submission stands alone
            self.correlated = np.zeros_like(self.lower)
            return
        self._sort_once()
        self.correlated = self._correlations()

    # --- one pass over every row --------------------------------------------------------

    def _sort_once(self) -> None:
        """Mean and norm of each row, every ``fine_stride``-th order statistic, and (when they
        fit in ``_UNIT_BYTES``) the float32 standardised rows for the Gram matrix."""
        last = -(-(self.n - 1) // self.fine_stride)
        positions = np.minimum(np.arange(last + 2) * self.fine_stride, self.n - 1)  # last one twice
        self.mean = np.empty(self.n_subs)
        self.norm = np.empty(self.n_subs)
        self.fine = np.empty((self.n_subs, len(positions)))
        columns = [slice(c, min(c + _GRAM_COLUMNS, self.n)) for c in range(0, self.n, _GRAM_COLUMNS)]
        keep = 4 * self.n_subs * self.n <= _UNIT_BYTES
        self._unit_chunks = [np.empty((self.n_subs, c.stop - c.start), np.float32) for c in columns] if keep else None

        def work(block: slice) -> None:
            values = np.stack(self.rows[block])
            self.mean[block] = values.mean(axis=1)
            centred = values - self.mean[block, None]
            self.norm[block] = np.sqrt(np.einsum("ij,ij->i", centred, centred))
            if keep:  # scaled in float64, rounded once to float32 by the same loop
                scale = _reciprocal(self.norm[block])[:, None]
                for chunk, c in zip(self._unit_chunks, columns, strict=True):
                    np.multiply(centred[:, c], scale, out=chunk[block], casting="same_kind")
            del centred
            values.sort(axis=1)
            self.fine[block] = values[:, positions]

        _run_blocks(work, self.n_subs, _ROW_BLOCK)

    # --- Pearson ------------------------------------------------------------------------

    def _gram_chunks(self):
        """The float32 standardised rows, a block of columns at a time."""
        if self._unit_chunks is not None:
            yield from self._unit_chunks
            return
        scale = _reciprocal(self.norm)[:, None]
        for start in range(0, self.n, _GRAM_COLUMNS):
            chunk = np.stack([r[start : start + _GRAM_COLUMNS] for r in self.rows])
            chunk -= self.mean[:, None]
            yield np.multiply(chunk, scale, out=np.empty(chunk.shape, np.float32), casting="same_kind")

    def _correlations(self) -> np.ndarray:
        """``|Pearson| > limit`` for every pair (lower triangle), as the definition decides it."""
        if self.n * _FLOAT32_UNIT >= 0.5:
            raise ValueError("too many rows for the float32 correlation screen")
        gram = np.zeros((self.n_subs, self.n_subs), np.float32)
        for unit in self._gram_chunks():
            gram += unit @ unit.T
        self._unit_chunks = None
        # Error of a float32 dot of n terms in any order (Higham, Accuracy and Stability,
        # eq. 3.5), on inputs each rounded once to float32 from unit vectors.
        u = _FLOAT32_UNIT
        gamma = self.n * u / (1 - self.n * u)
        margin = gamma * (1 + u) ** 2 + 2 * u + u * u + _FLOAT64_SLACK
        size = np.abs(gram)
        correlated = self.lower & (size > self.correlation_limit + margin)
        unsure = self.lower & (size >= self.correlation_limit - margin) & (size <= self.correlation_limit + margin)
        units = _RowCache(self.rows, unit_row)
        for j, i in zip(*np.nonzero(unsure), strict=True):  # by later submission: its row stays cached
            correlated[j, i] = abs(pearson_of_units(units[i], units[j])) > self.correlation_limit
        return correlated

    # --- KS -----------------------------------------------------------------------------

    def resolve(self, *, all_pairs: bool) -> np.ndarray:
        """Decide KS pairs level by level; return the (S x S) "similar" matrix.

        With ``all_pairs`` every pair is decided; otherwise only those that can still
        change a ``similar_to``.
        """
        if self.n_subs < 2 or self.n == 0:
            return self.correlated | (self.ks == 1)
        strides = self._strides()
        if strides[-1] > 1:
            strides.append(1)  # the exact decision on the sorted rows
        self._screen_all_pairs(strides[0])
        for stride in strides[1:]:
            pairs = self._open_pairs(all_pairs)
            if not len(pairs):
                break
            self._screen_pairs(pairs, stride)
        return self.correlated | (self.ks == 1)

    def _strides(self) -> list[int]:
        """Grid strides from coarse to the stored one: a coarse grid's unsure band is
        ``M +- 2 s``, so the first stride is at most ``M / 8`` (KS within 25% of the limit)."""
        stride = self.fine_stride
        while stride * 4 <= self.m // 8:
            stride *= 4
        strides = []
        while stride >= self.fine_stride:
            strides.append(stride)
            stride //= 4
        return strides

    def _grid(self, stride: int) -> np.ndarray:
        """Order statistics ``min(k * stride, n - 1)`` for ``k = 0 .. last + 1`` (last repeated)."""
        if stride == self.fine_stride:
            return self.fine
        ratio = stride // self.fine_stride
        last = -(-(self.n - 1) // stride)
        return self.fine[:, np.minimum(np.arange(last + 2) * ratio, self.fine.shape[1] - 1)]

    def _windows(self, stride: int) -> tuple[slice, slice, slice, slice]:
        """Grid columns compared at a stride: ``(low, high, next, floor)``.

        Grid column ``k`` holds the order statistic ``k * stride``; ``k`` runs over the
        ``j = k * stride <= n - M - 1`` the lemma needs. ``b[low] > a[high]``, with
        ``high * stride >= j + M``, is a witness of a gap above ``M``. ``b[next] <= a[floor]``,
        with ``next`` the following grid point and ``floor * stride <= j + M``, proves every
        ``j`` of the stretch up to the next grid point (both samples are sorted).
        """
        kw = (self.n - self.m - 1) // stride
        ceil, floor = -(-self.m // stride), self.m // stride
        return slice(0, kw + 1), slice(ceil, ceil + kw + 1), slice(1, kw + 2), slice(floor, floor + kw + 1)

    def _screen_all_pairs(self, stride: int) -> None:
        """Every pair at ``stride``, in dense blocks of (later x all) submissions.

        ``beyond[a, b]`` is the lemma's witness (``b`` has ``M + 1`` values fewer than ``a``
        up to some point), ``bracketed[a, b]`` the proof that it never has; a pair needs
        neither direction's witness and both directions' proofs to be similar. The proof
        is only computed against submissions that some pair of the block still needs.
        """
        grid = self._grid(stride)
        low, high, step, floor = (np.ascontiguousarray(grid[:, w]) for w in self._windows(stride))
        if stride > 1:
            # The dense witness in float32: rounding is monotone, so x32 > y32 still
            # implies x > y; a witness lost to rounding leaves the pair to the next level.
            low, high = low.astype(np.float32), high.astype(np.float32)
        beyond = np.zeros((self.n_subs, self.n_subs), bool)

        def witness(block: slice) -> None:
            beyond[block] = (low[None, :, :] > high[block, None, :]).any(axis=2)

        _run_blocks(witness, self.n_subs, _ROW_BLOCK)
        above = beyond | beyond.T
        self.ks[self.lower & above] = -1
        open_pairs = ~above & ~np.eye(self.n_subs, dtype=bool)
        if stride == 1:  # the witness is the whole decision on the sorted rows
            self.ks[self.lower & open_pairs] = 1
            return
        bracketed = np.zeros_like(beyond)

        def proof(block: slice) -> None:
            needed = np.flatnonzero(open_pairs[block].any(axis=0))
            bracketed[block, needed] = (step[None, needed, :] <= floor[block, None, :]).all(axis=2)

        _run_blocks(proof, self.n_subs, _ROW_BLOCK)
        self.ks[self.lower & open_pairs & bracketed & bracketed.T] = 1

    def _open_pairs(self, all_pairs: bool) -> np.ndarray:
        """``[later, earlier]`` rows of the pairs still unsure that can matter."""
        unsure = self.lower & (self.ks == 0)
        if not all_pairs:
            known = self.correlated | (self.ks == 1)
            first = np.where(known.any(axis=1), known.argmax(axis=1), self.n_subs)
            unsure &= ~self.correlated & (np.arange(self.n_subs)[None, :] < first[:, None])
        return np.argwhere(unsure)

    def _screen_pairs(self, pairs: np.ndarray, stride: int) -> None:
        """Pairs gathered from a grid (or, at stride 1, their sorted rows, exactly)."""
        if stride == 1:
            self._exact_pairs(pairs)
            return
        grid = self._grid(stride)
        low, high, step, floor = self._windows(stride)

        def work(block: slice) -> None:
            chunk = pairs[block]
            a, b = grid[chunk[:, 0]], grid[chunk[:, 1]]
            above = (b[:, low] > a[:, high]).any(axis=1) | (a[:, low] > b[:, high]).any(axis=1)
            below = (b[:, step] <= a[:, floor]).all(axis=1) & (a[:, step] <= b[:, floor]).all(axis=1)
            self.ks[chunk[above, 0], chunk[above, 1]] = -1
            self.ks[chunk[below & ~above, 0], chunk[below & ~above, 1]] = 1

        _run_blocks(work, len(pairs), _PAIR_CHUNK)

    def _exact_pairs(self, pairs: np.ndarray) -> None:
        """The lemma on the full sorted rows: the decision itself (rows re-sorted as needed)."""
        ordered = _RowCache(self.rows, np.sort)
        for start in range(0, len(pairs), _EXACT_CHUNK):
            chunk = pairs[start : start + _EXACT_CHUNK]
            if self.fine_stride == 1:  # the stored grid is every order statistic
                a, b = self.fine[chunk[:, 0], : self.n], self.fine[chunk[:, 1], : self.n]
            else:
                a = np.stack([ordered[j] for j in chunk[:, 0]])
                b = np.stack([ordered[i] for i in chunk[:, 1]])
            above = excess_beyond(a, b, self.m) | excess_beyond(b, a, self.m)
            self.ks[chunk[:, 0], chunk[:, 1]] = np.where(above, -1, 1)
