"""Fixtures for the engine tests: a small round, its tournament rows, reference helpers."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

# The repository root must be importable however pytest is invoked (tests/ has no package).
ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine_support import KEY

from app.data import build_round_dataset


@pytest.fixture(scope="session")
def round_dataset():
    """A small synthetic round: 12 train, 4 validation, 1 test, 1 live eras of 800 rows."""
    return build_round_dataset(3, KEY, round_number=3, rows_per_era=800, n_features=20)


@pytest.fixture(scope="session")
def reference():
    """numerai-tools' scoring module, its FutureWarnings silenced."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    from numerai_tools import scoring

    return scoring
