"""The names of a round's dataset files (``N`` is the round number).

- ``numerai_dataset_roundN.csv`` and ``numerai_dataset_roundN.parquet``: the public data,
  every row of every data type, columns ``id, era, data_type, feature1..F, target`` with
  ``target`` blank (NaN) for test and live rows;
- ``numerai_live_targets_roundN.csv``: ``id, target`` of the live rows, written only when
  the round resolves and its targets may be published.

The server writes them under these names and the client saves its downloads under them.
"""

from __future__ import annotations


def dataset_file_name(round_number: int, extension: str) -> str:
    """``numerai_dataset_round{N}.{extension}`` (extension ``csv`` or ``parquet``)."""
    return f"numerai_dataset_round{round_number}.{extension}"


def live_targets_file_name(round_number: int) -> str:
    """``numerai_live_targets_round{N}.csv``: published once the round resolves."""
    return f"numerai_live_targets_round{round_number}.csv"
