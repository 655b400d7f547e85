"""Per-era metrics for every submission at once: logloss, CORR, MMC, FNC, meta-model.

Each function takes ``predictions`` as a (submissions x rows) matrix for one era (or
any group of rows) and returns one value per submission. CORR, MMC and FNC are
numerai-tools' ``numerai_corr``, ``correlation_contribution`` and
``feature_neutral_corr`` (v0.7.2) rewritten for matrices.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from client.core.scoring.transforms import (
    pearson_rows,
    rank_gaussian,
    rank_percentile,
    signed_power,
)

# sklearn.metrics.log_loss clips probabilities to [eps, 1 - eps] with the dtype's eps.
_EPS = float(np.finfo(np.float64).eps)
# numpy.linalg.lstsq's cut-off in numerai-tools' neutralize(): singular values below
# rcond * largest are treated as zero.
_NEUTRALIZE_RCOND = 1e-6


def row_logloss(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per-row logloss, same shape as ``probabilities``; ``targets`` broadcasts along rows.

    Binary targets take one log per entry; other targets in [0, 1] use the full
    cross-entropy ``-(y log p + (1 - y) log(1 - p))`` (0 * log 0 counted as 0).
    """
    clipped = np.clip(probabilities, _EPS, 1 - _EPS)
    if np.isin(targets, (0.0, 1.0)).all():
        return -np.log(np.where(targets == 1.0, clipped, 1 - clipped))
    return -(xlogy(targets, clipped) + xlogy(1 - targets, 1 - clipped))


def logloss(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Mean logloss of each row of ``probabilities`` (sklearn ``log_loss`` for each)."""
    return row_logloss(probabilities, targets).mean(axis=-1)


def numerai_corr(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """numerai-tools ``numerai_corr``: gaussianised ranks ^1.5 vs centred targets ^1.5."""
    return corr_of_gaussian(rank_gaussian(predictions), targets)


def corr_of_gaussian(gaussianised: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """:func:`numerai_corr` from already gaussianised ranks (shared by the round scorer)."""
    centred = targets - targets.mean()
    return pearson_rows(signed_power(gaussianised), signed_power(centred))


def meta_model(predictions: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Stake-weighted mean of percentile ranks (numerai-tools ``stake_weight`` of ranks).

    ``weights`` (one per submission, not all zero) need not sum to one.
    """
    return finish_meta_model(weights @ rank_percentile(predictions), float(weights.sum()))


def finish_meta_model(rank_sum: np.ndarray, total_weight: float) -> np.ndarray:
    """Divide ``weights @ percentile ranks`` by the total weight and round to 12 decimals.

    The rounding keeps the order of summation (which differs between implementations
    in the last bit) from deciding whether two rows tie when the meta-model is ranked.
    """
    return np.round(rank_sum / total_weight, 12)


def mmc(predictions: np.ndarray, meta: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """numerai-tools ``correlation_contribution`` of each row against the meta-model ``meta``.

    Gaussianised ranks are orthogonalised against the gaussianised meta-model, then
    dotted with the centred targets (scaled by 4 when in [0, 1]) over the row count.
    """
    return mmc_of_gaussian(rank_gaussian(predictions), rank_gaussian(meta[None, :])[0], targets)


def mmc_of_gaussian(gaussianised: np.ndarray, meta_gaussianised: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """:func:`mmc` from gaussianised ranks of the predictions and of the meta-model."""
    p, m = gaussianised, meta_gaussianised
    scaled = targets * 4 if ((targets >= 0) & (targets <= 1)).all() else targets
    t = scaled - scaled.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        # (p - m (p.m)/(m.m)) . t  ==  p.t - (p.m)(m.t)/(m.m): no n x S temporary.
        return (p @ t - (p @ m) * (m @ t) / (m @ m)) / len(t)


def fnc(predictions: np.ndarray, features: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """numerai-tools ``feature_neutral_corr``: CORR of predictions neutralised to the features.

    Gaussianised ranks lose their least-squares projection on ``[features, 1]`` (same
    rcond cut-off as numerai-tools), then go through :func:`numerai_corr`. A constant
    submission has no defined FNC (NaN), as in numerai-tools.
    """
    return fnc_of_gaussian(rank_gaussian(predictions), neutralizer_basis(features), targets)


def neutralizer_basis(features: np.ndarray) -> np.ndarray:
    """Orthonormal basis of ``[features, 1]``, singular values below numerai-tools' cut dropped."""
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    basis, singular, _ = np.linalg.svd(design, full_matrices=False)
    return basis[:, singular > _NEUTRALIZE_RCOND * singular[0]]


def fnc_of_gaussian(gaussianised: np.ndarray, basis: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """:func:`fnc` from gaussianised ranks and a :func:`neutralizer_basis`."""
    residual = gaussianised - (gaussianised @ basis) @ basis.T
    result = numerai_corr(residual, targets)
    result[gaussianised.std(axis=-1) == 0] = np.nan
    return result
