"""Normalising the two columns: ids and probabilities in the form the checks compare.

Ids are stripped strings, or, when every id has one UTF-8 byte width (every generated
round), fixed-width byte keys read straight from Arrow's buffers and matched through a
64-bit digest in a uint64 hash table (:class:`FixedWidthIds`): far faster than hashing
100k Python strings. Probabilities are float64; a complete numeric column within [0, 1]
is taken as it is, without building a pandas frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_DIGEST_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


class FixedWidthIds:
    """A round's ids as fixed-width byte keys (in the round's order), with a digest
    index to find any key's position; build one with :meth:`of`."""

    def __init__(self, keys: np.ndarray, digests: pd.Index) -> None:
        self.keys = keys
        self.width = keys.dtype.itemsize
        self._digests = digests

    @classmethod
    def of(cls, keys: np.ndarray | None) -> FixedWidthIds | None:
        """The lookup of `keys`, or None when there are none or two share a digest."""
        if keys is None:
            return None
        digests = pd.Index(digest64(keys))
        if not digests.is_unique:
            return None
        digests.get_indexer(digests[:1])  # builds the uint64 hash table once, here
        return cls(keys, digests)

    def keys_of(self, ids: pd.Series | pa.ChunkedArray) -> np.ndarray | None:
        """Uploaded ids as keys of this width, or None if any id has another width."""
        return fixed_width_keys(ids, self.width)

    def in_order(self, keys: np.ndarray) -> bool:
        """The keys are the round's own ids in the round's own order (as most files are)."""
        return same_bytes(keys, self.keys)

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Position of each fixed-width key in the round's ids, -1 where unknown."""
        candidate = self._digests.get_indexer(digest64(keys))
        # A digest match is confirmed on the bytes themselves, so collisions cannot mislead.
        positions = np.where(candidate >= 0, candidate, -1)
        differing_bytes = np.flatnonzero(self.keys[candidate].view(np.uint8) != keys.view(np.uint8))
        positions[differing_bytes // keys.dtype.itemsize] = -1
        return positions


def digest64(keys: np.ndarray) -> np.ndarray:
    """A 64-bit digest of each fixed-width bytes key (a multiplicative mix of its 8-byte words)."""
    width = keys.dtype.itemsize
    if width % 8 == 0:  # read the bytes in place as 8-byte words
        words = np.ascontiguousarray(keys).view("<u8").reshape(len(keys), width // 8)
    else:
        raw = np.frombuffer(keys.tobytes(), dtype=np.uint8).reshape(len(keys), width)
        words = np.ascontiguousarray(np.pad(raw, ((0, 0), (0, 8 - width % 8)))).view("<u8")
    digest = np.zeros(len(keys), dtype=np.uint64)
    for column in range(words.shape[1]):
        digest = (digest ^ words[:, column]) * _DIGEST_MULTIPLIER  # wraps modulo 2**64, as meant
    return digest


def fixed_width_keys(ids: pd.Series | pa.ChunkedArray, width: int) -> np.ndarray | None:
    """The ids' UTF-8 bytes as an ``S{width}`` array (no copy), or None if any differ in width."""
    try:
        array = ids if isinstance(ids, pa.ChunkedArray) else pa.array(ids)
    except (pa.ArrowException, TypeError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count or len(array) == 0:
        return None
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        offset_type = np.int32 if pa.types.is_string(array.type) else np.int64
    else:
        return None
    lengths = pc.binary_length(array)
    if pc.min(lengths).as_py() != width or pc.max(lengths).as_py() != width:
        return None
    _, offsets, data = array.buffers()
    start = np.frombuffer(offsets, dtype=offset_type, count=1, offset=np.dtype(offset_type).itemsize * array.offset)[0]
    return np.frombuffer(data, dtype=f"S{width}", count=len(array), offset=int(start))


def same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    """Two fixed-width key arrays hold the same bytes (compared as bytes: fast, no padding rules)."""
    return a.shape == b.shape and np.array_equal(a.view(np.uint8), b.view(np.uint8))


def clean_ids(column: pd.Series) -> pd.Series:
    """The ids as stripped strings; an empty id is missing (None)."""
    ids = column.astype("str") if not pd.api.types.is_string_dtype(column) else column
    ids = ids.str.strip()
    return ids.where(ids != "", None)


def unit_interval_values(column: pa.ChunkedArray) -> np.ndarray | None:
    """The column as float64 if it is numeric, complete and within [0, 1] (NaN is not), else None."""
    if column.null_count or not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        return None
    values = column.to_numpy().astype(np.float64, copy=False)
    return values if ((values >= 0) & (values <= 1)).all() else None
