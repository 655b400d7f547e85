"""Score every submission of a round at once: the oracle's entry point.

Inputs are the round's tournament rows (``RoundDataset.tournament``: ``id, era,
data_type, feature1..F, target`` with validation targets filled), the live targets
once known, and the submissions. Submissions are scored era by era on a
(submissions x era rows) block, in chunks of submissions run on two threads, so the
cost is a handful of sorts and matrix products per era, not a Python loop per
submission. The round itself stays one array per submission, as given: only an era's
block (and its ranks) is materialised at a time, so the memory beyond the inputs is a
few hundred MB for 1,000 submissions x 80,000 rows.

Definitions (``client/core/scoring`` module docstring lists the columns):

- logloss over validation rows and over live rows (sklearn ``log_loss``), and per era;
- consistency: share of validation eras whose logloss is below ln 2;
- corr / mmc / fnc: mean over live eras of the per-era numerai-tools scores, and the
  same over validation eras as ``validation_corr`` etc.;
- meta-model: per era, the stake-weighted mean of the submissions' percentile ranks
  (all submissions weigh the same when no stakes are given); MMC is against it;
- original (see :mod:`client.core.scoring.originality`) compares submissions in the order
  given, earliest first; concordant (see :mod:`client.core.scoring.concordance`), both KS
  decisions in exact integer arithmetic.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from client.core.money.rules import beats_coin_flip
from client.core.scoring import metrics
from client.core.scoring.concordance import (
    CONCORDANCE_LIMIT,
    concordance_fractions,
    feature_clusters,
)
from client.core.scoring.ks import as_fraction
from client.core.scoring.originality import originality
from client.core.scoring.transforms import (
    gaussian,
    rank_gaussian,
    rank_percentile,
    submatrix,
)

SCORED_SPLITS = ("validation", "live")
SUMMARY_COLUMNS = [
    "validation_logloss",
    "live_logloss",
    "consistency",
    "original",
    "concordant",
    "corr",
    "mmc",
    "fnc",
    "validation_corr",
    "validation_mmc",
    "validation_fnc",
    "concordance_ks",
    "similar_to",
]
PER_ERA_METRICS = ("logloss", "corr", "mmc", "fnc")
_CHUNK = 64
_THREADS = 2

PredictionsInput = Mapping[str, "pd.Series | np.ndarray | Sequence[float]"] | pd.DataFrame


@dataclass(frozen=True)
class RoundScores:
    """Everything the oracle publishes about a round's scores.

    - ``summary``: one row per submission (index ``submission``), :data:`SUMMARY_COLUMNS`;
    - ``per_era``: long table ``submission, era, data_type, logloss, corr, mmc, fnc``;
    - ``meta_model``: the meta-model's value on every tournament row (index ``id``);
    - ``meta_model_per_era``: ``era, data_type, corr, fnc`` of the meta-model;
    - ``meta_model_summary``: its ``corr, fnc, validation_corr, validation_fnc``.
    """

    summary: pd.DataFrame
    per_era: pd.DataFrame
    meta_model: pd.Series
    meta_model_per_era: pd.DataFrame
    meta_model_summary: pd.Series


def score_round(
    tournament: pd.DataFrame,
    live_targets: pd.Series,
    predictions: PredictionsInput,
    stakes: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """One row per submission with :data:`SUMMARY_COLUMNS` (see :func:`score_round_full`)."""
    return score_round_full(tournament, live_targets, predictions, stakes).summary


def score_round_full(
    tournament: pd.DataFrame,
    live_targets: pd.Series,
    predictions: PredictionsInput,
    stakes: Mapping[str, int] | None = None,
) -> RoundScores:
    """Score all submissions of a round.

    ``tournament``: the round's validation/test/live rows (columns ``id, era, data_type,
    feature*, target``). ``live_targets``: target by live id (ids missing or NaN are
    left out of the live scores). ``predictions``: submission name -> probabilities,
    each a Series indexed by id or an array in ``tournament`` row order (or a DataFrame
    with one column per submission), in submission order, earliest first. ``stakes``:
    name -> stake in wei, weighting the meta-model (None: equal weights).
    """
    names, columns = _prediction_columns(tournament, predictions)
    targets = _targets(tournament, live_targets)
    features = tournament[[c for c in tournament.columns if str(c).startswith("feature")]].to_numpy(np.float64)
    eras = tournament["era"].astype(str).to_numpy()
    splits = tournament["data_type"].astype(str).to_numpy()
    weights = _weights(names, stakes)

    era_rows, meta_rows = [], []
    meta_values = np.full(len(tournament), np.nan)
    for era in pd.unique(eras):
        rows = np.flatnonzero(eras == era)
        split = splits[rows[0]]
        result = _score_era(columns, rows, split, targets, features, weights, meta_values)
        if result is not None:
            scores, meta_scores = result
            era_rows.append((era, split, *scores))
            if meta_scores is not None:
                meta_rows.append((era, split, *meta_scores))

    summary = _summarise(names, era_rows)
    original, similar_to = originality(columns)
    exact_concordance = concordance_fractions(columns, splits, feature_clusters(features))
    summary["original"] = original
    summary["concordance_ks"] = [np.nan if x is None else float(x) for x in exact_concordance]
    summary["concordant"] = [x is not None and x < as_fraction(CONCORDANCE_LIMIT) for x in exact_concordance]
    # object dtype keeps None (a str column would turn it into NaN)
    summary["similar_to"] = pd.Series([names[i] if i >= 0 else None for i in similar_to], index=summary.index, dtype=object)

    # The meta-model is a mean of ranks, not a probability: only its correlations mean anything.
    meta_summary = _summarise(["meta_model"], meta_rows).iloc[0][["corr", "fnc", "validation_corr", "validation_fnc"]]
    return RoundScores(
        summary=summary[SUMMARY_COLUMNS],
        per_era=_per_era_table(names, era_rows),
        meta_model=pd.Series(meta_values, index=pd.Index(tournament["id"], name="id"), name="meta_model"),
        meta_model_per_era=_per_era_table(["meta_model"], meta_rows).drop(columns=["submission", "logloss", "mmc"]),
        meta_model_summary=meta_summary,
    )


# --- one era ------------------------------------------------------------------------------


def _score_era(columns, rows, split, targets, features, weights, meta_values):
    """Meta-model values of an era's rows (written into ``meta_values``) and its scores.

    Returns None for an unscored era, else ``((n_scored, submissions x [logloss sum,
    corr, mmc, fnc]), (n_scored, the meta-model's row) or None)``. Only the era's ranks
    (submissions x era rows) live across the chunks; everything else is per chunk.
    """
    n_subs = len(columns)
    scored = rows[np.isfinite(targets[rows])]
    # Percentile ranks over the era: the meta-model's input, and the metrics' too when
    # every row of the era has a target (ranks are computed once per era).
    ranks = _chunked(lambda block: rank_percentile(submatrix(columns, block, rows)), n_subs, len(rows))
    if weights.sum() > 0:
        meta_values[rows] = metrics.finish_meta_model(weights @ ranks, float(weights.sum()))
    if split not in SCORED_SPLITS or len(scored) < 2:
        return None
    if len(scored) != len(rows):
        del ranks
        ranks = _chunked(lambda block: rank_percentile(submatrix(columns, block, scored)), n_subs, len(scored))
    y, basis, meta = targets[scored], metrics.neutralizer_basis(features[scored]), meta_values[scored]
    meta_gaussian = rank_gaussian(meta[None, :]) if np.isfinite(meta).all() else None

    def era_metrics(block):
        g = gaussian(ranks[block])
        mmc = (
            metrics.mmc_of_gaussian(g, meta_gaussian[0], y) if meta_gaussian is not None else np.full(len(block), np.nan)
        )
        losses = metrics.row_logloss(submatrix(columns, block, scored), y).sum(axis=1)
        return np.column_stack([losses, metrics.corr_of_gaussian(g, y), mmc, metrics.fnc_of_gaussian(g, basis, y)])

    scores = (len(scored), _chunked(era_metrics, n_subs, 4))
    if meta_gaussian is None:
        return scores, None
    meta_scores = [metrics.corr_of_gaussian(meta_gaussian, y), metrics.fnc_of_gaussian(meta_gaussian, basis, y)]
    return scores, (len(scored), np.column_stack([[np.nan], meta_scores[0], [0.0], meta_scores[1]]))


# --- assembling inputs -------------------------------------------------------------------


def _prediction_columns(tournament: pd.DataFrame, predictions: PredictionsInput) -> tuple[list[str], list[np.ndarray]]:
    """(names, one float64 array per submission in tournament row order).

    Arrays already float64 and in row order are used as they are: a round of 1,000
    submissions x 80,000 rows is 640 MB, and it is never copied into one matrix.
    """
    ids = pd.Index(tournament["id"].astype(str))
    names, columns = [], []
    for name, values in predictions.items():
        if isinstance(values, pd.Series):
            aligned = values.reindex(ids)
            if aligned.isna().any():
                raise ValueError(f"submission {name!r} has no prediction for {int(aligned.isna().sum())} tournament rows")
            values = aligned.to_numpy(dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (len(ids),):
            raise ValueError(f"submission {name!r} has {values.shape} values; expected {len(ids)}")
        names.append(str(name))
        columns.append(values)
    if not names:
        raise ValueError("no submissions to score")
    return names, columns


def _targets(tournament: pd.DataFrame, live_targets: pd.Series) -> np.ndarray:
    """Target per tournament row: validation from the file, live from ``live_targets``."""
    targets = tournament["target"].to_numpy(dtype=np.float64, na_value=np.nan).copy()
    live = (tournament["data_type"] == "live").to_numpy()
    targets[live] = live_targets.reindex(tournament.loc[live, "id"].astype(str)).to_numpy(dtype=np.float64, na_value=np.nan)
    targets[(tournament["data_type"] == "test").to_numpy()] = np.nan
    return targets


def _weights(names: list[str], stakes: Mapping[str, int] | None) -> np.ndarray:
    if stakes is None:
        return np.ones(len(names))
    # Stakes are wei ints; their ratios are all the meta-model needs, floats keep 15 digits.
    return np.array([float(stakes.get(name, 0)) for name in names])


# --- chunked, threaded evaluation ---------------------------------------------------------


def _blocks(n: int) -> list[np.ndarray]:
    return [np.arange(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]


def _chunked(function: Callable[[np.ndarray], np.ndarray], n: int, width: int) -> np.ndarray:
    """``function`` on blocks of submission indices, on two threads, into one (n x width) array.

    numpy releases the GIL in sorts and array kernels, so two blocks run in parallel.
    Each block's rows are written into the output as soon as they are computed: the
    peak is the output plus two blocks' temporaries, not every block's result at once.
    """
    out = np.empty((n, width))

    def run(block: np.ndarray) -> None:
        out[block] = function(block)

    blocks = _blocks(n)
    if len(blocks) == 1:
        run(blocks[0])
        return out
    # One BLAS thread per worker: two workers on two cores, not two times two.
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(_THREADS) as pool:
        list(pool.map(run, blocks))
    return out


# --- assembling outputs ------------------------------------------------------------------


def _summarise(names: list[str], era_rows: list) -> pd.DataFrame:
    summary = pd.DataFrame(index=pd.Index(names, name="submission"))
    for split, prefix in (("validation", "validation_"), ("live", "")):
        chosen = [(n_rows, values) for _, s, n_rows, values in era_rows if s == split]
        if not chosen:
            for column in ("logloss", "corr", "mmc", "fnc"):
                summary[f"{split}_logloss" if column == "logloss" else f"{prefix}{column}"] = np.nan
            if split == "validation":
                summary["consistency"] = np.nan
            continue
        counts = np.array([n for n, _ in chosen])
        stacked = np.stack([v for _, v in chosen])  # eras x submissions x metrics
        summary[f"{split}_logloss"] = stacked[:, :, 0].sum(axis=0) / counts.sum()
        with warnings.catch_warnings():  # a metric NaN in every era (a constant submission's FNC) stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            for position, column in enumerate(("corr", "mmc", "fnc"), start=1):
                summary[f"{prefix}{column}"] = np.nanmean(stacked[:, :, position], axis=0) if len(chosen) else np.nan
        if split == "validation":
            era_loss = stacked[:, :, 0] / counts[:, None]
            summary["consistency"] = beats_coin_flip(era_loss).mean(axis=0)
    return summary


def _per_era_table(names: list[str], era_rows: list) -> pd.DataFrame:
    frames = []
    for era, split, n_rows, values in era_rows:
        frame = pd.DataFrame(values, columns=list(PER_ERA_METRICS))
        frame["logloss"] /= n_rows
        frame.insert(0, "submission", names)
        frame.insert(1, "era", era)
        frame.insert(2, "data_type", split)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["submission", "era", "data_type", *PER_ERA_METRICS])
    return pd.concat(frames, ignore_index=True)
