"""Prediction files: parse, validate (every problem at once), align, and hash.

A prediction file is a table with two columns: ``id`` and ``probability`` (the
probability that ``target`` is 1). Numerai's newer column name ``prediction`` is accepted
as an alias of ``probability``; header names are matched case-insensitively and ignoring
surrounding spaces. The file may be CSV (UTF-8, comma-separated, optional BOM) or
Parquet; the format is recognised from the file's bytes, never from its name.

Accepted files hash to ``"0x" + 64 hex digits`` (bytes32, the value a stake commits to):
the SHA-256 of the canonical text

    id,probability\\n
    <id>,<probability with exactly 6 decimals>\\n      (one line per id, ids sorted
    ...                                                  by their UTF-8 bytes)

so the same predictions give the same hash whether uploaded as CSV or Parquet, in any
row order. The accepted frame holds the probabilities rounded to those 6 decimals, so
what is scored is exactly what was hashed. ``canonical_text`` returns that text for
anyone who wants to check a hash by hand.

Use :class:`PredictionValidator` to validate many uploads against one round (the id
lookup is built once); :func:`validate_predictions` is the one-shot form. The server
validates uploads with it and the client checks a file with it before uploading, so both
refuse the same files with the same messages.

One job past ~350 lines: turning a prediction file into the exact frame and hash a stake
commits to. Parsing, the checks and the canonical hash share the vectorised id and
probability representation (fixed-width id keys, micro-unit integers), so splitting them
would pass those internals between modules.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from client.core.tables import (
    TableFormatError,
    TableLimits,
    open_bounded_parquet,
    read_bounded_columns,
    short,
    sniff_format,
)

# The largest prediction file a tournament accepts unless its operator sets another limit.
MAX_PREDICTION_BYTES = 20 * 1024 * 1024
PROBABILITY_DECIMALS = 6
PROBABILITY_ALIASES = ("probability", "prediction")
CANONICAL_HEADER = b"id,probability\n"
_EXAMPLES = 3  # how many offending values a message quotes
_BOM = b"\xef\xbb\xbf"
_SCALE = 10**PROBABILITY_DECIMALS
# Shapes refused before parsing (a prediction file has two columns and one row per id):
# a header of more columns or bytes than this, or more rows than twice the round's ids.
MAX_COLUMNS = 8
MAX_HEADER_BYTES = 1024


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of validating one upload.

    ``ok`` is True when ``problems`` is empty; then ``frame`` has columns ``id`` and
    ``probability`` (float64, 6 decimals) in the round's expected id order and ``hash``
    is the canonical bytes32 hex hash. Otherwise ``frame`` and ``hash`` are None.
    """

    problems: list[str]
    frame: pd.DataFrame | None = None
    hash: str | None = None
    format: str | None = None
    rows: int = 0
    notes: list[str] = field(default_factory=list)

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
        self._sorted = np.argsort(np.asarray(self.expected, dtype=object).astype("U"), kind="stable")
        self._template = _canonical_template(self.expected[self._sorted])
        # Fixed-width ids (every generated round) are matched through a 64-bit digest of
        # their bytes in a uint64 hash table, far faster than hashing 100k Python strings.
        self._keys = None
        if self._template is not None:
            keys = np.empty(len(self.expected), dtype=self._template["id"].dtype)
            keys[self._sorted] = self._template["id"]
            digests = pd.Index(_digest64(keys))
            if digests.is_unique:  # no two expected ids share a digest
                digests.get_indexer(digests[:1])  # builds the uint64 hash table once
                self._keys, self._digests = keys, digests
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
            fmt = sniff_format(raw)
            table, problems = _read_csv(raw, limits) if fmt == "csv" else _read_parquet(raw, limits)
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
            ids = _clean_ids(table.column(0).to_pandas())
            probabilities, probability_problems = _clean_probabilities(table.column(1).to_pandas())
            positions, id_problems = self._match_ids(ids)
            problems += id_problems + probability_problems
            if problems:
                return ValidationResult(problems=problems, format=fmt, rows=rows)
        else:
            positions, probabilities = clean

        aligned = np.empty(len(self.expected), dtype=np.float64)
        aligned[positions] = probabilities
        micro = np.rint(aligned * _SCALE).astype(np.int64)
        frame = pd.DataFrame({"id": self._frame_ids, "probability": micro / _SCALE})
        return ValidationResult(problems=[], frame=frame, hash=self._hash(micro), format=fmt, rows=rows)

    def _clean_upload(self, ids: pa.ChunkedArray, probabilities: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions, probabilities) when every id of the round appears exactly once,
        unpadded, and every probability is a number in [0, 1]; else None.

        Checked on the Arrow buffers without building Python strings or a pandas frame:
        the common upload costs one pass over its bytes."""
        if self._keys is None or not self._ids_are_stripped or len(ids) != len(self.expected):
            return None
        values = _unit_interval_values(probabilities)
        keys = None if values is None else _fixed_width_keys(ids, self._keys.dtype.itemsize)
        if keys is None:
            return None
        if _same_bytes(keys, self._keys):  # rows in the round's own order, as most files are
            return np.arange(len(keys)), values
        positions = self._lookup(keys)
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
        keys = None if self._keys is None else _fixed_width_keys(ids, self._keys.dtype.itemsize)
        if keys is None:
            return self.expected.get_indexer(ids.array)
        return self._lookup(keys)

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Position of each fixed-width key in the expected ids, -1 where unknown."""
        candidate = self._digests.get_indexer(_digest64(keys))
        # A digest match is confirmed on the bytes themselves, so collisions cannot mislead.
        positions = np.where(candidate >= 0, candidate, -1)
        differing_bytes = np.flatnonzero(self._keys[candidate].view(np.uint8) != keys.view(np.uint8))
        positions[differing_bytes // keys.dtype.itemsize] = -1
        return positions

    def _hash(self, micro: np.ndarray) -> str:
        ordered = micro[self._sorted]
        if self._template is None:
            body = _canonical_lines(self.expected[self._sorted], ordered)
        else:
            records = self._template.view(np.uint8).copy().view(self._template.dtype)  # one memcpy
            _write_probability_digits(records, ordered)
            body = records.view(np.uint8)
        digest = hashlib.sha256(CANONICAL_HEADER)
        digest.update(body)
        return "0x" + digest.hexdigest()


def validate_predictions(
    raw: bytes, filename: str, expected_ids: Sequence[str], max_bytes: int
) -> ValidationResult:
    """Validate one uploaded prediction file against the round's ids.

    ``expected_ids`` are the round's tournament ids (validation, test and live rows);
    the accepted ``frame`` follows their order. Files over ``max_bytes`` are refused
    before parsing. Every problem is reported, each as a sentence saying what to fix.
    """
    return PredictionValidator(expected_ids, max_bytes).validate(raw, filename)


def canonical_text(frame: pd.DataFrame) -> bytes:
    """The canonical serialisation of an ``id, probability`` frame (what the hash covers)."""
    ids = frame["id"].astype(str).to_numpy()
    order = np.argsort(ids.astype("U"), kind="stable")
    micro = np.rint(frame["probability"].to_numpy(dtype=np.float64) * _SCALE).astype(np.int64)
    return CANONICAL_HEADER + _canonical_lines(ids[order], micro[order])


def canonical_hash(frame: pd.DataFrame) -> str:
    """``"0x"`` + SHA-256 hex of :func:`canonical_text` (bytes32-compatible)."""
    return "0x" + hashlib.sha256(canonical_text(frame)).hexdigest()


# --- parsing ---------------------------------------------------------------------------


def _read_csv(raw: bytes, limits: TableLimits) -> tuple[pa.Table | None, list[str]]:
    """Parse CSV bytes into a two-column (id, probability) frame, or explain why not.

    The shape is bounded first, by counting bytes (linear): the header's length and
    separators, and the number of lines."""
    body = raw.removeprefix(_BOM)
    end = body.find(b"\n", 0, MAX_HEADER_BYTES + 2)
    if end < 0 and len(body) > MAX_HEADER_BYTES + 1:
        return None, [f"the header line is over {MAX_HEADER_BYTES:,} bytes; the first line must be just id,probability."]
    header_line = (body if end < 0 else body[:end]).rstrip(b"\r")
    separators = max(header_line.count(b","), header_line.count(b";"), header_line.count(b"\t"))
    if separators >= limits.max_columns:
        problem = (
            f"the header has {separators + 1:,} columns, over the limit of {limits.max_columns}; "
            "the file must have only id and probability."
        )
        return None, [problem]
    lines = np.count_nonzero(np.frombuffer(body, dtype=np.uint8) == ord("\n")) + (not body.endswith(b"\n"))
    if lines - 1 > limits.max_rows:
        return None, [f"the file has {lines - 1:,} rows, over the limit of {limits.max_rows:,}{limits.rows_note}."]
    try:
        header = next(csv.reader([header_line.decode("utf-8")]), [])
    except UnicodeDecodeError:
        return None, ["the file is not UTF-8 text; save the CSV with UTF-8 encoding."]
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and separator in header[0]:
            return None, [f"columns are separated by {name}; use commas (a standard CSV)."]
    id_column, probability_column, problems = _pick_columns(header)
    if id_column is None or probability_column is None:
        return None, problems
    if len(set(header)) != len(header):
        return None, problems  # which of two same-named columns to read is ambiguous
    options = pa_csv.ConvertOptions(
        column_types={header[id_column]: pa.string()},
        include_columns=[header[id_column], header[probability_column]],
    )
    try:
        table = pa_csv.read_csv(pa.py_buffer(body), convert_options=options)
    except pa.ArrowInvalid as exc:
        return None, problems + [_arrow_csv_problem(exc)]
    return table.select([header[id_column], header[probability_column]]), problems


def _read_parquet(raw: bytes, limits: TableLimits) -> tuple[pa.Table | None, list[str]]:
    """The id and probability columns only: the footer names them, so nothing else is decoded."""
    bounded = open_bounded_parquet(raw, limits)
    id_column, probability_column, problems = _pick_columns([str(c) for c in bounded.names])
    if id_column is None or probability_column is None:
        return None, problems
    return read_bounded_columns(bounded, [id_column, probability_column]), problems


def _pick_columns(header: list[str]) -> tuple[int | None, int | None, list[str]]:
    """Positions of the id and probability columns, and problems with the header."""
    names = [h.strip().lower() for h in header]
    problems = []
    counts = Counter(names)
    duplicated = sorted(n for n, count in counts.items() if count > 1 and n)
    if duplicated:
        problems.append(f"column(s) {', '.join(repr(short(n)) for n in duplicated)} appear more than once; keep one of each.")
    present = [alias for alias in PROBABILITY_ALIASES if alias in names]
    if len(present) > 1:
        problems.append("both 'probability' and 'prediction' columns are present; keep only one.")
    for position, name in enumerate(names):
        if name in ("", "index", "unnamed: 0"):
            problems.append(
                f"column {position + 1} has no name (a saved pandas index?); "
                "write the file with index=False so it has only id and probability."
            )
        elif name != "id" and name not in PROBABILITY_ALIASES:
            problems.append(f"unexpected column {short(header[position])!r}; the file must have only id and probability.")
    id_column = names.index("id") if "id" in names else None
    probability_column = names.index(present[0]) if present else None
    if id_column is None:
        problems.append(f"no 'id' column (found: {_columns(header)}); the first column must be named id.")
    if probability_column is None:
        problems.append(f"no 'probability' column (found: {_columns(header)}); name the column of predictions probability.")
    return id_column, probability_column, problems


_DIGEST_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _digest64(keys: np.ndarray) -> np.ndarray:
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


def _fixed_width_keys(ids: pd.Series | pa.ChunkedArray, width: int) -> np.ndarray | None:
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


def _clean_ids(column: pd.Series) -> pd.Series:
    ids = column.astype("str") if not pd.api.types.is_string_dtype(column) else column
    ids = ids.str.strip()
    return ids.where(ids != "", None)


def _same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    """Two fixed-width key arrays hold the same bytes (compared as bytes: fast, no padding rules)."""
    return a.shape == b.shape and np.array_equal(a.view(np.uint8), b.view(np.uint8))


def _unit_interval_values(column: pa.ChunkedArray) -> np.ndarray | None:
    """The column as float64 if it is numeric, complete and within [0, 1] (NaN is not), else None."""
    if column.null_count or not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        return None
    values = column.to_numpy().astype(np.float64, copy=False)
    return values if ((values >= 0) & (values <= 1)).all() else None


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


# --- canonical serialisation -----------------------------------------------------------


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
    units, rest = np.divmod(micro, _SCALE)
    high, low = np.divmod(rest, 1000)
    word = _ZERO_WORD + units.astype(np.uint64)
    word += _TRIPLES[high] << np.uint64(16)
    word += _TRIPLES[low] << np.uint64(40)
    template["p"] = word


def _canonical_lines(ids: Sequence[str], micro: np.ndarray) -> bytes:
    return "".join(
        f"{i},{m // _SCALE}.{m % _SCALE:0{PROBABILITY_DECIMALS}d}\n" for i, m in zip(ids, micro.tolist(), strict=True)
    ).encode()


# --- messages --------------------------------------------------------------------------


def _rejected(problem: str) -> ValidationResult:
    return ValidationResult(problems=[problem])


def _first_row(mask: np.ndarray) -> int:
    """1-based data row (the header is not counted) of the first True in ``mask``."""
    return int(np.argmax(mask)) + 1


def _quote(values: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in list(values[:_EXAMPLES]))


def _columns(header: list[str]) -> str:
    return ", ".join(repr(short(h)) for h in header) if header else "none"


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 100_000 else f"{n_bytes:,} bytes"


def _arrow_csv_problem(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0]
    if "UTF8" in message or "utf8" in message.lower():
        return "the file is not UTF-8 text; save the CSV with UTF-8 encoding."
    detail = message.replace("CSV parse error: ", "")
    return f"the CSV rows are malformed ({detail}); check for stray commas or quotes."
