"""Reading a prediction file: its bytes to the id and probability columns, or why not.

The format (CSV or Parquet) is told from the bytes (:func:`client.core.tables.sniff_format`).
The shape is bounded before anything is decoded: a CSV's header line, separators and line
count are counted on the bytes, a Parquet file's footer is read first
(:func:`client.core.tables.open_bounded_parquet`), and only the two columns the header
names are decoded. The header's own problems (missing, repeated or extra columns) are
reported here, each as a sentence saying what to fix.
"""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from client.core.tables import (
    TableLimits,
    open_bounded_parquet,
    read_bounded_columns,
    short,
    sniff_format,
)

PROBABILITY_ALIASES = ("probability", "prediction")
# Shapes refused before parsing (a prediction file has two columns and one row per id):
# a header of more columns or bytes than this, or more rows than twice the round's ids.
MAX_COLUMNS = 8
MAX_HEADER_BYTES = 1024
_BOM = b"\xef\xbb\xbf"


def read_columns(raw: bytes, limits: TableLimits) -> tuple[str, pa.Table | None, list[str]]:
    """(format, the (id, probability) table or None, problems) of a file's bytes; a
    TableFormatError when they are neither CSV nor a readable Parquet file."""
    fmt = sniff_format(raw)
    table, problems = _read_csv(raw, limits) if fmt == "csv" else _read_parquet(raw, limits)
    return fmt, table, problems


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


def header_problems(header: list[str]) -> list[str]:
    """What is wrong with a prediction file's column names, as an upload words it (empty
    when they are an id and a probability column)."""
    return _pick_columns(header)[2]


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


def _columns(header: list[str]) -> str:
    return ", ".join(repr(short(h)) for h in header) if header else "none"


def _arrow_csv_problem(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0]
    if "UTF8" in message or "utf8" in message.lower():
        return "the file is not UTF-8 text; save the CSV with UTF-8 encoding."
    detail = message.replace("CSV parse error: ", "")
    return f"the CSV rows are malformed ({detail}); check for stray commas or quotes."
