"""`make run`'s living tournament, in two processes (tools/run.sh starts both):

- ``python tools/demo.py keeper``: the oracle's keeper (``flask oracle run``'s loop) on
  `make run`'s short schedule: a round opens every ``NMR_ROUND_EVERY`` seconds whatever
  state the earlier ones are in, so several are in flight at once (one open, one waiting
  for its live data, one committed or settling). One round in three it commits a wrong
  plan (every stake burned), for the disputer below to catch.
- ``python tools/demo.py players``: seven simulated data scientists (Ganache accounts
  3..9) play every open round through the same client a real user has (sign in, download,
  train, upload, stake; sparse-eight stakes once and lets its stake roll from round to round); the honest one (steady-logit) recomputes every committed round
  from its published files and disputes a wrong one during its challenge window; the
  guardian (account 12, NMR_GUARDIAN_PRIVATE_KEY) upholds the dispute, and the round is
  voided: every staker takes the whole stake back at once, as they do from an expired round.
  In a sealed round (one in three, ``NMR_SEALED_EVERY``) the client seals each file, and
  each player reveals it once the round has closed, except lucky-dice, who never does: its
  stake comes back without reward (docs/sealed.md).

Stopped and started again at any moment, both pick up where every round stands: the
keeper's steps are journaled, the players look at the chain.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from eth_account import Account

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app, oracle, store
from app.chain import get_chain
from app.paths import published_dir
from client.api import NumeraireClient, NumeraireError
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError
from client.core.chain.signing import key_from_mnemonic
from client.core.money.verify import verify_published
from examples.example_model import train_and_predict

Model = Callable[[pd.DataFrame, np.random.Generator], np.ndarray]
WRONG_PLAN_EVERY = 3  # rounds 3, 6, 9 ... are resolved with a wrong plan, disputed and voided
Report = Callable[[str], None]


def _tournament(public: pd.DataFrame) -> pd.DataFrame:
    return public[public["data_type"] != "train"]


def _logistic(n_features: int | None, c: float) -> Model:
    """The README's example model on `n_features` random features (all if None)."""

    def fit_predict(public: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        features = [name for name in public.columns if name.startswith("feature")]
        if n_features:
            features = list(rng.choice(features, size=n_features, replace=False))
        return train_and_predict(public, features, c)["probability"].to_numpy()

    return fit_predict


def _guess(public: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0.35, 0.65, size=len(_tournament(public)))


@dataclass(frozen=True)
class Participant:
    name: str
    account: int
    model: Model
    stake_nmr: float
    confidence: float
    reveals: bool = True  # in a sealed round: reveals its file after the close
    rolls: bool = False  # stakes once and lets the stake roll on, round after round


def _client(participant: Participant, api_url: str, workdir: Path) -> NumeraireClient:
    """The participant's own client; its sealed files wait in its own folder."""
    key = key_from_mnemonic(os.environ["NMR_DEV_MNEMONIC"], participant.account)
    return NumeraireClient(api_url, private_key=key, progress=False, sealed_dir=workdir / participant.name / "sealed")


PARTICIPANTS = [
    Participant("steady-logit", 3, _logistic(None, 1.0), 40, 0.5),
    Participant("sparse-eight", 4, _logistic(8, 1.0), 25, 1.0, rolls=True),
    Participant("wide-twelve", 5, _logistic(12, 0.1), 30, 0.8),
    Participant("tiny-c", 6, _logistic(None, 0.001), 15, 1.5),
    Participant("coin-flipper", 7, _guess, 10, 2.0),
    Participant("lucky-dice", 8, _guess, 5, 3.0, reveals=False),
    Participant("lurker", 9, _logistic(5, 1.0), 0, 1.0),
]


def play(participant: Participant, api_url: str, number: int, workdir: Path) -> None:
    """One participant's round: download, train, upload (in a sealed round: seal), stake
    (through the client)."""
    client = _client(participant, api_url, workdir)
    try:
        client.set_display_name(participant.name)
        dataset = client.download_dataset(workdir / participant.name, number)
        public = pd.read_parquet(dataset)
        rng = np.random.default_rng([number, participant.account])
        probabilities = np.clip(participant.model(public, rng), 0.001, 0.999)
        path = workdir / participant.name / "predictions.csv"
        pd.DataFrame({"id": _tournament(public)["id"], "probability": probabilities.round(6)}).to_csv(path, index=False)
        submission = client.upload_predictions(path, number, dataset)
        # A roller's one stake carries on by itself: it rolls into this round when an
        # earlier one settles, and backs this file without a transaction.
        rolling = participant.rolls and any(row["rolls"] for row in client.rolling_positions())
        if participant.stake_nmr and not rolling:
            client.stake(participant.stake_nmr, participant.confidence, number, submission["hash"],
                         roll=participant.rolls)
        what = "sealed" if submission.get("sealed") else "played"
        print(f"demo: {participant.name} {what} round {number}{' (its stake rolls on)' if rolling else ''}")
    except NumeraireError as exc:
        print(f"demo: {participant.name} skipped round {number}: {exc}")


def reveal_all(api_url: str, number: int, workdir: Path) -> bool:
    """Every participant who reveals sends the files it sealed in round `number`, once the
    round has closed on chain; True when none is left waiting for the close."""
    done = True
    for participant in PARTICIPANTS:
        if not participant.reveals:
            continue
        try:
            for outcome in _client(participant, api_url, workdir).reveal_predictions(number):
                done = done and outcome["status"] != "waiting"
                if outcome["status"] != "waiting":
                    print(f"demo: {participant.name} round {number}: {outcome['status']}: {outcome['message']}")
        except NumeraireError as exc:
            print(f"demo: {participant.name} could not reveal in round {number}: {exc}")
    return done


def withdraw_all(api_url: str, number: int) -> None:
    """The escape hatch for every demo participant still staked in an expired or voided round."""
    for participant in PARTICIPANTS:
        if not participant.stake_nmr:
            continue
        key = key_from_mnemonic(os.environ["NMR_DEV_MNEMONIC"], participant.account)
        client = NumeraireClient(api_url, private_key=key, progress=False)
        try:
            if client.stake_of(number)["status"] == "active":
                client.withdraw(number)
                print(f"demo: {participant.name} withdrew the whole stake of round {number}")
        except NumeraireError as exc:
            print(f"demo: {participant.name} could not withdraw from round {number}: {exc}")


def wrong_plan(number: int, document: dict) -> dict | None:
    """The keeper's plan amender: one round in three, every stake burned in the plan it
    publishes and commits (a plan the published scores do not give)."""
    if number % WRONG_PLAN_EVERY:
        return None
    for entry in document["stakes"]:
        entry["burn"], entry["usd_reward"], entry["nmr_reward"] = entry["stake"], "0", "0"
        document["reasons"][entry["model"]] = "burned (the demo's wrong plan)"
    return document


def honest_participant_checks(number: int, rpc_url: str) -> bool:
    """steady-logit recomputes the round from the published files and, if the committed
    batches are not what they give, disputes the round during its challenge window.
    Returns whether it disputed."""
    result = verify_published(published_dir(number), rpc_url)
    wrong = [m for m in result.mismatches if "committed hash" in m]
    if not wrong:
        return False
    print(f"demo: steady-logit found round {number}'s committed plan wrong: {wrong[0]}")
    chain = get_chain()
    key = key_from_mnemonic(os.environ["NMR_DEV_MNEMONIC"], PARTICIPANTS[0].account)
    disputer = Chain(chain.w3, chain.deployments, Account.from_key(key), owner="staker")
    try:
        tx = disputer.dispute(number)
    except ChainError as exc:
        print(f"demo: steady-logit could not dispute round {number}: {exc}")
        return False
    print(f"demo: steady-logit disputed round {number} in {tx['tx_hash']} (bond {disputer.dispute_bond() / 10**18:g} NMR)")
    return True


def watch_commitments(checked: set[int], rpc_url: str) -> None:
    """Every committed round in its challenge window is checked once; a disputed round is
    ruled on by the guardian (upheld: the demo's disputes are of wrong plans)."""
    chain = get_chain()
    for row in store.rounds_in_flight():
        if row.status in ("opening", "open"):
            continue
        view = chain.round(row.number)
        if (view["committed"] and not view["disputed"] and not view["voided"] and row.number not in checked
                and chain.now() < view["challenge_ends_at"] and published_dir(row.number).joinpath("manifest.json").is_file()):
            checked.add(row.number)
            honest_participant_checks(row.number, rpc_url)
        if chain.round(row.number)["disputed"]:
            try:
                oracle.rule_round(row.number, upheld=True, report=lambda line: print(f"guardian: {line}"))
            except oracle.OPERATOR_ERRORS as exc:
                print(f"guardian: could not rule on round {row.number}: {exc}")


def players() -> None:
    """The simulated data scientists, the honest disputer and the guardian, until stopped."""
    api_url = os.environ.get("NMR_API_URL", "http://127.0.0.1:8000")
    rpc_url = os.environ["NMR_RPC_URL"]
    app = create_app()
    played: set[int] = set()
    checked: set[int] = set()
    withdrawn: set[int] = set()
    revealed: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="nmr-demo-") as tmp, ThreadPoolExecutor(len(PARTICIPANTS)) as pool:

        def reveal_closed() -> None:
            """The sealed rounds played here whose close has passed: their files revealed."""
            with app.app_context():
                closed = [r.number for r in store.list_rounds() if r.sealed and r.number in played
                          and r.status in ("open", "closed") and not r.accepts_uploads()]  # fmt: skip
            for number in sorted(set(closed) - revealed):
                if reveal_all(api_url, number, Path(tmp)):
                    revealed.add(number)

        while True:
            with app.app_context():
                watch_commitments(checked, rpc_url)
                open_now = [r.number for r in store.list_rounds("open") if r.accepts_uploads()]
                ended = [r.number for r in store.list_rounds() if r.status in ("expired", "voided")]
            reveal_closed()
            for number in sorted(set(open_now) - played):
                played.add(number)
                # Seven people with seven wallets play side by side, as they would: one at a
                # time, a slow machine let the round close on the last of them.
                plays = [pool.submit(play, participant, api_url, number, Path(tmp)) for participant in PARTICIPANTS]
                while wait(plays, timeout=2).not_done:
                    with app.app_context():  # a window may close while seven models train
                        watch_commitments(checked, rpc_url)
                    reveal_closed()  # and a sealed round's reveals may open
                for finished in plays:
                    finished.result()  # a bug in a play stops the demo, as it did one at a time
            for number in sorted(set(ended) - withdrawn):
                withdrawn.add(number)
                withdraw_all(api_url, number)
            time.sleep(2)


def keeper() -> None:
    """The oracle's keeper on `make run`'s schedule, with the demo's wrong plan one round in three."""
    app = create_app()
    with app.app_context():
        oracle.run(report=lambda line: print(f"oracle: {line}", flush=True), amend_plan=wrong_plan)


if __name__ == "__main__":
    try:
        {"keeper": keeper, "players": players}[sys.argv[1] if len(sys.argv) > 1 else "players"]()
    except KeyboardInterrupt:
        pass
