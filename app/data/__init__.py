"""Round datasets: synthetic market, key-driven obfuscation, CSV/Parquet output (pure).

Public API::

    build_round_dataset(seed, key, *, round_number=1, n_features=30, rows_per_era=1000,
                        n_train_eras=12, n_validation_eras=4, n_test_eras=1,
                        n_live_eras=1, signal_strength=0.4) -> RoundDataset
    obfuscate(raw_df, key, *, n_features=None, salt=b"") -> DataFrame
    obfuscate_file(path, key, *, round_number, n_features=None) -> RoundDataset
    RoundDataset: .public, .live_targets, .tournament, .tournament_ids, .feature_names,
                  .write(directory), .write_live_targets(directory)
"""

from app.data.dataset import RoundDataset, build_round_dataset, obfuscate_file
from app.data.obfuscation import obfuscate

__all__ = ["RoundDataset", "build_round_dataset", "obfuscate", "obfuscate_file"]
