"""A round's tournament rows (validation, test, live) read once from its public dataset
file and whatever is derived from them, kept for the newest file version only.

The upload validator (:mod:`app.web.services`) and the Performance panel
(:mod:`app.web.performance`) each derive their own view of the rows through one
:class:`NewestRoundCache`, so the file is read, filtered and versioned in one place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import pandas as pd

from app import store

Derived = TypeVar("Derived")


def dataset_file(row: store.Round) -> Path | None:
    """The round's public dataset file (Parquet preferred), or None when the server has none."""
    path = row.dataset_parquet_path or row.dataset_csv_path
    return Path(path) if path and Path(path).is_file() else None


def read_tournament(path: Path) -> pd.DataFrame:
    """The non-train rows of a public dataset file, in file order."""
    public = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return public[public["data_type"] != "train"].reset_index(drop=True)


class NewestRoundCache(Generic[Derived]):
    """``derive(tournament rows)`` for the newest (round, file, modification time) asked
    for; a new version replaces the old one."""

    def __init__(self, derive: Callable[[pd.DataFrame], Derived]) -> None:
        self._derive = derive
        self._lock = threading.Lock()
        self._key: tuple[int, str, float] | None = None
        self._value: Derived | None = None

    def get(self, row: store.Round) -> Derived | None:
        """The derived value for the round's current dataset file, or None without one."""
        path = dataset_file(row)
        if path is None:
            return None
        key = (row.number, str(path), path.stat().st_mtime)
        with self._lock:
            if self._key != key:
                self._value = self._derive(read_tournament(path))
                self._key = key
            return self._value
