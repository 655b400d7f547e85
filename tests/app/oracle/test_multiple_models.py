"""A round on a real Ganache where one wallet runs two models: each model uploads its own
file and stakes on it, the oracle scores, plans, commits and settles them apart (each
position settled on chain with its own outcome), the prizes of both go to the wallet in
one entry (their sum), and verify replays the round per model and passes."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from app.web import services
from client.core.chain.contracts import Chain
from client.core.models import model_key
from client.core.money.plan import plan_from_json
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import (
    NMR,
    advance_chain_time,
    send,
    token_and_escrow,
    usd_token,
)
from tests.app.oracle.test_full_round import DATASET, POOLS, _predictions

QUIET = {"report": lambda _: None}
SETTLED = 2


@pytest.fixture
def two_model_round(app, w3, keys, deployment):
    """Round 1: wallet keys[3] stakes on its model 0 and on its model 1 "second" (two
    models trained on other features), and keys[4..6] stake one model each. Returns the
    wallet, its two model keys, every staker's (key, amount) and the files' hashes."""
    _, record = deployment
    token, escrow = token_and_escrow(w3, record)
    wallet = Account.from_key(keys[3]).address
    first, second = model_key(wallet, 0), model_key(wallet, 1)
    stakes, hashes = [], {}
    with app.app_context():
        row = oracle.open_round(1, closes_in=600, resolves_in=7200, pools=POOLS, dataset_options=DATASET, **QUIET)
        assert store.add_model(wallet, "second")["key"] == second
        public = pd.read_parquet(row.dataset_parquet_path)
        # (signing key, model reference, file index, amount, confidence)
        # Files 0, 4 and 8 are models trained on their own features; 1 guesses; 2 shuffles its live rows.
        plan = [(keys[3], None, 0, 12 * NMR, 2 * 10**16), (keys[3], "second", 4, 7 * NMR, 4 * 10**16)]
        plan += [(keys[4 + i], None, index, (10 + i) * NMR, (i + 1) * 10**16) for i, index in enumerate((8, 1, 2))]
        for key, model, index, amount, confidence in plan:
            address = Account.from_key(key).address
            body = _predictions(public, index).to_csv(index=False).encode()
            outcome = services.upload_predictions(1, address, body, f"file-{index}.csv", model)
            assert outcome.result.ok, outcome.result.problems
            number = 1 if model else 0
            send(w3, key, token.functions.approve(escrow.address, amount))
            send(w3, key, escrow.functions.stake(1, number, amount, confidence, bytes.fromhex(outcome.result.hash[2:])))
            stakes.append((model_key(address, number), amount))
            hashes[model_key(address, number)] = outcome.result.hash
    return {"wallet": wallet, "first": first, "second": second, "stakes": stakes, "hashes": hashes}


def test_two_models_of_one_wallet_settle_apart_and_win_as_one_wallet(app, w3, deployment, two_model_round):
    _, record = deployment
    wallet, first, second = two_model_round["wallet"], two_model_round["first"], two_model_round["second"]
    token, escrow = token_and_escrow(w3, record)
    usd = usd_token(w3, record)
    before = (token.functions.balanceOf(wallet).call() + 19 * NMR, usd.functions.balanceOf(wallet).call())
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(1, **QUIET)
        document = oracle.resolve_round(1, **QUIET)
        oracle.settle_round(1, **QUIET)
        oracle.finalize_round(1, **QUIET)
        published = oracle.publish_round(1, **QUIET)
        scores = {oracle.participant_key(s): s for s in store.round_scores(1)}
    plan = plan_from_json(document)
    outcomes = {e.model: e for e in plan.stakes}
    prizes = {p.participant: p for p in plan.prizes}

    # Each model was scored on its own file and planned on its own stake.
    assert set(outcomes) == {key for key, _ in two_model_round["stakes"]}
    assert document["hashes"][first] == two_model_round["hashes"][first]
    assert document["hashes"][second] == two_model_round["hashes"][second]
    assert (outcomes[first].stake, outcomes[second].stake) == (12 * NMR, 7 * NMR)
    assert first in document["scored"] and second in document["scored"]
    assert scores[first].live_logloss != scores[second].live_logloss
    assert (outcomes[first].burn, outcomes[first].usd_reward) != (outcomes[second].burn, outcomes[second].usd_reward)

    # On chain: both positions settled, each with its own outcome (the StakeSettled events).
    assert [escrow.functions.getStake(1, wallet, n).call()[2] for n in (0, 1)] == [SETTLED, SETTLED]
    reader = Chain.read_only(app.config["RPC_URL"], record)
    settled = reader.settlements(1)
    for key in (first, second):
        assert (settled[key]["burned"], settled[key]["usd_reward"], settled[key]["nmr_reward"]) == (
            outcomes[key].burn, outcomes[key].usd_reward, outcomes[key].nmr_reward)
    # The prizes: one entry for the wallet, the sum of its models' prizes.
    won = [prizes[k] for k in (first, second) if k in prizes]
    assert len(won) == 2, "both models should rank for a prize (the test's point: their sum on chain)"
    paid = reader.prizes(1)
    assert (paid[wallet]["usd"], paid[wallet]["nmr"]) == (sum(p.usd for p in won), sum(p.nmr for p in won))
    assert len(paid) == len({key.split("-")[0] for key in prizes})
    # The wallet's balances moved by both models' outcomes and prizes, nothing else.
    nmr_in = sum(outcomes[k].stake - outcomes[k].burn + outcomes[k].nmr_reward for k in (first, second))
    usd_in = sum(outcomes[k].usd_reward for k in (first, second))
    assert (token.functions.balanceOf(wallet).call(), usd.functions.balanceOf(wallet).call()) == (
        before[0] - 19 * NMR + nmr_in + sum(p.nmr for p in won), before[1] + usd_in + sum(p.usd for p in won))

    # The published round: one file per model, and verify replays it per model.
    files = {path.name: path.read_bytes() for path in (published / "predictions").iterdir()}
    assert files[f"{first}.csv"] != files[f"{second}.csv"]
    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches
    assert f"{len(outcomes)} on-chain settlements" in report.checked
    assert f"{len(paid)} on-chain prizes" in report.checked


def test_verify_catches_a_prize_moved_between_a_wallets_models(app, w3, two_model_round, tmp_path):
    """Moving a dollar of prize from one of the wallet's models to the other leaves the
    wallet's sum the same, but each model's prize is replayed on its own: caught."""
    first, second = two_model_round["first"], two_model_round["second"]
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(1, **QUIET)
        oracle.resolve_round(1, **QUIET)
        published = oracle.publish_round(1, **QUIET)
    tampered = tmp_path / "swapped"
    shutil.copytree(published, tampered)
    document = json.loads((tampered / "plan.json").read_text())
    by = {p["participant"]: p for p in document["prizes"]}
    by[first]["usd"], by[second]["usd"] = str(int(by[first]["usd"]) - 10**6), str(int(by[second]["usd"]) + 10**6)
    (tampered / "plan.json").write_text(json.dumps(document))
    report = verify_published(tampered, app.config["RPC_URL"])
    assert any(m.startswith(f"prize of {first}") for m in report.mismatches), report.mismatches
    assert any(m.startswith(f"prize of {second}") for m in report.mismatches), report.mismatches
