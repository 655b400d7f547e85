"""A whole round on a real Ganache: open, upload, stake, close, resolve, settle, finalize,
publish — with 20 stakers, then the chain checked against the stored plan."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from eth_account import Account
from sklearn.linear_model import LogisticRegression

from app import oracle, store
from app.payout import plan_from_json
from app.verify import verify_published
from app.web import services
from tests.app.oracle.conftest import NMR, advance_chain_time, send, token_and_escrow

N_STAKERS = 20
DATASET = {"rows_per_era": 1500}


def _predictions(public: pd.DataFrame, index: int) -> pd.DataFrame:
    """Half the stakers train a model on their own feature subset (every other one of them
    then gets the live era backwards: consistent on validation, wrong on live); half guess."""
    rng = np.random.default_rng(index)
    tournament = public[public["data_type"] != "train"]
    features = [c for c in public.columns if c.startswith("feature")]
    if index % 2 == 0:
        chosen = list(rng.choice(features, size=8, replace=False))
        train = public[public["data_type"] == "train"]
        model = LogisticRegression(C=1.0).fit(train[chosen], train["target"])
        probability = model.predict_proba(tournament[chosen])[:, 1]
        if index % 4 == 2:
            live = (tournament["data_type"] == "live").to_numpy()
            probability[live] = 1 - probability[live]
    else:
        probability = rng.uniform(0.2, 0.8, size=len(tournament))
    return pd.DataFrame({"id": tournament["id"].astype(str), "probability": probability.round(6)})


def _open_and_stake(app, w3, keys, record, n_stakers=N_STAKERS, policy="auction2017"):
    token, escrow = token_and_escrow(w3, record)
    stakers = []
    with app.app_context():
        row = oracle.open_round(1, closes_in=600, resolves_in=7200, budget_wei=500 * NMR,
                                policy=policy, dataset_options=DATASET, report=lambda _: None)
        public = pd.read_parquet(row.dataset_parquet_path)
        for i in range(n_stakers):
            key = keys[3 + i]
            address = Account.from_key(key).address
            body = _predictions(public, i).to_csv(index=False).encode()
            outcome = services.upload_predictions(1, address, body, f"model-{i}.csv")
            assert outcome.result.ok, outcome.result.problems
            amount = (10 + i) * NMR
            send(w3, key, token.functions.approve(escrow.address, amount))
            confidence = (i % 5 + 1) * 10**17
            send(w3, key, escrow.functions.stake(1, amount, confidence, bytes.fromhex(outcome.result.hash[2:])))
            stakers.append((address, amount))
    return token, escrow, stakers


def _close_and_resolve(app, w3):
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(1, report=lambda _: None)
        return oracle.resolve_round(1, report=lambda _: None)


def _assert_chain_matches_plan(w3, token, escrow, stakers, document, supply_before, balances_before):
    plan = {e.staker: e for e in plan_from_json(document["entries"])}
    assert set(plan) == {a for a, _ in stakers}
    for address, amount in stakers:
        entry = plan[address]
        assert entry.stake == amount
        assert escrow.functions.getStake(1, address).call()[2] == 2  # settled
        assert token.functions.balanceOf(address).call() == balances_before[address] - entry.burn + entry.reward
    burned = sum(e.burn for e in plan.values())
    assert token.functions.totalSupply().call() == supply_before - burned
    info = escrow.functions.getRound(1).call()
    assert info[6] == burned  # totalBurned
    assert info[3] == sum(e.reward for e in plan.values())  # rewardsPaid
    return burned


def test_full_round_with_twenty_stakers(app, w3, keys, deployment, tmp_path):
    _, record = deployment
    # The corr policy burns in part for a negative live CORR, so one round shows both.
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, policy="corr")
    balances_before = {a: token.functions.balanceOf(a).call() + amount for a, amount in stakers}
    supply_before = token.functions.totalSupply().call()
    treasury = record["treasury"]
    document = _close_and_resolve(app, w3)

    entries = plan_from_json(document["entries"])
    assert any(e.burn > 0 for e in entries), "a staker with negative live CORR should be burned"
    assert any(e.reward > 0 for e in entries), "a staker with positive live CORR should be rewarded"

    with app.app_context():
        result = oracle.settle_round(1, report=lambda _: None, batch_size=6)
        assert result["settled"] == N_STAKERS
        assert [b.status for b in store.list_batches(1)] == ["confirmed"] * 4
        treasury_before = token.functions.balanceOf(treasury).call()
        oracle.finalize_round(1, report=lambda _: None)
        published = oracle.publish_round(1, report=lambda _: None)
        results = store.round_results(1)

    burned = _assert_chain_matches_plan(w3, token, escrow, stakers, document, supply_before, balances_before)
    rewarded = sum(e.reward for e in entries)
    assert token.functions.balanceOf(treasury).call() == treasury_before + 500 * NMR - rewarded
    assert token.functions.balanceOf(escrow.address).call() == 0
    assert results["n_stakers"] == N_STAKERS and results["burned_wei"] == burned
    assert (published / "plan.json").is_file() and len(list((published / "predictions").iterdir())) == N_STAKERS

    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches
    assert report.checked[-1] == f"{N_STAKERS} on-chain settlements"
    _assert_verify_catches_tampering(published, app.config["RPC_URL"], tmp_path)


def _assert_verify_catches_tampering(published, rpc_url, tmp_path):
    """A changed prediction file (manifest rewritten to match) and a changed plan are caught."""
    tampered = tmp_path / "tampered-file"
    shutil.copytree(published, tampered)
    victim = min((tampered / "predictions").iterdir())
    lines = victim.read_text().splitlines()
    ident, probability = lines[1].split(",")
    lines[1] = f"{ident},{1 - float(probability):.6f}"
    victim.write_text("\n".join(lines) + "\n")
    manifest = json.loads((tampered / "manifest.json").read_text())
    manifest[f"predictions/{victim.name}"] = hashlib.sha256(victim.read_bytes()).hexdigest()
    (tampered / "manifest.json").write_text(json.dumps(manifest))
    report = verify_published(tampered, rpc_url)
    assert any(f"predictions/{victim.name} hashes to" in m for m in report.mismatches), report.mismatches

    tampered = tmp_path / "tampered-plan"
    shutil.copytree(published, tampered)
    document = json.loads((tampered / "plan.json").read_text())
    entry = next(e for e in document["entries"] if int(e["reward"]) > 0)
    entry["reward"] = str(int(entry["reward"]) + 1)
    (tampered / "plan.json").write_text(json.dumps(document))
    report = verify_published(tampered, rpc_url)
    assert any(m.startswith("plan.json: SHA-256 differs") for m in report.mismatches)
    assert any(m.startswith(f"plan for {entry['staker']}") for m in report.mismatches)


@pytest.mark.parametrize("crash_after", [0, 2])
def test_settlement_resumes_after_a_crash_without_paying_twice(app, w3, keys, deployment, crash_after):
    _, record = deployment
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=10)
    balances_before = {a: token.functions.balanceOf(a).call() + amount for a, amount in stakers}
    supply_before = token.functions.totalSupply().call()
    document = _close_and_resolve(app, w3)

    def crash(index):
        if index == crash_after:
            raise KeyboardInterrupt("settle process killed")

    with app.app_context():
        with pytest.raises(KeyboardInterrupt):
            oracle.settle_round(1, report=lambda _: None, batch_size=3, after_batch=crash)
        settled_first = sum(escrow.functions.getStake(1, a).call()[2] == 2 for a, _ in stakers)
        assert settled_first == 3 * (crash_after + 1)
        again = oracle.settle_round(1, report=lambda _: None, batch_size=3)
        assert again["settled"] == 10 - settled_first
        assert again["already_settled"] == settled_first
        # A third run finds nothing left to send.
        assert oracle.settle_round(1, report=lambda _: None)["settled"] == 0
        assert oracle.resolve_round(1, report=lambda _: None) == document

    _assert_chain_matches_plan(w3, token, escrow, stakers, document, supply_before, balances_before)


def test_unreachable_rpc_is_a_clear_error_and_records_nothing(app, tmp_path):
    app.config["RPC_URL"] = "http://127.0.0.1:9"
    app.extensions["chain"]._chain = None
    with app.app_context():
        with pytest.raises(Exception) as excinfo:
            oracle.open_round(1, dataset_options=DATASET, report=lambda _: None)
        assert "did not answer" in str(excinfo.value)
        assert store.get_round(1) is None


def test_a_reverted_batch_is_reported_with_the_decoded_error(app, w3, keys, deployment):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=2)
    _close_and_resolve(app, w3)
    advance_chain_time(w3, 7200)  # past resolvesBy: the escrow refuses settlement
    with app.app_context():
        with pytest.raises(oracle.OracleError) as excinfo:
            oracle.settle_round(1, report=lambda _: None)
        assert "TournamentEscrowSettlementWindowOver" in str(excinfo.value)
        assert "stakers withdraw alone" in str(excinfo.value)
        assert [b.status for b in store.list_batches(1)] == ["failed"]

