"""A whole round on a real Ganache: open and fund, upload, stake, close, resolve, settle
(stakes and prizes), finalize, publish — with 20 stakers and 3 unstaked participants, then
both tokens' movements on chain checked against the stored plan, and verify run."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from eth_account import Account
from sklearn.linear_model import LogisticRegression

from app import oracle, reports, store
from app.web import services
from client.core.money.plan import plan_from_json, plan_totals
from client.core.money.stakes import Pools
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import (
    NMR,
    USD,
    advance_chain_time,
    send,
    token_and_escrow,
    usd_token,
)

N_STAKERS = 20
DATASET = {"rows_per_era": 1500}


def _predictions(public: pd.DataFrame, index: int) -> pd.DataFrame:
    """Half the stakers train a model on their own feature subset (every other one of them
    then shuffles its live predictions: consistent on validation and concordant, but no
    better than a coin flip on live); half guess."""
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
            probability[live] = rng.permutation(probability[live])
    else:
        probability = rng.uniform(0.2, 0.8, size=len(tournament))
    return pd.DataFrame({"id": tournament["id"].astype(str), "probability": probability.round(6)})


POOLS = Pools(usd_staking=3_000 * USD, usd_prize=3_603_030_000, nmr=14_412_130 * NMR // 1000)
N_UNSTAKED = 3


def _open_and_stake(app, w3, keys, record, n_stakers=N_STAKERS, policy="auction2017", pools=POOLS,
                    n_unstaked=0):
    """Round 1 with `n_stakers` staked uploads and `n_unstaked` uploads that stake nothing."""
    token, escrow = token_and_escrow(w3, record)
    stakers = []
    with app.app_context():
        row = oracle.open_round(1, closes_in=600, resolves_in=7200, pools=pools,
                                policy=policy, dataset_options=DATASET, report=lambda _: None)
        public = pd.read_parquet(row.dataset_parquet_path)
        for i in range(n_stakers + n_unstaked):
            key = keys[3 + i]
            address = Account.from_key(key).address
            body = _predictions(public, i).to_csv(index=False).encode()
            outcome = services.upload_predictions(1, address, body, f"model-{i}.csv")
            assert outcome.result.ok, outcome.result.problems
            if i >= n_stakers:
                continue
            amount = (10 + i) * NMR
            send(w3, key, token.functions.approve(escrow.address, amount))
            confidence = (i % 5 + 1) * 10**16  # 0.01 .. 0.05 NMR per dollar: bids of $200 .. $2,900
            send(w3, key, escrow.functions.stake(1, 0, amount, confidence, bytes.fromhex(outcome.result.hash[2:])))
            stakers.append((address, amount))
    return token, escrow, stakers


def _close_and_resolve(app, w3, batch_size=None):
    """Closes round 1, plans it with `batch_size` stakes a batch, publishes and commits it."""
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(1, report=lambda _: None)
        return oracle.resolve_round(1, report=lambda _: None, batch_size=batch_size)


def _balances(w3, record, addresses):
    token, _ = token_and_escrow(w3, record)
    usd = usd_token(w3, record)
    return {a: (token.functions.balanceOf(a).call(), usd.functions.balanceOf(a).call()) for a in addresses}


def _assert_chain_matches_plan(w3, record, stakers, document, supply_before, balances_before):
    """Every planned token movement happened on chain, for both tokens, and no other."""
    token, escrow = token_and_escrow(w3, record)
    plan = plan_from_json(document)
    outcomes = {e.model: e for e in plan.stakes}
    prizes = {p.participant: p for p in plan.prizes}
    assert set(outcomes) == {a for a, _ in stakers}
    for address, amount in stakers:
        assert outcomes[address].stake == amount
        assert escrow.functions.getStake(1, address, 0).call()[2] == 2  # settled
    for address, (nmr_before, usd_before) in balances_before.items():
        outcome, prize = outcomes.get(address), prizes.get(address)
        # Balances before the stake was taken: the settled stake comes back less its burn.
        nmr_in = (outcome.nmr_reward - outcome.burn if outcome else 0) + (prize.nmr if prize else 0)
        usd_in = (outcome.usd_reward if outcome else 0) + (prize.usd if prize else 0)
        assert _balances(w3, record, [address])[address] == (nmr_before + nmr_in, usd_before + usd_in), address
    burned = sum(e.burn for e in plan.stakes)
    assert token.functions.totalSupply().call() == supply_before - burned
    view = escrow.functions.getRound(1).call()
    assert view[11] == burned  # totalBurned
    assert view[4] == sum(e.usd_reward for e in plan.stakes)  # usdStakingPaid
    assert view[6] == sum(p.usd for p in plan.prizes)  # usdPrizePaid
    assert view[8] == sum(e.nmr_reward for e in plan.stakes) + sum(p.nmr for p in plan.prizes)  # nmrPaid
    return burned


@pytest.mark.parametrize("policy", ["auction2017", "corr"])
def test_full_round_pays_both_tokens_as_planned(app, w3, keys, deployment, tmp_path, policy):
    _, record = deployment
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, policy=policy, n_unstaked=N_UNSTAKED)
    participants = [Account.from_key(keys[3 + i]).address for i in range(N_STAKERS + N_UNSTAKED)]
    balances_before = _balances(w3, record, participants)
    balances_before.update({a: (n + amount, u) for a, amount in stakers for n, u in [balances_before[a]]})
    supply_before = token.functions.totalSupply().call()
    treasury = record["treasury"]
    document = _close_and_resolve(app, w3, batch_size=6)

    plan = plan_from_json(document)
    assert any(e.burn > 0 for e in plan.stakes), "a losing stake should be burned"
    assert plan.prizes and plan.prizes[0].rank == 1
    assert set(plan.reasons) == set(participants)
    if policy == "auction2017":
        assert any(e.usd_reward > 0 for e in plan.stakes), "a winning stake should be paid from the USD pool"
        assert not any(e.nmr_reward for e in plan.stakes)
    else:
        assert any(e.nmr_reward > 0 for e in plan.stakes), "a positive CORR should be paid from the NMR pool"
        assert not any(e.usd_reward for e in plan.stakes)
    unstaked_winners = {p.participant for p in plan.prizes} - {a for a, _ in stakers}
    assert unstaked_winners <= set(participants[N_STAKERS:])

    with app.app_context():
        result = oracle.settle_round(1, report=lambda _: None)
        assert result["settled"] == N_STAKERS and result["prizes"] == len(plan.prizes)
        # The creation, the mint and funding, the commitment, four settle batches (6, 6, 6, 2 stakes), the prizes.
        assert [(t.kind, t.position, t.status) for t in store.list_transactions(1)] == [
            ("create", 0, "confirmed"), ("mint", 0, "confirmed"), ("fund", 0, "confirmed"), ("commit", 0, "confirmed"),
            ("settle", 0, "confirmed"), ("settle", 1, "confirmed"), ("settle", 2, "confirmed"),
            ("settle", 3, "confirmed"), ("prizes", 0, "confirmed"),
        ]
        treasury_before = _balances(w3, record, [treasury])[treasury]
        oracle.finalize_round(1, report=lambda _: None)
        published = oracle.publish_round(1, report=lambda _: None)
        results = reports.round_results(1)

    burned = _assert_chain_matches_plan(w3, record, stakers, document, supply_before, balances_before)
    totals = plan_totals(plan)
    assert _balances(w3, record, [treasury])[treasury] == (
        treasury_before[0] + POOLS.nmr - totals["nmr_paid"],
        treasury_before[1] + POOLS.usd_staking + POOLS.usd_prize - totals["usd_paid"],
    )
    assert _balances(w3, record, [escrow.address])[escrow.address] == (0, 0)
    assert results["n_stakers"] == N_STAKERS and results["burned"] == burned
    assert (published / "plan.json").is_file() and len(list((published / "predictions").iterdir())) == N_STAKERS + 3

    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches
    assert f"{N_STAKERS} on-chain settlements" in report.checked
    assert f"{len(plan.prizes)} on-chain prizes" in report.checked
    _assert_verify_catches_tampering(published, app.config["RPC_URL"], tmp_path)


def _assert_verify_catches_tampering(published, rpc_url, tmp_path):
    """A changed prediction file (manifest rewritten to match), a changed plan and a
    changed reason are caught."""
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
    prize = document["prizes"][0]
    prize["usd"] = str(int(prize["usd"]) + 1)
    document["reasons"][prize["participant"]] += " (edited)"
    (tampered / "plan.json").write_text(json.dumps(document))
    report = verify_published(tampered, rpc_url)
    assert any(m.startswith("plan.json: SHA-256 differs") for m in report.mismatches)
    assert any(m.startswith(f"prize of {prize['participant']}") for m in report.mismatches), report.mismatches
    assert any(m.startswith(f"reason for {prize['participant']}") for m in report.mismatches)


@pytest.mark.parametrize("crash_after", [0, 2])
def test_settlement_resumes_after_a_crash_without_paying_twice(app, w3, keys, deployment, crash_after):
    _, record = deployment
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=10)
    balances_before = _balances(w3, record, [a for a, _ in stakers])
    balances_before.update({a: (n + amount, u) for a, amount in stakers for n, u in [balances_before[a]]})
    supply_before = token.functions.totalSupply().call()
    document = _close_and_resolve(app, w3, batch_size=3)

    def crash(index):
        if index == crash_after:
            raise KeyboardInterrupt("settle process killed")

    with app.app_context():
        with pytest.raises(KeyboardInterrupt):
            oracle.settle_round(1, report=lambda _: None, after_batch=crash)
        settled_first = sum(escrow.functions.getStake(1, a, 0).call()[2] == 2 for a, _ in stakers)
        assert settled_first == 3 * (crash_after + 1)
        again = oracle.settle_round(1, report=lambda _: None)
        assert again["settled"] == 10 - settled_first
        assert again["already_settled"] == settled_first
        # A third run finds nothing left to send.
        assert oracle.settle_round(1, report=lambda _: None)["settled"] == 0
        assert oracle.resolve_round(1, report=lambda _: None) == document

    _assert_chain_matches_plan(w3, record, stakers, document, supply_before, balances_before)


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
        assert "was refused by the chain (not sent)" in str(excinfo.value)
        assert "TournamentEscrowSettlementWindowOver" in str(excinfo.value)
        assert "stakers withdraw alone" in str(excinfo.value)
        assert store.get_transaction(1, "settle", 0).status == "refused"

