"""Validation: a prediction file checked against one round's ids, every problem at once.

:class:`PredictionValidator` prepares a round once (its id lookup and canonical hasher)
and checks each upload: size, the file's shape and header (:mod:`.reading`), then the ids
(every tournament id exactly once, nothing else) and the probabilities (numbers in
[0, 1]), each problem a sentence saying what to fix. An accepted file becomes the frame
of the round's ids in order with probabilities rounded to 6 decimals, and its canonical
hash (:mod:`.hashing`). A clean upload is checked in one pass over its Arrow buffers
(:mod:`.columns`); only a file with problems takes the thorough path that words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from client.core.predictions.columns import (
    FixedWidthIds,
    clean_ids,
    unit_interval_values,
)
from client.core.predictions.hashing import SCALE, CanonicalHasher, to_micro
from client.core.predictions.reading import MAX_COLUMNS, read_columns
from client.core.tables import TableFormatError, TableLimits

# The largest prediction file a tournament accepts unless its operator sets another limit.
MAX_PREDICTION_BYTES = 20 * 1024 * 1024
_EXAMPLES = 3  # how many offending values a message quotes


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of validating one upload.

    ``ok`` is True when ``problems`` is empty; then ``frame`` has columns ``id`` and
    ``probability`` (float64, 6 decimals) in the round's expected id order, ``hash``
    is the canonical bytes32 hex hash and ``columns`` the file's names of those two
    columns (with ``rows``, the shape a sealed round's commitment reports). Otherwise
    ``frame`` and ``hash`` are None.
    """

    problems: list[str]
    frame: pd.DataFrame | None = None
    hash: str | None = None
    format: str | None = None
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file was accepted."""
        return not self.problems


class PredictionValidator:
    """Validates prediction files against one round's ids (prepared once, reused per upload)."""

    def __init__(self, expected_ids: Sequence[str], max_bytes: int) -> None:
        """``expected_ids``: the round's tournament ids, in the order the frame should use."""
        self.expected = pd.Index(np.asarray(expected_ids, dtype=object).astype(str), name="id")
        if self.expected.has_duplicates:
            raise ValueError("expected_ids must be unique")
        self.max_bytes = max_bytes
        self.expected.get_indexer(self.expected[:1])  # builds the hash table once, here
        self._frame_ids = pd.array(self.expected, dtype="str")
        self._hasher = CanonicalHasher(self.expected)
        # Fixed-width ids (every generated round) are matched through a 64-bit digest of
        # their bytes in a uint64 hash table, far faster than hashing 100k Python strings.
        self._fixed = FixedWidthIds.of(self._hasher.id_keys())
        # Uploaded ids are stripped before matching; when no expected id has surrounding
        # spaces, an upload whose ids all match exactly needs no stripping.
        self._ids_are_stripped = all(i == i.strip() for i in self.expected)

    def validate(self, raw: bytes, filename: str = "predictions") -> ValidationResult:
        """Check ``raw`` (the uploaded bytes) and return every problem found."""
        if not raw:
            return _rejected(f"{filename} is empty (0 bytes); upload the CSV or Parquet file with your predictions.")
        if len(raw) > self.max_bytes:
            return _rejected(
                f"{filename} is {_size(len(raw))}, over the {_size(self.max_bytes)} limit; "
                f"upload only the id and probability columns ({len(self.expected):,} rows)."
            )
        limits = TableLimits(
            max_columns=MAX_COLUMNS,
            max_rows=2 * len(self.expected) + 10,
            max_decoded_bytes=2 * self.max_bytes,
            rows_note=f" (twice this round's {len(self.expected):,} ids; give one row per id)",
        )
        try:
            fmt, table, problems = read_columns(raw, limits)
        except TableFormatError as exc:
            return _rejected(f"{filename} could not be read: {exc}.")
        if table is None:
            return ValidationResult(problems=problems, format=fmt)
        rows = table.num_rows
        if rows == 0:
            problems.append(f"{filename} has a header but no rows; add one row per tournament id.")
            return ValidationResult(problems=problems, format=fmt)

        clean = None if problems else self._clean_upload(table.column(0), table.column(1))
        if clean is None:  # something is wrong: the thorough path finds and words every problem
            ids = clean_ids(table.column(0).to_pandas())
            probabilities, probability_problems = _clean_probabilities(table.column(1).to_pandas())
            positions, id_problems = self._match_ids(ids)
            problems += id_problems + probability_problems
            if problems:
                return ValidationResult(problems=problems, format=fmt, rows=rows)
        else:
            positions, probabilities = clean

        aligned = np.empty(len(self.expected), dtype=np.float64)
        aligned[positions] = probabilities
        micro = to_micro(aligned)
        frame = pd.DataFrame({"id": self._frame_ids, "probability": micro / SCALE})
        return ValidationResult(problems=[], frame=frame, hash=self._hasher.hash(micro), format=fmt, rows=rows,
                                columns=tuple(table.column_names))

    def _clean_upload(self, ids: pa.ChunkedArray, probabilities: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions, probabilities) when every id of the round appears exactly once,
        unpadded, and every probability is a number in [0, 1]; else None.

        Checked on the Arrow buffers without building Python strings or a pandas frame:
        the common upload costs one pass over its bytes."""
        if self._fixed is None or not self._ids_are_stripped or len(ids) != len(self.expected):
            return None
        values = unit_interval_values(probabilities)
        keys = None if values is None else self._fixed.keys_of(ids)
        if keys is None:
            return None
        if self._fixed.in_order(keys):  # rows in the round's own order, as most files are
            return np.arange(len(keys)), values
        positions = self._fixed.positions(keys)
        if positions.min() < 0 or np.bincount(positions, minlength=len(keys)).max() > 1:
            return None
        return positions, values

    def _match_ids(self, ids: pd.Series) -> tuple[np.ndarray, list[str]]:
        problems = []
        missing_id = ids.isna().to_numpy()
        if missing_id.any():
            problems.append(
                f"{int(missing_id.sum()):,} row(s) have no id (first at row {_first_row(missing_id)}); "
                "every row needs the id of a tournament row."
            )
        positions = self._positions(ids)
        unknown = (positions < 0) & ~missing_id
        if unknown.any():
            problems.append(
                f"{int(unknown.sum()):,} id(s) are not in this round's tournament data "
                f"(e.g. {_quote(pd.Series(ids[unknown].unique()))}); predict exactly the ids of the validation, "
                "test and live rows of this round's dataset."
            )
        counts = np.bincount(positions[positions >= 0], minlength=len(self.expected))
        repeated = np.flatnonzero(counts > 1)
        unknown_repeats = ids[unknown][ids[unknown].duplicated()].unique()
        if len(repeated) or len(unknown_repeats):
            examples = [str(x) for x in self.expected[repeated[:_EXAMPLES]]] + list(unknown_repeats[:_EXAMPLES])
            problems.append(
                f"{len(repeated) + len(unknown_repeats):,} id(s) appear more than once "
                f"(e.g. {', '.join(repr(e) for e in examples[:_EXAMPLES])}); give one row per id."
            )
        absent = np.flatnonzero(counts == 0)
        if len(absent):
            problems.append(
                f"{len(absent):,} of the round's {len(self.expected):,} tournament ids have no "
                f"prediction (e.g. {_quote(pd.Series(self.expected[absent[:_EXAMPLES]]))}); "
                "include a row for every id in the tournament data."
            )
        return positions, problems

    def _positions(self, ids: pd.Series) -> np.ndarray:
        """Index of each uploaded id in the expected ids, -1 where unknown or missing."""
        keys = None if self._fixed is None else self._fixed.keys_of(ids)
        if keys is None:
            return self.expected.get_indexer(ids.array)
        return self._fixed.positions(keys)


def validate_predictions(
    raw: bytes, filename: str, expected_ids: Sequence[str], max_bytes: int
) -> ValidationResult:
    """Validate one uploaded prediction file against the round's ids.

    ``expected_ids`` are the round's tournament ids (validation, test and live rows);
    the accepted ``frame`` follows their order. Files over ``max_bytes`` are refused
    before parsing. Every problem is reported, each as a sentence saying what to fix.
    """
    return PredictionValidator(expected_ids, max_bytes).validate(raw, filename)


def _clean_probabilities(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    problems = []
    if pd.api.types.is_float_dtype(column) or pd.api.types.is_integer_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        non_numeric = np.zeros(len(values), dtype=bool)
    else:
        text = column.astype("str").str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        blank = column.isna().to_numpy() | text.str.lower().isin(["", "nan", "na", "null", "none"]).to_numpy()
        non_numeric = np.isnan(values) & ~blank
        if non_numeric.any():
            problems.append(
                f"{int(non_numeric.sum()):,} probabilit{'y is' if non_numeric.sum() == 1 else 'ies are'} not a "
                f"number (e.g. {_quote(text[non_numeric])} at row {_first_row(non_numeric)}); "
                "write plain decimals such as 0.51."
            )
    empty = np.isnan(values) & ~non_numeric
    if empty.any():
        problems.append(
            f"{int(empty.sum()):,} probabilit{'y is' if empty.sum() == 1 else 'ies are'} empty or NaN "
            f"(first at row {_first_row(empty)}); every id needs a probability between 0 and 1."
        )
    infinite = np.isinf(values)
    if infinite.any():
        problems.append(
            f"{int(infinite.sum()):,} probabilit{'y is' if infinite.sum() == 1 else 'ies are'} infinite "
            f"(first at row {_first_row(infinite)}); use values between 0 and 1."
        )
    finite = np.isfinite(values)
    outside = finite & ((values < 0) | (values > 1))
    if outside.any():
        bad = values[outside]
        problems.append(
            f"{int(outside.sum()):,} probabilit{'y is' if outside.sum() == 1 else 'ies are'} outside [0, 1] "
            f"(min {bad.min():g}, max {bad.max():g}, first at row {_first_row(outside)}); "
            "submit the probability that target is 1, not a score or a class label."
        )
    return values, problems


def _rejected(problem: str) -> ValidationResult:
    return ValidationResult(problems=[problem])


def _first_row(mask: np.ndarray) -> int:
    """1-based data row (the header is not counted) of the first True in ``mask``."""
    return int(np.argmax(mask)) + 1


def _quote(values: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in list(values[:_EXAMPLES]))


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 100_000 else f"{n_bytes:,} bytes"
