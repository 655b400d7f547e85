"""`make run`'s living tournament: simulated data scientists and the oracle's clock.

Seven participants (Ganache accounts 3..9) play every round through the same client a
real user has: sign in with their wallet, download, train, upload, stake. When a round's
staking closes on chain, the oracle resolves it (publishes every file and commits the
results), waits out the challenge window, settles (stakes, then the prizes by rank) and
finalizes it, and the next round opens, so the results page fills within minutes. One
round in three the oracle commits a wrong plan (every stake burned): the honest
participant recomputes the round from the published files, disputes it during the
window, the guardian (Ganache account 12, NMR_GUARDIAN_PRIVATE_KEY) upholds the dispute
and the round is voided: every staker takes the whole stake back at once. The treasury pays every round's pools: a USD staking pool, a USD prize pool and
an NMR issuance. Stopped and started again after the oracle's deadline of the open round
has passed, the round is finalized on the escape-hatch path (the demo's stakers withdraw
their stakes) and the next round opens. Runs until interrupted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
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
from app.payout import Pools
from app.verify import verify_published
from client.api import NumeraireClient, NumeraireError
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError
from client.core.chain.signing import key_from_mnemonic
from examples.example_model import train_and_predict

Model = Callable[[pd.DataFrame, np.random.Generator], np.ndarray]
# Small enough that the week's NMR issuance and the treasury's dollars last many rounds.
DEMO_POOLS = Pools(usd_staking=300 * 10**6, usd_prize=360_303_000, nmr=1_441_213 * 10**15)
DONE = ("finalized", "expired", "voided")
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


PARTICIPANTS = [
    Participant("steady-logit", 3, _logistic(None, 1.0), 40, 0.5),
    Participant("sparse-eight", 4, _logistic(8, 1.0), 25, 1.0),
    Participant("wide-twelve", 5, _logistic(12, 0.1), 30, 0.8),
    Participant("tiny-c", 6, _logistic(None, 0.001), 15, 1.5),
    Participant("coin-flipper", 7, _guess, 10, 2.0),
    Participant("lucky-dice", 8, _guess, 5, 3.0),
    Participant("lurker", 9, _logistic(5, 1.0), 0, 1.0),
]


def play(participant: Participant, api_url: str, number: int, workdir: Path) -> None:
    """One participant's round: download, train, upload, stake (through the client)."""
    key = key_from_mnemonic(os.environ["NMR_DEV_MNEMONIC"], participant.account)
    client = NumeraireClient(api_url, private_key=key, progress=False)
    try:
        client.set_display_name(participant.name)
        dataset = client.download_dataset(workdir / participant.name, number)
        public = pd.read_parquet(dataset)
        rng = np.random.default_rng([number, participant.account])
        probabilities = np.clip(participant.model(public, rng), 0.001, 0.999)
        path = workdir / participant.name / "predictions.csv"
        pd.DataFrame({"id": _tournament(public)["id"], "probability": probabilities.round(6)}).to_csv(path, index=False)
        submission = client.upload_predictions(path, number, dataset)
        if participant.stake_nmr:
            client.stake(participant.stake_nmr, participant.confidence, number, submission["hash"])
        print(f"demo: {participant.name} played round {number}")
    except NumeraireError as exc:
        print(f"demo: {participant.name} skipped round {number}: {exc}")


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


def resolve_with_a_wrong_plan(number: int, report: Report) -> None:
    """The oracle plans the round, then burns every stake in the plan it publishes and
    commits: a plan the published scores do not give."""
    oracle.close_round(number, report)
    document = oracle.plan_round(number, report=report)
    for entry in document["stakes"]:
        entry["burn"], entry["usd_reward"], entry["nmr_reward"] = entry["stake"], "0", "0"
        document["reasons"][entry["staker"]] = "burned (the demo's wrong plan)"
    store.save_plan(number, document)
    oracle.commit_round(number, report)


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


def dispute_a_wrong_plan(number: int, say: Report) -> None:
    """The wrong-plan round: committed wrong, disputed by the honest participant during
    the window, voided by the guardian (each step resumable after a restart)."""
    if store.get_round(number).status in ("open", "closed"):
        resolve_with_a_wrong_plan(number, say)
    if store.get_round(number).status != "resolved":
        return
    chain = get_chain()
    view = chain.round(number)
    if view["committed"] and not view["disputed"] and not view["voided"] and chain.now() < view["challenge_ends_at"]:
        honest_participant_checks(number, os.environ["NMR_RPC_URL"])
    if chain.round(number)["disputed"]:
        oracle.rule_round(number, upheld=True, report=lambda line: print(f"guardian: {line}"))


def main() -> None:
    api_url = os.environ.get("NMR_API_URL", "http://127.0.0.1:8000")
    closes_in = int(os.environ.get("NMR_DEMO_CLOSES_IN", "180"))
    app = create_app()
    played: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="nmr-demo-") as tmp:
        while True:
            with app.app_context():
                current = store.current_round()
                number = current.number if current else None
                open_now = current is not None and current.accepts_uploads()
            if open_now and number not in played:
                for participant in PARTICIPANTS:
                    play(participant, api_url, number, Path(tmp))
                played.add(number)
            with app.app_context():
                chain = get_chain()
                # Ganache mines only on transactions: tick its clock so deadlines pass.
                chain.mine_empty_block()
                if number is not None and chain.now() >= chain.round(number)["closes_at"]:
                    try:
                        say = lambda line: print(f"oracle: {line}")
                        if number % WRONG_PLAN_EVERY == 0:
                            dispute_a_wrong_plan(number, say)
                        if store.get_round(number).status not in DONE:
                            oracle.run_round(number, report=say)
                        if store.get_round(number).status in ("expired", "voided"):
                            withdraw_all(api_url, number)
                        oracle.open_round(closes_in=closes_in, resolves_in=closes_in + 3600, pools=DEMO_POOLS,
                                          report=lambda line: print(f"oracle: {line}"))
                    except oracle.OPERATOR_ERRORS as exc:  # every step resumes: retry next tick
                        print(f"oracle: {exc}; retrying")
            time.sleep(2)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
