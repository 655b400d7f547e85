"""How soon after an upload the Performance panel has its originality and concordance.

app/web/performance.py refreshes a round in a background thread after each upload: it
reads every current submission's stored file, runs client.core.scoring's originality over all of
them and concordance for the files that lack it (one, after an upload), with the round's
k-means clusters computed once per process. This prints each step's seconds for a round
of S submissions x N tournament rows beside the target (the panel filled "soon after
upload": under 30 s for 1,000 x 50,000 rows) and the upload's own validation as a
reference (what a person already waits for at upload).

    .venv/bin/python benchmarks/bench_performance_panel.py            # demo (7 x 1,440) and 200 x 50,000
    .venv/bin/python benchmarks/bench_performance_panel.py --full     # also 1,000 x 50,000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.web.performance import probabilities
from client.core.predictions import PredictionValidator
from client.core.scoring.concordance import concordance_fractions, feature_clusters
from client.core.scoring.originality import originality

TARGET_SECONDS = 30.0  # 1,000 x 50,000
N_FEATURES = 50


def timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def run(n_submissions: int, n_rows: int, folder: Path) -> dict[str, float]:
    """Seconds of each step of one refresh after the last of ``n_submissions`` uploads."""
    rng = np.random.default_rng(0)
    ids = pd.Index([f"n{i:09x}" for i in range(n_rows)])
    splits = np.array(["validation", "test", "live"])[np.arange(n_rows) * 3 // n_rows]
    features = rng.random((n_rows, N_FEATURES))
    signal = features[:, 0] - 0.5
    stored = []
    for s in range(n_submissions):
        p = (0.5 + 0.05 * signal * rng.random() + rng.normal(0, 0.02, n_rows)).clip(0.01, 0.99).round(6)
        path = folder / f"{s}.csv"
        pd.DataFrame({"id": ids, "probability": p}).to_csv(path, index=False)
        stored.append(SimpleNamespace(stored_path=str(path)))
    last = Path(stored[-1].stored_path).read_bytes()
    validator = PredictionValidator(pd.Series(ids), 10**9)
    checked, validate = timed(lambda: validator.validate(last, "last.csv"))
    assert checked.ok, checked.problems
    clusters, cluster = timed(lambda: feature_clusters(features))
    columns, read = timed(lambda: [probabilities(s, ids) for s in stored])
    _, original = timed(lambda: originality(columns))
    _, concord = timed(lambda: concordance_fractions(columns[-1:], splits, clusters))
    return {"validate the upload (reference)": validate, "k-means clusters (once per round)": cluster,
            "read the stored files": read, "originality, all files": original, "concordance, the new file": concord,
            "refresh after an upload": read + original + concord}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also 1,000 submissions x 50,000 rows")
    args = parser.parse_args()
    shapes = [(7, 1_440), (200, 50_000)] + ([(1_000, 50_000)] if args.full else [])
    for n_submissions, n_rows in shapes:
        with tempfile.TemporaryDirectory() as folder:
            figures = run(n_submissions, n_rows, Path(folder))
        print(f"\n{n_submissions:,} submissions x {n_rows:,} rows")
        for name, seconds in figures.items():
            print(f"  {name:<36} {seconds:8.3f} s")
        if (n_submissions, n_rows) == (1_000, 50_000):
            verdict = "within" if figures["refresh after an upload"] < TARGET_SECONDS else "OVER"
            print(f"  target: refresh under {TARGET_SECONDS:.0f} s -> {verdict}")


if __name__ == "__main__":
    main()
