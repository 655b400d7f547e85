"""Hashing: the canonical text of a round's predictions and its SHA-256 (the bytes32 a
stake commits to).

The text is ``id,probability\\n`` then one ``<id>,<d.dddddd>\\n`` line per id, ids sorted
by their UTF-8 bytes (see :mod:`client.core.predictions`). :class:`CanonicalHasher`
prepares a round's lines once, as a packed record array whose probability digits are
filled in vectorised per upload; :func:`canonical_text` and :func:`canonical_hash` write
the same bytes for any frame, for checking a hash by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

PROBABILITY_DECIMALS = 6
CANONICAL_HEADER = b"id,probability\n"
SCALE = 10**PROBABILITY_DECIMALS  # micro-units: a probability's 6 decimals as an integer


def to_micro(probabilities: np.ndarray) -> np.ndarray:
    """Probabilities rounded to their 6 decimals, as int64 micro-units."""
    return np.rint(probabilities * SCALE).astype(np.int64)


class CanonicalHasher:
    """The canonical hash of predictions for one round's ids (prepared once, reused per upload)."""

    def __init__(self, ids: pd.Index) -> None:
        """`ids`: the round's ids; :meth:`hash` takes micro-unit probabilities in their order."""
        self.order = np.argsort(np.asarray(ids, dtype=object).astype("U"), kind="stable")
        self._sorted_ids = ids[self.order]
        self._template = _canonical_template(self._sorted_ids)

    def id_keys(self) -> np.ndarray | None:
        """The ids' UTF-8 bytes as one ``S{width}`` array in the ids' own order, when the
        fast template holds them (every id one byte length), else None."""
        if self._template is None:
            return None
        keys = np.empty(len(self.order), dtype=self._template["id"].dtype)
        keys[self.order] = self._template["id"]
        return keys

    def hash(self, micro: np.ndarray) -> str:
        """``"0x"`` + SHA-256 hex of the canonical text of `micro` (in the ids' order)."""
        ordered = micro[self.order]
        if self._template is None:
            body = _canonical_lines(self._sorted_ids, ordered)
        else:
            records = self._template.view(np.uint8).copy().view(self._template.dtype)  # one memcpy
            _write_probability_digits(records, ordered)
            body = records.view(np.uint8)
        digest = hashlib.sha256(CANONICAL_HEADER)
        digest.update(body)
        return "0x" + digest.hexdigest()


def canonical_text(frame: pd.DataFrame) -> bytes:
    """The canonical serialisation of an ``id, probability`` frame (what the hash covers)."""
    ids = frame["id"].astype(str).to_numpy()
    order = np.argsort(ids.astype("U"), kind="stable")
    micro = to_micro(frame["probability"].to_numpy(dtype=np.float64))
    return CANONICAL_HEADER + _canonical_lines(ids[order], micro[order])


def canonical_hash(frame: pd.DataFrame) -> str:
    """``"0x"`` + SHA-256 hex of :func:`canonical_text` (bytes32-compatible)."""
    return "0x" + hashlib.sha256(canonical_text(frame)).hexdigest()


def _canonical_template(ids: pd.Index) -> np.ndarray | None:
    """The canonical lines as a packed record array, probabilities left to fill.

    Each record is ``<id>,`` + 8 bytes ``d.dddddd`` + newline. Only when every id has one
    byte length and no separator (true of generated rounds); other rounds go through
    :func:`_canonical_lines`, which writes the same bytes more slowly.
    """
    encoded = [str(i).encode() for i in ids]
    widths = {len(e) for e in encoded}
    if len(widths) != 1 or any(b"," in e or b"\n" in e for e in encoded):
        return None
    record = np.dtype([("id", f"S{widths.pop()}"), ("comma", "S1"), ("p", "<u8"), ("newline", "S1")])
    template = np.empty(len(encoded), dtype=record)
    template["id"] = encoded
    template["comma"] = b","
    template["newline"] = b"\n"
    return template


# "0.000000" as a little-endian 8-byte word (byte k is the k-th character), and each
# three-digit group 000..999 as the byte offsets it adds to its three characters.
_ZERO_WORD = np.uint64(int.from_bytes(b"0.000000", "little"))
_TRIPLES = np.array(
    [int.from_bytes(bytes(int(d) for d in f"{n:03d}"), "little") for n in range(1000)], dtype=np.uint64
)


def _write_probability_digits(template: np.ndarray, micro: np.ndarray) -> None:
    """Fill each record's ``d.dddddd`` from micro-unit probabilities (vectorised)."""
    units, rest = np.divmod(micro, SCALE)
    high, low = np.divmod(rest, 1000)
    word = _ZERO_WORD + units.astype(np.uint64)
    word += _TRIPLES[high] << np.uint64(16)
    word += _TRIPLES[low] << np.uint64(40)
    template["p"] = word


def _canonical_lines(ids: Sequence[str], micro: np.ndarray) -> bytes:
    return "".join(
        f"{i},{m // SCALE}.{m % SCALE:0{PROBABILITY_DECIMALS}d}\n" for i, m in zip(ids, micro.tolist(), strict=True)
    ).encode()
