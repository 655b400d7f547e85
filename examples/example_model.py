"""The example model: download this round's data, train a logistic regression, upload the
predictions and stake on them — the whole loop through the Python client.

    export NMR_API_URL=http://127.0.0.1:8000         # the tournament server (make run)
    export NMR_PRIVATE_KEY=0x...                       # your wallet: signs in and stakes, locally
    .venv/bin/python examples/example_model.py --stake 10 --confidence 0.5

Without ``--stake`` it only uploads. ``NMR_API_TOKEN`` is enough to upload; staking needs
the wallet (``NMR_PRIVATE_KEY`` or ``NMR_KEYSTORE``). ``--model NAME`` uploads and stakes as
another of the wallet's models (``nmr models add NAME`` registers one); the default is its
first model.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.linear_model import LogisticRegression

# Run from a clone without installing anything: the repository root holds `client`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from client import NumeraireClient, NumeraireError


def train_and_predict(public: pd.DataFrame, features: list[str] | None = None, c: float = 1.0) -> pd.DataFrame:
    """Fit a logistic regression on the train rows; predict every tournament row.

    Returns the upload's shape: ``id`` and ``probability`` (of target 1)."""
    features = features or [column for column in public.columns if column.startswith("feature")]
    train = public[public["data_type"] == "train"]
    tournament = public[public["data_type"] != "train"]
    model = LogisticRegression(C=c, max_iter=1000).fit(train[features], train["target"].astype(int))
    return pd.DataFrame({"id": tournament["id"].astype(str),
                         "probability": model.predict_proba(tournament[features])[:, 1]})


def run(client: NumeraireClient, work_dir: str | Path, stake: str | None = None, confidence: str = "0.5",
        round_number: int | None = None, model: str | None = None) -> dict[str, Any]:
    """Download, train, upload and (if `stake`) stake, as my `model` (a name or key; default
    my first model); returns the submission and the stake receipt."""
    work_dir = Path(work_dir)
    number = client.current_round_number() if round_number is None else round_number
    dataset = client.download_dataset(work_dir, number)
    predictions = train_and_predict(pd.read_parquet(dataset))
    path = work_dir / f"predictions_round{number}.csv"
    predictions.to_csv(path, index=False)
    submission = client.upload_predictions(path, number, dataset, model=model)
    receipt = client.stake(stake, confidence, number, submission["hash"], model=model) if stake else None
    return {"submission": submission, "stake": receipt}


def main(argv: list[str] | None = None) -> int:
    """The command line: configuration from the environment (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stake", help="NMR to stake on the upload (default: none)")
    parser.add_argument("--confidence", default="0.5", help="confidence of the stake (default 0.5)")
    parser.add_argument("--round", type=int, help="round (default: the current one)")
    parser.add_argument("--model", help="which of my models, by name or key (default: my first)")
    parser.add_argument("--dir", help="where to keep the dataset and predictions (default: a temporary folder)")
    args = parser.parse_args(argv)
    client = NumeraireClient.from_env()
    work_dir = args.dir or tempfile.mkdtemp(prefix="nmr-example-")
    try:
        result = run(client, work_dir, args.stake, args.confidence, args.round, args.model)
    except NumeraireError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    submission, receipt = result["submission"], result["stake"]
    metrics = submission.get("metrics") or {}
    print(f"round {submission['round']}: uploaded {submission['rows']:,} predictions, hash {submission['hash']}")
    if submission.get("sealed"):  # a sealed round: the client kept the file; it is measured once revealed
        print(f"sealed: only the hash and row count were sent; reveal the file after the close, before "
              f"{submission['sealed']['reveal_until']}: nmr reveal {submission['round']}")
    else:
        print(f"validation logloss {metrics.get('validation_logloss', float('nan')):.5f}, "
              f"consistency {metrics.get('consistency', float('nan')):.2f}")
    if receipt:
        print(f"staked {args.stake} NMR at confidence {args.confidence}: tx {receipt['tx_hash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
