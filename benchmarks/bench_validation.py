"""Prediction-file validation time per MB for the worst shapes, beside a plain read.

Each line: the shape, its size, how long :class:`PredictionValidator` takes (refusing or
accepting it) and how long pandas/pyarrow take just to read the same bytes. Refusals of
absurd shapes come from counting bytes or the Parquet footer, so they cost far less than
the plain read; accepted files cost about one read plus the checks.

    .venv/bin/python benchmarks/bench_validation.py
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from client.core.predictions import MAX_PREDICTION_BYTES, PredictionValidator

ROWS = 400_000


def _seconds(call, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def main() -> None:
    """Print one line per shape."""
    ids = [f"n{i:015x}" for i in range(ROWS)]
    validator = PredictionValidator(ids, MAX_PREDICTION_BYTES)
    good = pd.DataFrame({"id": ids, "probability": np.random.default_rng(0).uniform(0.3, 0.7, ROWS).round(6)})
    bomb_ids = pa.DictionaryArray.from_arrays(pa.array(np.zeros(3_000_000, dtype=np.int32)), pa.array(["n" * 1000]))
    long_ids = pa.DictionaryArray.from_arrays(pa.array(np.zeros(ROWS, dtype=np.int32)), pa.array(["n" * 1000]))
    shapes = {
        "csv, 1M columns": (("id,probability," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode(), "csv"),
        "csv, 40k columns in 8 KB lines": ((b"id,probability" + b",x" * 4000 + b"\n") * 10, "csv"),
        "csv, 400k rows (a real file)": (good.to_csv(index=False).encode(), "csv"),
        "csv, 3M rows": (b"id,probability\n" + b"a,0.5\n" * 3_000_000, "csv"),
        "parquet, 400k rows (a real file)": (_parquet(pa.Table.from_pandas(good, preserve_index=False)), "parquet"),
        "parquet bomb, 3M rows x 1000-char ids": (_parquet(pa.table({"id": bomb_ids, "probability": np.full(3_000_000, 0.5)})), "parquet"),
        "parquet, 400k rows x 1000-char ids": (_parquet(pa.table({"id": long_ids, "probability": np.full(ROWS, 0.5)})), "parquet"),
    }
    print(f"{'shape':42} {'MB':>7} {'validate ms':>12} {'ms/MB':>8} {'plain read ms':>14} {'ms/MB':>8}")
    for name, (raw, kind) in shapes.items():
        validate = _seconds(lambda raw=raw: validator.validate(raw, "p"))
        reader = (lambda raw=raw: pd.read_csv(io.BytesIO(raw))) if kind == "csv" else (lambda raw=raw: pq.read_table(io.BytesIO(raw)).to_pandas())
        plain = _seconds(reader, repeats=1 if "1M columns" in name else 3)  # pandas takes a minute there
        mb = len(raw) / 1e6
        print(f"{name:42} {mb:7.2f} {validate * 1e3:12.1f} {validate * 1e3 / mb:8.1f} {plain * 1e3:14.1f} {plain * 1e3 / mb:8.1f}")


if __name__ == "__main__":
    main()
