"""Helpers shared by the engine tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = "test-key"


def as_frame(matrix: np.ndarray, ids: pd.Index) -> pd.DataFrame:
    """(submissions x rows) matrix -> numerai-tools layout: rows = ids, columns = submissions."""
    return pd.DataFrame(matrix.T, index=ids, columns=[f"s{i}" for i in range(matrix.shape[0])])


def sorted_ids(n: int) -> pd.Index:
    """Ids that are already sorted, as numerai-tools requires."""
    return pd.Index([f"id{i:06d}" for i in range(n)])
