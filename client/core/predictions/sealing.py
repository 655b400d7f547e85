"""Sealed rounds: what a commitment says about a file that its owner keeps until the
close (the file's canonical hash and its shape). The client that makes a commitment and
the server that records it check it the same way (docs/sealed.md).

The shape is the row count and the column names of a file the validator accepted
(:class:`~client.core.predictions.ValidationResult`'s ``rows`` and ``columns``). The
server never sees the file before the close, so it can check only that the shape is one
an acceptable file has: one row per tournament id, an id column and a probability
column. The hash is what the stake commits to, and the file revealed after the close
must hash to it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from client.core.predictions.reading import MAX_COLUMNS, header_problems
from client.core.predictions.validator import ValidationResult

# A bytes32 of zeros names no file. The escrow refuses it as a stake's hash, except on a
# rolled stake, which stays committed to whatever file the model has in its new round.
ZERO_HASH = "0x" + "0" * 64
_HASH = re.compile(r"0x[0-9a-f]{64}")
MAX_COLUMN_NAME = 64
MAX_ROWS = 10**8  # beyond any round: a bound on the integer before it is compared


@dataclass(frozen=True)
class Commitment:
    """A file's canonical ``hash`` and its shape: ``rows`` and ``columns``."""

    hash: str
    rows: int
    columns: tuple[str, ...]

    @classmethod
    def of(cls, result: ValidationResult) -> Commitment:
        """The commitment to a file the validator accepted."""
        if not result.ok or result.hash is None:
            raise ValueError("only an accepted file can be committed to")
        return cls(result.hash, result.rows, result.columns)

    def as_json(self) -> dict[str, Any]:
        """What the client sends: ``{"hash", "rows", "columns"}``."""
        return {"hash": self.hash, "rows": self.rows, "columns": list(self.columns)}


def parse_commitment(body: Mapping[str, Any]) -> tuple[Commitment | None, list[str]]:
    """The commitment that a JSON object sends, or the problems with it (each a sentence
    saying what to send). Types and sizes are checked before anything is compared."""
    problems = []
    raw_hash, rows, columns = body.get("hash"), body.get("rows"), body.get("columns")
    file_hash = raw_hash.strip().lower() if isinstance(raw_hash, str) and len(raw_hash) <= 80 else None
    if file_hash is None or not _HASH.fullmatch(file_hash):
        problems.append('"hash" must be the file\'s canonical SHA-256 as 0x and 64 hex digits (what nmr check prints)')
    elif file_hash == ZERO_HASH:
        problems.append('"hash" is all zeros, which names no file; send the hash of your predictions file')
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 < rows <= MAX_ROWS:
        problems.append(f'"rows" must be the file\'s row count, a whole number from 1 to {MAX_ROWS:,}')
    if (not isinstance(columns, list) or not 0 < len(columns) <= MAX_COLUMNS
            or not all(isinstance(c, str) and len(c) <= MAX_COLUMN_NAME for c in columns)):
        problems.append(f'"columns" must list the file\'s column names (at most {MAX_COLUMNS}, each at most '
                        f'{MAX_COLUMN_NAME} characters), e.g. ["id", "probability"]')
    if problems:
        return None, problems
    return Commitment(file_hash, rows, tuple(columns)), []


def unrevealed_reason(deadline: str) -> str:
    """The results page's reason for a stake whose sealed file was not revealed by
    ``deadline`` (its time in words): the stake comes back whole, without reward."""
    return f"released without reward: sealed file not revealed by {deadline}"


def shape_problems(commitment: Commitment, expected_rows: int) -> list[str]:
    """What makes the committed shape impossible for an acceptable file of a round with
    ``expected_rows`` tournament ids (empty when it is possible)."""
    problems = header_problems(list(commitment.columns))
    if commitment.rows != expected_rows:
        problems.append(f"the file has {commitment.rows:,} rows, but this round has {expected_rows:,} tournament ids; "
                        "give one row per id (nmr check FILE checks the whole file)")
    return problems
