"""Synthetic market: hidden factors -> raw features -> a binary target with a weak signal.

Each row is a (stock, date) pair. A handful of hidden factors drive both the observable
raw features (noisy linear mixtures of the factors) and the target: the target is 1 with
probability ``sigmoid(signal_strength * F @ beta_era)``. ``beta_era`` drifts from era to
era around a common direction, so a model fitted on old eras still works on new ones,
only less well, as on a real market. With the defaults a logistic regression fitted on
the training eras reaches a validation logloss of about 0.680-0.690, against 0.6931
(ln 2) for a coin flip: the scale of the 2017 leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DATA_TYPES = ("train", "validation", "test", "live")


@dataclass(frozen=True)
class MarketShape:
    """How many eras of each data type, and how big the market is."""

    n_train_eras: int = 12
    n_validation_eras: int = 4
    n_test_eras: int = 1
    n_live_eras: int = 1
    rows_per_era: int = 1000
    n_features: int = 30
    n_factors: int = 8
    signal_strength: float = 0.4
    regime_drift: float = 0.2

    def era_types(self) -> list[str]:
        """The data type of each era, in time order."""
        counts = (self.n_train_eras, self.n_validation_eras, self.n_test_eras, self.n_live_eras)
        return [kind for kind, count in zip(DATA_TYPES, counts, strict=True) for _ in range(count)]


def generate_market(rng: np.random.Generator, shape: MarketShape) -> pd.DataFrame:
    """Draw one market: columns ``era, data_type, x1..xN, target`` (row order = raw id).

    ``era`` is the era's position in time (1-based int); ``target`` is 0.0/1.0 for every
    row (the caller decides which targets to publish). Deterministic given ``rng``.
    """
    if shape.rows_per_era < 2 or shape.n_features < 1 or shape.n_factors < 1:
        raise ValueError("a market needs at least 2 rows per era, 1 feature and 1 factor")
    era_types = shape.era_types()
    n_eras = len(era_types)
    n_rows = n_eras * shape.rows_per_era
    k = shape.n_factors

    loadings = rng.standard_normal((k, shape.n_features)) / np.sqrt(k)
    base_beta = _unit(rng.standard_normal(k))
    # Regime drift: each era's beta is the common direction plus an era-specific tilt.
    era_betas = np.array(
        [_unit(base_beta + shape.regime_drift * rng.standard_normal(k)) for _ in range(n_eras)]
    )
    # Volatility regimes scale the raw features; the per-era rank transform removes them,
    # which is one reason the published features are ranks.
    era_vol = np.exp(0.4 * rng.standard_normal(n_eras))

    era_index = np.repeat(np.arange(n_eras), shape.rows_per_era)
    factors = rng.standard_normal((n_rows, k))
    noise = rng.standard_normal((n_rows, shape.n_features))
    raw = (factors @ loadings + 0.8 * noise) * era_vol[era_index, None]
    signal = np.einsum("ij,ij->i", factors, era_betas[era_index])
    prob = 1.0 / (1.0 + np.exp(-shape.signal_strength * signal))
    target = (rng.random(n_rows) < prob).astype(np.float64)

    frame = pd.DataFrame(raw, columns=[f"x{j + 1}" for j in range(shape.n_features)])
    frame.insert(0, "era", era_index + 1)
    frame.insert(1, "data_type", np.asarray(era_types, dtype=object)[era_index])
    frame["target"] = target
    return frame


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)
