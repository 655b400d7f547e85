"""A round's dataset: build it (synthetic or from an operator file), hold back live targets, write it.

The files are named by :mod:`client.core.files` (shared with the client).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from app.data.market import MarketShape, generate_market
from app.data.obfuscation import obfuscate
from client.core.files import dataset_file_name, live_targets_file_name
from client.core.tables import read_table

HIDDEN_TARGET_TYPES = ("test", "live")


@dataclass(frozen=True)
class RoundDataset:
    """One round's data: ``public`` is what data scientists download, ``live_targets`` is not.

    ``public`` has columns ``id, era, data_type, feature1..F, target`` (target NaN for test
    and live rows); ``live_targets`` is a float Series named ``target`` indexed by live id.
    """

    round_number: int
    public: pd.DataFrame
    live_targets: pd.Series

    @property
    def feature_names(self) -> list[str]:
        """``feature1..featureF`` in column order."""
        return [c for c in self.public.columns if c.startswith("feature")]

    @property
    def tournament(self) -> pd.DataFrame:
        """The rows data scientists predict: validation, test and live, in file order."""
        return self.public[self.public["data_type"] != "train"].reset_index(drop=True)

    @property
    def tournament_ids(self) -> pd.Index:
        """Ids a prediction file must cover, in tournament order."""
        return pd.Index(self.tournament["id"], name="id")

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write the public data as CSV and Parquet; returns ``{"csv": path, "parquet": path}``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {ext: directory / dataset_file_name(self.round_number, ext) for ext in ("csv", "parquet")}
        self.public.to_csv(paths["csv"], index=False)
        self.public.to_parquet(paths["parquet"], index=False)
        return paths

    def write_live_targets(self, directory: str | Path) -> Path:
        """Publish the held-back live targets (only after the round resolves)."""
        path = Path(directory) / live_targets_file_name(self.round_number)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.live_targets.rename_axis("id").reset_index().to_csv(path, index=False)
        return path


def split_live_targets(round_number: int, obfuscated: pd.DataFrame) -> RoundDataset:
    """Blank the test and live targets of an obfuscated table, keeping the live ones aside."""
    live = obfuscated["data_type"] == "live"
    live_targets = pd.Series(
        obfuscated.loc[live, "target"].to_numpy(dtype=np.float64),
        index=pd.Index(obfuscated.loc[live, "id"], name="id"),
        name="target",
    )
    public = obfuscated.copy()
    public.loc[public["data_type"].isin(HIDDEN_TARGET_TYPES), "target"] = np.nan
    return RoundDataset(round_number=round_number, public=public, live_targets=live_targets)


def build_round_dataset(
    seed: int,
    key: bytes | str,
    *,
    round_number: int = 1,
    n_features: int = 30,
    rows_per_era: int = 1000,
    n_train_eras: int = 12,
    n_validation_eras: int = 4,
    n_test_eras: int = 1,
    n_live_eras: int = 1,
    signal_strength: float = 0.4,
) -> RoundDataset:
    """Generate and obfuscate a synthetic round; deterministic from ``(seed, key)`` and sizes.

    Defaults give 18 eras x 1000 rows x 30 features (about a second to build). The live
    targets are drawn with the rest of the market and held back in ``.live_targets``; in a
    real deployment they would come from the data source when the round resolves.
    """
    shape = MarketShape(
        n_train_eras=n_train_eras,
        n_validation_eras=n_validation_eras,
        n_test_eras=n_test_eras,
        n_live_eras=n_live_eras,
        rows_per_era=rows_per_era,
        n_features=n_features,
        signal_strength=signal_strength,
    )
    raw = generate_market(np.random.default_rng(seed), shape)
    obfuscated = obfuscate(raw, key, salt=f"seed{seed}".encode())
    return split_live_targets(round_number, obfuscated)


def obfuscate_file(
    path: str | Path, key: bytes | str, *, round_number: int, n_features: int | None = None
) -> RoundDataset:
    """Obfuscate an operator's raw CSV/Parquet file (see :func:`app.data.obfuscation.obfuscate`)."""
    raw = read_table(path)
    obfuscated = obfuscate(raw, key, n_features=n_features, salt=f"round{round_number}".encode())
    return split_live_targets(round_number, obfuscated)
