"""Read a tabular file (CSV or Parquet) from bytes, telling the formats apart by content.

Uploads and operator files arrive with whatever name a person gave them, so the format is
decided by the file's first bytes (Parquet starts and ends with ``PAR1``), never by the
extension. The prediction validator and the operator's obfuscation tool both read through
here, so both accept exactly the same files.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
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


def read_parquet_bytes(raw: bytes) -> pd.DataFrame:
    """Parse Parquet bytes; a saved pandas index comes back as an ordinary column."""
    try:
        table = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowException, OSError) as exc:
        raise TableFormatError(f"the Parquet file could not be read ({exc})") from exc
    frame = table.to_pandas()
    # A named pandas index (e.g. ``id``) is data; an unnamed one is row numbering.
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


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
