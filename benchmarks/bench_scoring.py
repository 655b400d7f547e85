"""Benchmark the tournament engine against the one-at-a-time references (not a test).

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--submissions 1000] [--live-rows 50000]``

Prints, side by side:

1. scoring a round (all metrics) with ``app.scoring.score_round_full`` versus
   numerai-tools + sklearn + scipy applied one submission at a time. The reference is
   timed on a sample of submissions (and of submission pairs for originality) and
   extrapolated linearly (per submission) and quadratically (pairs); the sample's
   numbers are compared with ours;
2. originality over all submission pairs on its own;
3. validating a 100,000-row upload versus a bare ``pandas.read_csv`` of the same bytes.

Recorded run (defaults: 1000 submissions, 80,000 tournament rows of which 50,000 live,
50 features; 2 cores shared with other jobs, load average 5-11, so absolute times are
inflated 2-4x; ratios are the signal):

- whole round, all metrics: 128-182 s ours vs 11,600-39,000 s reference extrapolated
  (91-215x); metrics without originality pairs 29-77x; max |difference| on the sampled
  submissions <= 8e-11 (mmc), <= 4e-15 elsewhere;
- originality, 499,500 pairs: 36 s (16.7 s in a quieter moment), target 5 s: not met;
- validation of a 100k-row upload incl. hash: 3.4x a bare read_csv (CSV), 2.6x
  pd.read_parquet (Parquet), target 1.5x: not met on this loaded machine.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.data import build_round_dataset
from app.scoring import score_round_full
from app.scoring.concordance import feature_clusters
from app.scoring.originality import originality
from client.core.predictions import PredictionValidator


def best_of(function, repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds (the machine is shared; the minimum is the signal)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def make_round(n_submissions: int, live_rows: int, n_features: int, seed: int = 11):
    """A round with ``live_rows`` live rows (5 eras), 2 validation eras, 1 test era."""
    rows_per_era = live_rows // 5
    dataset = build_round_dataset(
        seed, "bench", rows_per_era=rows_per_era, n_features=n_features,
        n_train_eras=2, n_validation_eras=2, n_test_eras=1, n_live_eras=5,
    )
    tournament = dataset.tournament
    features = tournament[dataset.feature_names].to_numpy()
    rng = np.random.default_rng(seed)
    # Submissions: random linear models on the features, squashed around 0.5 with
    # different spreads, plus noise: as varied as a real round's.
    weights = rng.normal(size=(n_features, n_submissions)) * rng.uniform(0, 1, n_features)[:, None]
    scores = (features - 0.5) @ weights
    scores /= scores.std(axis=0)
    spread = rng.uniform(0.005, 0.08, n_submissions)
    shift = rng.uniform(-0.05, 0.05, n_submissions)
    noise = rng.normal(size=scores.shape) * rng.uniform(0.1, 1.0, n_submissions)
    matrix = np.clip(0.5 + shift + spread * (scores + noise), 0.001, 0.999).round(6).T
    names = [f"model{i:04d}" for i in range(n_submissions)]
    predictions = dict(zip(names, matrix, strict=True))
    stakes = {name: int(rng.integers(1, 1000)) * 10**18 for name in names}
    return dataset, predictions, stakes


def reference_scores(dataset, predictions, stakes, sample, clusters):
    """numerai-tools / sklearn / scipy, one submission at a time, for ``sample`` names."""
    from numerai_tools import scoring as nt
    from scipy.stats import ks_2samp
    from sklearn.metrics import log_loss

    tournament = dataset.tournament
    ids = pd.Index(tournament["id"])
    frame = pd.DataFrame({n: v for n, v in predictions.items()}, index=ids)
    targets = tournament.set_index("id")["target"].copy()
    live = (tournament["data_type"] == "live").to_numpy()
    targets[live] = dataset.live_targets.loc[ids[live]].to_numpy()
    splits = tournament["data_type"].to_numpy()
    eras = tournament["era"].to_numpy()
    features = tournament.set_index("id")[dataset.feature_names]
    live_eras = pd.unique(eras[live])
    # The meta-model is shared by all submissions: built once, per era, outside the timing.
    meta = {}
    for era in live_eras:
        era_ids = ids[eras == era].sort_values()
        meta[era] = nt.stake_weight(nt.tie_kept_rank(frame.loc[era_ids]), pd.Series(stakes, dtype=float))

    results = {}
    start = time.perf_counter()
    for name in sample:
        column = frame[name]
        validation = splits == "validation"
        out = {
            "validation_logloss": log_loss(targets[validation], column[validation], labels=[0, 1]),
            "live_logloss": log_loss(targets[live], column[live], labels=[0, 1]),
        }
        era_losses = [log_loss(targets[eras == e], column[eras == e], labels=[0, 1]) for e in pd.unique(eras[validation])]
        out["consistency"] = float(np.mean(np.array(era_losses) < np.log(2)))
        corr, mmc, fnc = [], [], []
        for era in live_eras:
            era_ids = ids[eras == era].sort_values()
            t = targets.loc[era_ids].rename("target")
            sub = column.loc[era_ids].to_frame(name)
            corr.append(nt.numerai_corr(sub, t)[name])
            mmc.append(nt.correlation_contribution(sub, meta[era], t)[name])
            fnc.append(nt.feature_neutral_corr(sub, features.loc[era_ids], t)[name])
        out.update(corr=np.mean(corr), mmc=np.mean(mmc), fnc=np.mean(fnc))
        per_cluster = []
        for cluster in np.unique(clusters):
            groups = [column.to_numpy()[(clusters == cluster) & (splits == s)] for s in ("validation", "test", "live")]
            per_cluster.append(max(ks_2samp(a, b).statistic for a, b in [(groups[0], groups[1]), (groups[0], groups[2]), (groups[1], groups[2])]))
        out["concordance_ks"] = float(np.mean(per_cluster))
        results[name] = out
    per_submission = (time.perf_counter() - start) / len(sample)

    names = list(predictions)
    pairs = [(names[i], names[j]) for i, j in zip(range(60), range(1, 61), strict=True)]
    start = time.perf_counter()
    for a, b in pairs:
        np.corrcoef(frame[a], frame[b])
        ks_2samp(frame[a], frame[b])
    per_pair = (time.perf_counter() - start) / len(pairs)
    return pd.DataFrame(results).T, per_submission, per_pair


def bench_round(n_submissions: int, live_rows: int, n_features: int, sample_size: int) -> None:
    print(f"building a round: {n_submissions} submissions, {live_rows:,} live rows, {n_features} features ...")
    dataset, predictions, stakes = make_round(n_submissions, live_rows, n_features)
    tournament = dataset.tournament
    print(f"  tournament rows: {len(tournament):,} ({tournament['data_type'].value_counts().to_dict()})")

    start = time.perf_counter()
    result = score_round_full(tournament, dataset.live_targets, predictions, stakes)
    ours = time.perf_counter() - start

    matrix = np.vstack(list(predictions.values()))
    originality_time = best_of(lambda: originality(matrix), 1)

    clusters = feature_clusters(tournament[dataset.feature_names].to_numpy())
    sample = list(predictions)[:: max(1, n_submissions // sample_size)][:sample_size]
    reference, per_submission, per_pair = reference_scores(dataset, predictions, stakes, sample, clusters)
    n_pairs = n_submissions * (n_submissions - 1) // 2
    reference_total = per_submission * n_submissions + per_pair * n_pairs

    columns = ["validation_logloss", "live_logloss", "consistency", "corr", "mmc", "fnc", "concordance_ks"]
    diff = (result.summary.loc[sample, columns].astype(float) - reference[columns].astype(float)).abs().max()
    print("\n== scoring a round, all metrics ==")
    print(f"{'':38}{'ours':>14}{'reference (1 at a time)':>28}")
    print(f"{'per submission (metrics, no pairs)':38}{'':>14}{per_submission * 1e3:>24.1f} ms")
    print(f"{'per originality pair':38}{'':>14}{per_pair * 1e3:>24.2f} ms")
    print(f"{'whole round':38}{ours:>12.1f} s{reference_total:>26.0f} s (extrapolated)")
    print(f"{'  of which metrics only':38}{ours - originality_time:>12.1f} s{per_submission * n_submissions:>26.0f} s")
    print(f"{'speed-up (whole round)':38}{reference_total / ours:>13.0f}x")
    print(f"{'speed-up (metrics only)':38}{per_submission * n_submissions / max(ours - originality_time, 1e-9):>13.1f}x")
    print(f"max |ours - reference| over {len(sample)} sampled submissions:")
    for column, value in diff.items():
        print(f"    {column:22}{value:.2e}")
    print(f"original: {int(result.summary['original'].sum())}/{n_submissions}, concordant: {int(result.summary['concordant'].sum())}/{n_submissions}")

    print("\n== originality, all pairs ==")
    print(f"{n_submissions} submissions x {matrix.shape[1]:,} rows ({n_pairs:,} pairs): {originality_time:.2f} s (target <= 5 s)")


def bench_validation(rows: int = 100_000, repeat: int = 15) -> None:
    rng = np.random.default_rng(0)
    ids = pd.Index([f"n{x:015x}" for x in rng.integers(0, 2**60, rows)])
    frame = pd.DataFrame({"id": ids, "probability": rng.random(rows).round(6)}).sample(frac=1, random_state=1)
    raw_csv = frame.to_csv(index=False).encode()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    raw_parquet = buffer.getvalue()
    validator = PredictionValidator(ids, 50_000_000)
    assert validator.validate(raw_csv).ok and validator.validate(raw_parquet).ok

    bare_csv = best_of(lambda: pd.read_csv(io.BytesIO(raw_csv)), repeat)
    ours_csv = best_of(lambda: validator.validate(raw_csv), repeat)
    bare_parquet = best_of(lambda: pd.read_parquet(io.BytesIO(raw_parquet)), repeat)
    ours_parquet = best_of(lambda: validator.validate(raw_parquet), repeat)
    print(f"\n== validating a {rows:,}-row upload (incl. canonical hash), best of {repeat} ==")
    print(f"{'':10}{'validate':>12}{'bare pandas read':>20}{'ratio':>8}")
    print(f"{'CSV':10}{ours_csv * 1e3:>9.1f} ms{bare_csv * 1e3:>17.1f} ms{ours_csv / bare_csv:>7.2f}x")
    print(f"{'Parquet':10}{ours_parquet * 1e3:>9.1f} ms{bare_parquet * 1e3:>17.1f} ms{ours_parquet / bare_parquet:>7.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--live-rows", type=int, default=50_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--sample", type=int, default=10, help="submissions timed with the reference")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    bench_validation()
    bench_round(args.submissions, args.live_rows, args.features, args.sample)


if __name__ == "__main__":
    main()
