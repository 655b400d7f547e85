"""The round dataset: layout, determinism, held-back targets, files, learnability, obfuscation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from engine_support import KEY
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from app.data import build_round_dataset, obfuscate, obfuscate_file
from app.data.market import MarketShape, generate_market
from app.data.obfuscation import obfuscated_ids
from client.core.tables import read_table


def test_columns_and_data_types(round_dataset):
    public = round_dataset.public
    assert list(public.columns[:3]) == ["id", "era", "data_type"]
    assert round_dataset.feature_names == [f"feature{i}" for i in range(1, 21)]
    assert public.columns[-1] == "target"
    assert public["data_type"].value_counts().to_dict() == {"train": 9600, "validation": 3200, "test": 800, "live": 800}
    assert public["id"].is_unique and public["id"].str.fullmatch(r"n[0-9a-f]{15}").all()


def test_live_and_test_targets_are_held_back(round_dataset):
    public = round_dataset.public
    hidden = public["data_type"].isin(["test", "live"])
    assert public.loc[hidden, "target"].isna().all()
    assert public.loc[~hidden, "target"].isin([0.0, 1.0]).all()
    live_ids = public.loc[public["data_type"] == "live", "id"]
    assert list(round_dataset.live_targets.index) == list(live_ids)
    assert round_dataset.live_targets.isin([0.0, 1.0]).all()


def test_features_are_per_era_ranks_with_five_decimals(round_dataset):
    features = round_dataset.public[round_dataset.feature_names]
    assert ((features > 0) & (features < 1)).all().all()
    assert np.allclose(features, features.round(5), atol=0, rtol=0)
    per_era_mean = features.groupby(round_dataset.public["era"]).mean()
    assert np.allclose(per_era_mean, 0.5, atol=1e-3)


def test_deterministic_from_seed_and_key():
    a = build_round_dataset(1, KEY, rows_per_era=50, n_features=5)
    b = build_round_dataset(1, KEY.encode(), rows_per_era=50, n_features=5)
    c = build_round_dataset(2, KEY, rows_per_era=50, n_features=5)
    d = build_round_dataset(1, "other", rows_per_era=50, n_features=5)
    pd.testing.assert_frame_equal(a.public, b.public)
    assert not a.public["id"].isin(c.public["id"]).any()
    assert not a.public["id"].isin(d.public["id"]).any()
    assert not np.allclose(a.public["feature1"], d.public["feature1"])


def test_write_csv_and_parquet_round_trip(round_dataset, tmp_path):
    paths = round_dataset.write(tmp_path)
    assert paths["csv"].name == "numerai_dataset_round3.csv"
    assert paths["parquet"].name == "numerai_dataset_round3.parquet"
    for path in paths.values():
        loaded = read_table(path)
        assert list(loaded.columns) == list(round_dataset.public.columns)
        assert np.allclose(loaded[round_dataset.feature_names], round_dataset.public[round_dataset.feature_names])
        assert loaded["target"].isna().sum() == 1600
    targets = pd.read_csv(round_dataset.write_live_targets(tmp_path))
    assert list(targets.columns) == ["id", "target"] and len(targets) == 800


def _fit_and_score(dataset, shuffle: bool) -> float:
    public, features = dataset.public, dataset.feature_names
    train = public[public["data_type"] == "train"]
    validation = public[public["data_type"] == "validation"]
    target = train["target"].to_numpy()
    if shuffle:
        target = np.random.default_rng(0).permutation(target)
    model = LogisticRegression(max_iter=1000).fit(train[features], target)
    return log_loss(validation["target"], model.predict_proba(validation[features])[:, 1])


def test_logistic_regression_beats_coin_flip_on_validation(round_dataset):
    assert _fit_and_score(round_dataset, shuffle=False) < 0.693


def test_shuffled_target_model_does_not(round_dataset):
    assert _fit_and_score(round_dataset, shuffle=True) >= 0.693


def test_no_raw_feature_survives_obfuscation():
    shape = MarketShape(n_train_eras=3, n_validation_eras=1, n_test_eras=0, n_live_eras=1, rows_per_era=800, n_features=25)
    raw = generate_market(np.random.default_rng(5), shape)
    published = obfuscate(raw, KEY)
    raw_columns = raw[[f"x{j}" for j in range(1, 26)]].to_numpy()
    # obfuscate shuffles rows within eras; undo it through the ids to compare row by row
    raw_ids = obfuscated_ids([str(i) for i in range(len(raw))], KEY)
    position = pd.Series(np.arange(len(raw)), index=raw_ids)
    order = position.loc[published["id"]].to_numpy()
    feature_columns = published[[f"feature{j}" for j in range(1, 26)]].to_numpy()
    correlation = np.corrcoef(raw_columns[order].T, feature_columns.T)[:25, 25:]
    assert np.abs(correlation).max() < 0.9
    # ...yet the published features still predict the target
    assert abs(np.corrcoef(feature_columns @ np.linalg.lstsq(feature_columns, raw["target"].to_numpy()[order], rcond=None)[0],
                           raw["target"].to_numpy()[order])[0, 1]) > 0.05


def test_operator_file_is_obfuscated(tmp_path):
    rng = np.random.default_rng(3)
    dates = np.repeat(pd.date_range("2024-01-05", periods=4, freq="7D"), 30)
    raw = pd.DataFrame({"id": [f"AAPL{i}" for i in range(120)], "date": dates})
    for j in range(6):
        raw[f"pe_{j}"] = rng.standard_normal(120)
    raw["target"] = rng.integers(0, 2, 120).astype(float)
    raw.loc[90:, "target"] = np.nan  # the last date is live
    path = tmp_path / "raw.parquet"
    raw.to_parquet(path)
    dataset = obfuscate_file(path, KEY, round_number=9, n_features=4)
    public = dataset.public
    assert list(public.columns) == ["id", "era", "data_type", "feature1", "feature2", "feature3", "feature4", "target"]
    assert public["era"].tolist() == [f"era{e}" for e in np.repeat([1, 2, 3, 4], 30)]
    assert (public["data_type"] == "live").sum() == 30 and not public["id"].str.startswith("AAPL").any()
    assert dataset.live_targets.isna().all()


@pytest.mark.parametrize(
    "raw, message",
    [
        (pd.DataFrame({"x": [1.0, 2.0]}), "'era' or 'date'"),
        (pd.DataFrame({"era": [1, 1], "x": ["a", "b"]}), "must be numeric"),
        (pd.DataFrame({"era": [1, 1], "target": [0, 1]}), "no feature columns"),
        (pd.DataFrame({"id": ["a", "a"], "era": [1, 1], "x": [1.0, 2.0]}), "raw ids must be unique"),
    ],
)
def test_bad_operator_tables_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        obfuscate(raw, KEY)


def test_empty_key_is_refused():
    with pytest.raises(ValueError, match="must not be empty"):
        obfuscate(pd.DataFrame({"era": [1, 1], "x": [1.0, 2.0]}), "")
