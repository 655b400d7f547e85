"""Load test of the tournament server (not a timed test): N concurrent clients for T seconds
against gunicorn on 127.0.0.1, mixing dataset downloads, uploads, leaderboard and page reads.

    .venv/bin/python benchmarks/load_server.py [--clients 50] [--seconds 60] [--workers 4]

It builds a throw-away instance (SQLite file and data folder in a temp dir): a resolved
round 1 with scores for every client (so the leaderboard has rows) and an open round 2
with its dataset; each client gets its own identity and API token (created through the
store, which is what a signed-in user's "create token" does). Then it starts gunicorn, runs
the clients (one thread and one HTTP connection each) and prints requests/s, p50/p99
latency per kind of request and every error (non-2xx or exception).

Uploads are valid prediction files, so each is validated, measured and stored. The upload
rate limit is raised for the run (NMR_UPLOAD_RATE_LIMIT) because 50 clients hammering
for a minute is the point here; a 429 would count as an error.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIX = (("leaderboard", 0.35), ("current_round", 0.2), ("download_csv", 0.1), ("download_parquet", 0.1),
       ("round_results", 0.1), ("upload", 0.15))  # fmt: skip


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_instance(env: dict[str, str], clients: int, rows_per_era: int) -> tuple[list[str], list[bytes]]:
    """Create rounds, scores and one token per client; returns (tokens, prediction files)."""
    os.environ.update(env)
    from app import create_app, store
    from app.data import build_round_dataset

    app = create_app()
    tokens, files = [], []
    with app.app_context():
        now = store.utcnow()
        data_dir = Path(app.config["DATA_DIR"])
        for number in (1, 2):
            dataset = build_round_dataset(seed=number, key="bench", round_number=number, rows_per_era=rows_per_era)
            paths = dataset.write(data_dir / "datasets" / f"round-{number}")
            store.create_round(number, closes_at=now + timedelta(days=number - 1, hours=1),
                               resolves_by=now + timedelta(days=number + 1), dataset_paths=paths,
                               nmr_pool=1000 * 10**18)  # fmt: skip
        rng = np.random.default_rng(0)
        rows = []
        for i in range(clients):
            address = "0x" + f"{i + 1:040x}"
            from eth_utils import to_checksum_address

            address = to_checksum_address(address)
            store.set_display_name(address, f"client{i:02d}")
            tokens.append(store.create_api_token(address, "bench")[1])
            rows.append({"address": address, "live_logloss": float(0.69 + rng.normal(0, 0.003)),
                         "validation_logloss": 0.69, "consistency": 0.75, "originality": True,
                         "concordance": True, "stake_wei": 10**18, "nmr_reward": 2 * 10**18, "burn_wei": 0})  # fmt: skip
        store.save_scores(1, rows)
        store.set_round_status(1, "resolved", resolved_at=now)
        tournament = dataset.tournament
        for i in range(8):
            frame = pd.DataFrame({"id": tournament["id"], "probability": np.clip(0.5 + rng.normal(0, 0.02, len(tournament)), 0.01, 0.99)})
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False)
            files.append(buffer.getvalue().encode())
    return tokens, files


def run_client(base: str, token: str, files: list[bytes], deadline: float, results: dict, lock: threading.Lock,
               seed: int) -> None:  # fmt: skip
    """One client: a random mix of requests until the deadline."""
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    kinds, weights = zip(*MIX, strict=True)
    local: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            if kind == "leaderboard":
                response = session.get(f"{base}/api/v1/leaderboard" if rng.random() < 0.5 else f"{base}/leaderboard")
            elif kind == "current_round":
                response = session.get(f"{base}/" if rng.random() < 0.5 else f"{base}/api/v1/rounds/current")
            elif kind == "round_results":
                response = session.get(f"{base}/api/v1/rounds/1")
            elif kind.startswith("download"):
                response = session.get(f"{base}/api/v1/rounds/2/dataset.{kind.split('_')[1]}")
            else:
                body = files[rng.randrange(len(files))]
                response = session.post(f"{base}/api/v1/rounds/2/submissions",
                                        files={"file": ("predictions.csv", body, "text/csv")})  # fmt: skip
            _ = response.content
            ok = 200 <= response.status_code < 300
            if not ok:
                errors.append(f"{kind}: HTTP {response.status_code} {response.text[:200]}")
        except requests.RequestException as exc:
            errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        local[kind].append(time.perf_counter() - started)
    with lock:
        for kind, values in local.items():
            results["latency"][kind].extend(values)
        results["errors"].extend(errors)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) in milliseconds."""
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def main() -> None:
    """Seed, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rows-per-era", type=int, default=500)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="nmr-load-"))
    port = free_port()
    env = {
        "NMR_DATABASE_URL": f"sqlite:///{workdir / 'load.sqlite3'}",
        "NMR_DATA_DIR": str(workdir / "data"),
        "NMR_SECRET_KEY": "load-test",
        "NMR_UPLOAD_RATE_LIMIT": "1000000",
        "NMR_RPC_URL": "http://127.0.0.1:9",  # no chain needed: pages render "chain unavailable"
    }
    print(f"seeding {workdir} ...", flush=True)
    tokens, files = seed_instance(env, args.clients, args.rows_per_era)
    server_env = {**os.environ, **env}
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
        cwd=ROOT, env=server_env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/api/v1/rounds/current", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        results = {"latency": defaultdict(list), "errors": []}
        lock = threading.Lock()
        print(f"{args.clients} clients for {args.seconds:.0f} s against gunicorn "
              f"({args.workers} workers x {args.threads} threads) on {base} ...", flush=True)  # fmt: skip
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=run_client, args=(base, tokens[i], files, deadline, results, lock, i))
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    every = [v for values in results["latency"].values() for v in values]
    print(f"\nrequests: {len(every)} in {elapsed:.1f} s = {len(every) / elapsed:.1f} requests/s")
    print(f"latency: p50 {percentile(every, 50):.1f} ms, p99 {percentile(every, 99):.1f} ms, "
          f"mean {statistics.fmean(every) * 1000:.1f} ms")  # fmt: skip
    print(f"errors: {len(results['errors'])}")
    print(f"\n{'kind':<18}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, values in sorted(results["latency"].items()):
        print(f"{kind:<18}{len(values):>8}{percentile(values, 50):>10.1f}{percentile(values, 99):>10.1f}")
    for line in results["errors"][:20]:
        print("  error:", line)


if __name__ == "__main__":
    main()
