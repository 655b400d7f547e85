"""Prediction files: read, validated (every problem at once), aligned, and hashed.

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

One module per job; this package only gathers their names:

- :mod:`~client.core.predictions.reading`: the file's bytes to its id and probability
  columns (format, bounded shape, header);
- :mod:`~client.core.predictions.columns`: those columns normalised: stripped ids,
  fixed-width id keys and their lookup, probabilities as float64;
- :mod:`~client.core.predictions.validator`: the checks, each problem as a sentence,
  and the accepted frame in the round's id order;
- :mod:`~client.core.predictions.hashing`: the canonical text and its hash;
- :mod:`~client.core.predictions.sealing`: a sealed round's commitment to a file (its
  hash and shape) and the check of that shape.
"""

from client.core.predictions.hashing import (
    CANONICAL_HEADER,
    PROBABILITY_DECIMALS,
    canonical_hash,
    canonical_text,
)
from client.core.predictions.reading import (
    MAX_COLUMNS,
    MAX_HEADER_BYTES,
    PROBABILITY_ALIASES,
)
from client.core.predictions.sealing import (
    ZERO_HASH,
    Commitment,
    parse_commitment,
    shape_problems,
    unrevealed_reason,
)
from client.core.predictions.validator import (
    MAX_PREDICTION_BYTES,
    PredictionValidator,
    ValidationResult,
    validate_predictions,
)

__all__ = [
    "CANONICAL_HEADER",
    "MAX_COLUMNS",
    "MAX_HEADER_BYTES",
    "MAX_PREDICTION_BYTES",
    "PROBABILITY_ALIASES",
    "PROBABILITY_DECIMALS",
    "ZERO_HASH",
    "Commitment",
    "PredictionValidator",
    "ValidationResult",
    "canonical_hash",
    "canonical_text",
    "parse_commitment",
    "shape_problems",
    "unrevealed_reason",
    "validate_predictions",
]
