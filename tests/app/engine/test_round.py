"""score_round end to end on a small synthetic round, against the references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from client.core.scoring import SUMMARY_COLUMNS, score_round, score_round_full

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def scored(round_dataset):
    public, features = round_dataset.public, round_dataset.feature_names
    tournament = round_dataset.tournament
    train = public[public["data_type"] == "train"]
    model = LogisticRegression(max_iter=500).fit(train[features], train["target"])
    rng = np.random.default_rng(0)
    good = model.predict_proba(tournament[features])[:, 1]
    predictions = {
        "model": pd.Series(good, index=tournament["id"]),  # by id
        "copy": good + rng.normal(0, 1e-4, len(good)),  # near copy, as an array
        "noise": 0.5 + rng.normal(0, 0.01, len(good)),
        "constant": np.full(len(good), 0.5),
    }
    stakes = {"model": 3 * 10**18, "copy": 10**18, "noise": 2 * 10**18}
    return round_dataset, predictions, stakes, score_round_full(tournament, round_dataset.live_targets, predictions, stakes)


def test_summary_layout(scored):
    _, predictions, _, result = scored
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert list(result.summary.index) == list(predictions)


def test_logloss_and_consistency_match_sklearn(scored):
    dataset, predictions, _, result = scored
    tournament = dataset.tournament
    validation = (tournament["data_type"] == "validation").to_numpy()
    live = (tournament["data_type"] == "live").to_numpy()
    live_targets = dataset.live_targets.loc[tournament.loc[live, "id"]].to_numpy()
    for name, values in predictions.items():
        values = np.asarray(values, dtype=float)
        row = result.summary.loc[name]
        assert abs(row["validation_logloss"] - log_loss(tournament.loc[validation, "target"], values[validation], labels=[0, 1])) < TOLERANCE
        assert abs(row["live_logloss"] - log_loss(live_targets, values[live], labels=[0, 1])) < TOLERANCE
        eras = tournament.loc[validation, "era"].to_numpy()
        per_era = [log_loss(tournament.loc[validation, "target"][eras == e], values[validation][eras == e], labels=[0, 1]) for e in np.unique(eras)]
        assert row["consistency"] == np.mean(np.array(per_era) < np.log(2) - 1e-12)
    assert result.summary.loc["constant", "consistency"] == 0.0


def test_live_scores_match_numerai_tools(scored, reference):
    dataset, predictions, stakes, result = scored
    tournament = dataset.tournament
    live = tournament[tournament["data_type"] == "live"]
    ids = pd.Index(live["id"]).sort_values()
    frame = pd.DataFrame({n: pd.Series(np.asarray(v, dtype=float), index=tournament["id"]).loc[ids] for n, v in predictions.items()})
    targets = dataset.live_targets.loc[ids].rename("target")
    varying = ["model", "copy", "noise"]
    np.testing.assert_allclose(result.summary.loc[varying, "corr"], reference.numerai_corr(frame[varying], targets), atol=TOLERANCE)
    features = live.set_index("id").loc[ids, dataset.feature_names]
    np.testing.assert_allclose(
        result.summary.loc[varying, "fnc"], reference.feature_neutral_corr(frame[varying], features, targets), atol=TOLERANCE
    )
    meta = result.meta_model.loc[ids]
    expected_meta = reference.stake_weight(reference.tie_kept_rank(frame), pd.Series({**stakes, "constant": 0}, dtype=float))
    np.testing.assert_allclose(meta, expected_meta, atol=1e-11)
    expected_mmc = reference.correlation_contribution(frame, meta, targets)
    np.testing.assert_allclose(result.summary["mmc"], expected_mmc[result.summary.index], atol=TOLERANCE)
    assert abs(result.meta_model_summary["corr"] - reference.numerai_corr(meta.to_frame("m"), targets)["m"]) < TOLERANCE


def test_originality_and_concordance(scored):
    _, predictions, _, result = scored
    summary = result.summary
    assert summary.loc["model", "original"] and not summary.loc["copy", "original"]
    assert summary.loc["copy", "similar_to"] == "model" and summary.loc["model", "similar_to"] is None
    assert summary["concordant"].loc[["model", "copy", "noise"]].all()
    values = np.asarray(predictions["noise"])
    assert ks_2samp(values, np.asarray(predictions["model"])).statistic > 0.03


def test_per_era_series_cover_validation_and_live(scored):
    _, predictions, _, result = scored
    per_era = result.per_era
    assert list(per_era.columns) == ["submission", "era", "data_type", "logloss", "corr", "mmc", "fnc"]
    assert len(per_era) == len(predictions) * 5  # 4 validation eras + 1 live era
    live = per_era[per_era["data_type"] == "live"].set_index("submission")
    np.testing.assert_allclose(live["corr"], result.summary["corr"], atol=0)


def test_one_submission_without_stakes(round_dataset):
    tournament = round_dataset.tournament
    summary = score_round(tournament, round_dataset.live_targets, {"only": np.linspace(0.4, 0.6, len(tournament))})
    assert summary.loc["only", "original"] and abs(summary.loc["only", "mmc"]) < 1e-12


def test_misaligned_predictions_are_refused(round_dataset):
    tournament = round_dataset.tournament
    with pytest.raises(ValueError, match="has no prediction for 1 tournament rows"):
        score_round(tournament, round_dataset.live_targets, {"x": pd.Series(0.5, index=tournament["id"][1:])})
    with pytest.raises(ValueError, match="expected"):
        score_round(tournament, round_dataset.live_targets, {"x": np.zeros(3)})


def test_a_frame_of_predictions_scores_like_a_mapping(scored):
    """One column per submission (each a Series by id) gives the same summary as the dict."""
    dataset, predictions, stakes, result = scored
    frame = pd.DataFrame({n: np.asarray(v, dtype=float) for n, v in predictions.items()}, index=dataset.tournament["id"])
    summary = score_round(dataset.tournament, dataset.live_targets, frame, stakes)
    pd.testing.assert_frame_equal(summary, result.summary)
    assert summary["original"].dtype == bool and summary["concordant"].dtype == bool
