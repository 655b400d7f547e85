"""Read a tabular file (CSV or Parquet) from bytes, telling the formats apart by content.

Uploads and operator files arrive with whatever name a person gave them, so the format is
decided by the file's first bytes (Parquet starts and ends with ``PAR1``), never by the
extension. The prediction validator and the operator's obfuscation tool both read through
here, so both accept exactly the same files.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PARQUET_MAGIC = b"PAR1"

# Formats people upload by mistake, by their leading bytes, with what to do instead.
_KNOWN_NON_TABLES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook; export the sheet as CSV or unzip it"),
    (b"\x1f\x8b", "gzip-compressed; decompress it and upload the CSV itself"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"BZh", "bzip2-compressed; decompress it and upload the CSV itself"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file; export the sheet as CSV"),
)


class TableFormatError(ValueError):
    """The bytes are not a CSV or Parquet table; the message says what they look like."""


def sniff_format(raw: bytes) -> str:
    """Return ``"parquet"`` or ``"csv"`` for ``raw``, or raise :class:`TableFormatError`.

    Parquet is recognised by its magic number at both ends; anything else must look like
    text (no NUL bytes, and not one of the well-known binary formats) to count as CSV.
    """
    if raw.startswith(PARQUET_MAGIC) and raw.endswith(PARQUET_MAGIC) and len(raw) >= 12:
        return "parquet"
    if raw.startswith(PARQUET_MAGIC):
        raise TableFormatError(
            "the file starts like Parquet but is truncated or corrupt; write it again"
        )
    for magic, what in _KNOWN_NON_TABLES:
        if raw.startswith(magic):
            raise TableFormatError(f"the file is {what}, not a CSV or Parquet table")
    if b"\x00" in raw[:65536]:
        raise TableFormatError(
            "the file is binary, not a CSV or Parquet table (CSV must be plain text)"
        )
    return "csv"


@dataclass(frozen=True)
class TableLimits:
    """Bounds a Parquet file must meet before its data is decoded.

    Parquet compresses (and dictionary-encodes) so well that a small file can decode to
    gigabytes; these are checked from the footer metadata and the dictionaries, before
    any column is materialised. ``rows_note`` follows the row limit in messages (why it is
    what it is).
    """

    max_columns: int
    max_rows: int
    max_decoded_bytes: int
    rows_note: str = ""


def read_parquet_bytes(raw: bytes, limits: TableLimits | None = None) -> pd.DataFrame:
    """Parse Parquet bytes; a saved pandas index comes back as an ordinary column.

    With ``limits``, a file with too many columns or rows, a non-flat column, or more
    decoded bytes than allowed is refused (:class:`TableFormatError`) before decoding.
    """
    if limits is not None:
        bounded = open_bounded_parquet(raw, limits)
        return read_bounded_columns(bounded, range(len(bounded.names))).to_pandas()
    try:
        table = pq.ParquetFile(io.BytesIO(raw)).read()
    except (pa.ArrowException, OSError) as exc:
        raise TableFormatError(f"the Parquet file could not be read ({_first_line(exc)})") from exc
    frame = table.to_pandas()
    # A named pandas index (e.g. ``id``) is data; an unnamed one is row numbering.
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


@dataclass(frozen=True)
class BoundedParquet:
    """A Parquet file whose footer passed the limits; no column decoded yet.

    ``names`` are the columns as :func:`read_parquet_bytes` shows them (a named pandas
    index first, an unnamed one dropped); ``fields[i]`` is where column ``names[i]`` is
    stored in the file, under the name ``stored[fields[i]]``.
    """

    raw: bytes
    names: list[str]
    fields: list[int]
    stored: list[str]
    text: frozenset[int]
    limits: TableLimits


def open_bounded_parquet(raw: bytes, limits: TableLimits) -> BoundedParquet:
    """Check the footer (columns, rows, types, declared size) against ``limits``; read no data."""
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        metadata, schema = parquet.metadata, parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise TableFormatError(f"the Parquet file could not be read ({_first_line(exc)})") from exc
    if metadata.num_columns > limits.max_columns:
        raise TableFormatError(
            f"the Parquet file has {metadata.num_columns:,} columns, over the limit of {limits.max_columns}"
        )
    if metadata.num_rows > limits.max_rows:
        raise TableFormatError(
            f"the Parquet file has {metadata.num_rows:,} rows, over the limit of {limits.max_rows:,}{limits.rows_note}"
        )
    text = set()
    for position, column in enumerate(schema):
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if _is_text(kind):
            text.add(position)
        elif not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
                  or pa.types.is_null(kind)):  # fmt: skip
            raise TableFormatError(f"column {short(column.name)!r} is of type {kind}, not numbers or text")
    encoded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if encoded > limits.max_decoded_bytes:
        raise TableFormatError(
            f"the Parquet file's data is {encoded / 1e6:.1f} MB uncompressed, over the limit "
            f"of {limits.max_decoded_bytes / 1e6:.1f} MB"
        )
    names, fields = _pandas_columns(schema)
    return BoundedParquet(raw, names, fields, schema.names, frozenset(text), limits)


def _pandas_columns(schema: pa.Schema) -> tuple[list[str], list[int]]:
    """Column names and stored positions as pandas would show them after reset_index."""
    stored = list(range(len(schema)))
    index_fields = [f for f in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(f, str)]
    index_names = {c.get("field_name"): c.get("name") for c in (schema.pandas_metadata or {}).get("columns", [])}
    index_positions = [schema.names.index(f) for f in index_fields if f in schema.names]
    data = [p for p in stored if p not in index_positions]
    if not any(index_names.get(schema.names[p]) is not None for p in index_positions):
        return [schema.names[p] for p in data], data  # an unnamed index is row numbering
    single = len(index_positions) == 1
    index_labels = [index_names.get(schema.names[p]) or ("index" if single else f"level_{i}")
                    for i, p in enumerate(index_positions)]  # fmt: skip
    return index_labels + [schema.names[p] for p in data], index_positions + data


def read_bounded_columns(bounded: BoundedParquet, columns: Iterable[int]) -> pa.Table:
    """Decode the columns at ``columns`` (positions in ``bounded.names``), plain-typed.

    Text is read dictionary-encoded, so repeated values stay one copy until the decoded
    size (every row's string length, summed) is known to be within the limit."""
    wanted = [bounded.fields[c] for c in columns]
    text_fields = [f for f in wanted if f in bounded.text]
    try:
        parquet = pq.ParquetFile(io.BytesIO(bounded.raw), read_dictionary=[bounded.stored[f] for f in text_fields])
        table = parquet.reader.read_all(column_indices=wanted)
    except (pa.ArrowException, OSError) as exc:
        raise TableFormatError(f"the Parquet file could not be read ({_first_line(exc)})") from exc
    decoded = 0
    for column in table.columns:
        if not (pa.types.is_dictionary(column.type) and _is_text(column.type.value_type)):
            decoded += 8 * len(column)
            continue
        for chunk in column.chunks:
            lengths = pc.binary_length(chunk.dictionary)
            decoded += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
    if decoded > bounded.limits.max_decoded_bytes:
        raise TableFormatError(
            f"the Parquet file decodes to {decoded / 1e6:.1f} MB of data, over the limit "
            f"of {bounded.limits.max_decoded_bytes / 1e6:.1f} MB"
        )
    arrays = [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
              for column in table.columns]  # fmt: skip
    return pa.Table.from_arrays(arrays, names=[bounded.names[c] for c in columns])


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)


def short(name: object, width: int = 40) -> str:
    """``name`` as text, cut to ``width`` characters (a column name quoted in a message)."""
    text = str(name)
    return text if len(text) <= width else text[: width - 1] + "…"


def _first_line(exc: Exception) -> str:
    return short(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 200)


def read_table_bytes(raw: bytes, **csv_options: object) -> pd.DataFrame:
    """Parse CSV or Parquet ``raw`` bytes into a DataFrame (format sniffed from content).

    ``csv_options`` go to :func:`pandas.read_csv` (ignored for Parquet).
    """
    if sniff_format(raw) == "parquet":
        return read_parquet_bytes(raw)
    try:
        return pd.read_csv(io.BytesIO(raw), **csv_options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TableFormatError(f"the CSV file could not be read ({exc})") from exc


def read_table(path: str | Path, **csv_options: object) -> pd.DataFrame:
    """Read a CSV or Parquet file from disk, whatever its extension."""
    return read_table_bytes(Path(path).read_bytes(), **csv_options)
