"""Per-era metrics against sklearn and numerai-tools, to 1e-9, on many random cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from engine_support import as_frame, sorted_ids
from sklearn.metrics import log_loss

from client.core.scoring import metrics
from client.core.scoring.transforms import tie_kept_rank

TOLERANCE = 1e-9
CASES = range(25)


def random_case(seed: int, n_subs: int | None = None, n_rows: int | None = None, n_features: int = 5):
    """Predictions with ties and a constant row now and then, binary targets, features."""
    rng = np.random.default_rng(seed)
    n_subs = n_subs or int(rng.integers(1, 8))
    n_rows = n_rows or int(rng.integers(8, 400))
    predictions = rng.random((n_subs, n_rows))
    if n_subs > 1 and seed % 3 == 0:
        predictions[1] = predictions[1].round(1)  # heavy ties
    targets = rng.integers(0, 2, n_rows).astype(np.float64)
    if targets.min() == targets.max():
        targets[0] = 1 - targets[0]
    features = rng.random((n_rows, n_features)).round(2)
    return predictions, targets, features


@pytest.mark.parametrize("seed", CASES)
def test_logloss_matches_sklearn(seed):
    predictions, targets, _ = random_case(seed)
    predictions[0, :3] = [0.0, 1.0, 1e-300]  # clipping at the extremes
    ours = metrics.logloss(predictions, targets)
    for row, value in zip(predictions, ours, strict=True):
        assert abs(value - log_loss(targets, row, labels=[0, 1])) < TOLERANCE


def test_logloss_of_soft_targets_is_cross_entropy():
    rng = np.random.default_rng(2)
    p, y = rng.random((1, 50)), rng.random(50)
    expected = -np.mean(y * np.log(p[0]) + (1 - y) * np.log(1 - p[0]))
    assert abs(metrics.logloss(p, y)[0] - expected) < TOLERANCE


def test_ranks_match_pandas_average_rank():
    values = np.random.default_rng(0).integers(0, 6, (4, 40)).astype(float)
    expected = pd.DataFrame(values.T).rank(method="average").to_numpy().T
    assert np.array_equal(tie_kept_rank(values), expected)


@pytest.mark.parametrize("seed", CASES)
def test_corr_matches_numerai_corr(seed, reference):
    predictions, targets, _ = random_case(seed)
    ids = sorted_ids(len(targets))
    expected = reference.numerai_corr(as_frame(predictions, ids), pd.Series(targets, index=ids, name="target")).to_numpy()
    np.testing.assert_allclose(metrics.numerai_corr(predictions, targets), expected, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("seed", CASES)
def test_meta_model_and_mmc_match_correlation_contribution(seed, reference):
    predictions, targets, _ = random_case(seed)
    ids = sorted_ids(len(targets))
    frame = as_frame(predictions, ids)
    weights = np.random.default_rng(seed).integers(1, 10**6, len(predictions)).astype(float) * 1e18
    meta = metrics.meta_model(predictions, weights)
    expected_meta = reference.stake_weight(reference.tie_kept_rank(frame), pd.Series(weights, index=frame.columns))
    np.testing.assert_allclose(meta, expected_meta.to_numpy(), atol=1e-11, rtol=0)
    expected = reference.correlation_contribution(frame, pd.Series(meta, index=ids), pd.Series(targets, index=ids, name="target"))
    np.testing.assert_allclose(metrics.mmc(predictions, meta, targets), expected.to_numpy(), atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("seed", CASES)
def test_fnc_matches_feature_neutral_corr(seed, reference):
    predictions, targets, features = random_case(seed, n_features=int(seed % 4) + 1)
    predictions = predictions[np.ptp(predictions, axis=1) > 0]  # numerai-tools fails on constant columns
    ids = sorted_ids(len(targets))
    expected = reference.feature_neutral_corr(
        as_frame(predictions, ids), pd.DataFrame(features, index=ids), pd.Series(targets, index=ids, name="target")
    )
    np.testing.assert_allclose(metrics.fnc(predictions, features, targets), expected.to_numpy(), atol=TOLERANCE, rtol=0)


def test_fnc_with_collinear_features_uses_the_same_cutoff(reference):
    predictions, targets, features = random_case(4, n_subs=3, n_rows=200, n_features=3)
    features = np.hstack([features, features[:, :1] * 2])  # rank-deficient design
    ids = sorted_ids(200)
    expected = reference.feature_neutral_corr(as_frame(predictions, ids), pd.DataFrame(features, index=ids), pd.Series(targets, index=ids, name="target"))
    np.testing.assert_allclose(metrics.fnc(predictions, features, targets), expected.to_numpy(), atol=TOLERANCE, rtol=0)


def test_constant_submission_has_no_correlation_and_no_contribution():
    predictions, targets, features = random_case(5, n_subs=3, n_rows=100)
    predictions[2] = 0.5
    assert np.isnan(metrics.numerai_corr(predictions, targets)[2])
    assert np.isnan(metrics.fnc(predictions, features, targets)[2])
    meta = metrics.meta_model(predictions, np.ones(3))
    assert metrics.mmc(predictions, meta, targets)[2] == 0.0


def test_tiny_era_of_two_rows(reference):
    predictions = np.array([[0.2, 0.8], [0.9, 0.1]])
    targets = np.array([0.0, 1.0])
    ids = sorted_ids(2)
    expected = reference.numerai_corr(as_frame(predictions, ids), pd.Series(targets, index=ids, name="target")).to_numpy()
    np.testing.assert_allclose(metrics.numerai_corr(predictions, targets), expected, atol=TOLERANCE)


def test_one_submission_is_its_own_meta_model(reference):
    predictions, targets, _ = random_case(6, n_subs=1, n_rows=150)
    meta = metrics.meta_model(predictions, np.array([5.0]))
    assert abs(metrics.mmc(predictions, meta, targets)[0]) < 1e-12


def test_thousands_of_submissions(reference):
    predictions, targets, features = random_case(8, n_subs=2000, n_rows=60, n_features=3)
    sample = [0, 999, 1999]
    ids = sorted_ids(60)
    corr = metrics.numerai_corr(predictions, targets)
    fnc = metrics.fnc(predictions, features, targets)
    expected_corr = reference.numerai_corr(as_frame(predictions[sample], ids), pd.Series(targets, index=ids, name="target")).to_numpy()
    expected_fnc = reference.feature_neutral_corr(
        as_frame(predictions[sample], ids), pd.DataFrame(features, index=ids), pd.Series(targets, index=ids, name="target")
    ).to_numpy()
    np.testing.assert_allclose(corr[sample], expected_corr, atol=TOLERANCE)
    np.testing.assert_allclose(fnc[sample], expected_fnc, atol=TOLERANCE)
    assert corr.shape == fnc.shape == (2000,)
