"""Read a tabular file (CSV or Parquet) from bytes, telling the formats apart by content.

Uploads and operator files arrive with whatever name a person gave them, so the format is
decided by the file's first bytes (Parquet starts and ends with ``PAR1``), never by the
extension. The prediction validator and the operator's obfuscation tool both read through
here, so both accept exactly the same files.
"""

from __future__ import annotations

import io
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
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        if limits is None:
            table = parquet.read()
        else:
            table = _read_bounded(raw, parquet, limits)
    except (pa.ArrowException, OSError) as exc:
        raise TableFormatError(f"the Parquet file could not be read ({_first_line(exc)})") from exc
    frame = table.to_pandas()
    # A named pandas index (e.g. ``id``) is data; an unnamed one is row numbering.
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


def _read_bounded(raw: bytes, parquet: pq.ParquetFile, limits: TableLimits) -> pa.Table:
    """Read ``parquet`` after checking its metadata and decoded size against ``limits``."""
    metadata = parquet.metadata
    if metadata.num_columns > limits.max_columns:
        raise TableFormatError(
            f"the Parquet file has {metadata.num_columns:,} columns, over the limit of {limits.max_columns}"
        )
    if metadata.num_rows > limits.max_rows:
        raise TableFormatError(
            f"the Parquet file has {metadata.num_rows:,} rows, over the limit of {limits.max_rows:,}{limits.rows_note}"
        )
    schema = parquet.schema_arrow
    text_columns = []
    for column in schema:
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if _is_text(kind):
            text_columns.append(column.name)
        elif not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
                  or pa.types.is_null(kind)):  # fmt: skip
            raise TableFormatError(f"column {short(column.name)!r} is of type {kind}, not numbers or text")
    encoded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if encoded > limits.max_decoded_bytes:
        raise TableFormatError(
            f"the Parquet file's data is {encoded / 1e6:.1f} MB uncompressed, over the limit "
            f"of {limits.max_decoded_bytes / 1e6:.1f} MB"
        )
    # Text is read dictionary-encoded, so repeated values stay one copy until the decoded
    # size (every row's string length, summed) is known to be within the limit.
    table = pq.ParquetFile(io.BytesIO(raw), read_dictionary=text_columns).read()
    decoded = 0
    for column in table.columns:
        if not (pa.types.is_dictionary(column.type) and _is_text(column.type.value_type)):
            decoded += 8 * len(column)
            continue
        for chunk in column.chunks:
            lengths = pc.binary_length(chunk.dictionary)
            decoded += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
    if decoded > limits.max_decoded_bytes:
        raise TableFormatError(
            f"the Parquet file decodes to {decoded / 1e6:.1f} MB of data, over the limit "
            f"of {limits.max_decoded_bytes / 1e6:.1f} MB"
        )
    columns = [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
               for column in table.columns]  # fmt: skip
    return pa.Table.from_arrays(columns, names=table.column_names, metadata=table.schema.metadata)


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
