"""The oracle when things go wrong: a crash between sending and the receipt, a database
that does not belong to the chain, a closed round reused, operator-supplied targets,
and stakers who left through the escape hatch — each ends consistent and verifiable."""

from __future__ import annotations

import pandas as pd
import pytest
from eth_account import Account

from app import oracle, reports, store
from app.models import OracleTransaction
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError
from client.core.money.plan import plan_from_json
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import (
    NMR,
    advance_chain_time,
    send,
    token_and_escrow,
    usd_token,
)
from tests.app.oracle.test_full_round import _close_and_resolve, _open_and_stake

QUIET = {"report": lambda _: None}


def test_crash_after_sending_a_batch_resumes_from_its_hash(app, w3, keys, deployment, monkeypatch):
    _, record = deployment
    _, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=4)
    _close_and_resolve(app, w3, batch_size=2)
    real_wait = Chain.wait_for

    def killed_while_waiting(self, tx_hash, description, on_sent=None):
        raise KeyboardInterrupt("settle process killed before the receipt")

    with app.app_context():
        monkeypatch.setattr(Chain, "wait_for", killed_while_waiting)
        with pytest.raises(KeyboardInterrupt):
            oracle.settle_round(1, **QUIET)
        batch = store.get_transaction(1, "settle", 0)
        assert batch.status == "sent" and batch.tx_hash.startswith("0x")
        monkeypatch.setattr(Chain, "wait_for", real_wait)
        result = oracle.settle_round(1, **QUIET)
        # The creation, the commitment, two settle batches and the prizes (the test pools are unfunded).
        assert [(t.kind, t.status, t.tx_hash is not None) for t in store.list_transactions(1)
                if t.kind not in ("mint", "fund")] == [
            ("create", "confirmed", True), ("commit", "confirmed", True), ("settle", "confirmed", True),
            ("settle", "confirmed", True), ("prizes", "confirmed", True)]
        prizes = len(store.latest_plan(1)["prizes"])
    assert result == {"settled": 2, "already_settled": 2, "withdrawn": [], "prizes": prizes}
    assert all(escrow.functions.getStake(1, a, 0).call()[2] == 2 for a, _ in stakers)


def test_a_plan_the_chain_does_not_know_is_refused(app, w3, keys, deployment):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=2)
    document = _close_and_resolve(app, w3)
    stranger = Account.from_key(keys[-1]).address
    document["stakes"].append({"model": stranger, "stake": str(5 * NMR), "burn": "0", "usd_reward": "0",
                               "nmr_reward": "0", "reason": "a stake this chain never saw"})
    with app.app_context():
        store.save_plan(1, document)
        with pytest.raises(oracle.OracleError, match="committed on chain are not this stored plan's; is this the database"):
            oracle.settle_round(1, **QUIET)
        assert "settle" not in {t.kind for t in store.list_transactions(1)}  # no batch sent


def test_a_closed_round_on_chain_is_not_adopted(app, w3, keys, deployment):
    with app.app_context():
        oracle.open_round(1, closes_in=60, resolves_in=120, dataset_options={"rows_per_era": 100}, **QUIET)
    advance_chain_time(w3, 61)
    with app.app_context():  # the same chain, but a server that lost its database
        store.get_session().execute(OracleTransaction.__table__.delete())
        store.get_session().execute(store.Round.__table__.delete())
        store.get_session().commit()
        with pytest.raises(oracle.OracleError, match="round 1 already exists on chain and is closed"):
            oracle.open_round(1, dataset_options={"rows_per_era": 100}, **QUIET)
        assert store.get_round(1) is None


def test_operator_targets_are_scored_published_and_verified(app, w3, keys, deployment, tmp_path):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=4, policy="corr")
    with app.app_context():
        row = store.get_round(1)
        held_back = oracle.load_dataset(row).live_targets
    supplied = tmp_path / "targets.csv"
    flipped = 1 - held_back
    flipped.rename_axis("id").reset_index().to_csv(supplied, index=False)
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.resolve_round(1, targets_file=supplied, **QUIET)
        oracle.settle_round(1, **QUIET)
        oracle.finalize_round(1, **QUIET)
        published = oracle.publish_round(1, **QUIET)
    targets = pd.read_csv(next(published.glob("numerai_live_targets_round*.csv")), dtype={"id": str})
    assert targets.set_index("id")["target"].equals(flipped.astype(float))
    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches


def test_bad_targets_file_is_refused_with_every_problem(app, w3, keys, deployment, tmp_path):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=1)
    supplied = tmp_path / "targets.csv"
    supplied.write_text("id,target\nnot-a-live-id,2\n")
    advance_chain_time(w3, 601)
    with app.app_context():
        with pytest.raises(oracle.OracleError) as excinfo:
            oracle.resolve_round(1, targets_file=supplied, **QUIET)
        assert store.latest_plan(1) is None
    message = str(excinfo.value)
    assert "live ids have no target" in message and "not live ids of this round" in message
    assert "targets must be 0 or 1" in message


def test_escape_hatch_withdrawals_still_verify(app, w3, keys, deployment):
    _, record = deployment
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=4)
    document = _close_and_resolve(app, w3, batch_size=2)
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        oracle.settle_round(1, **QUIET, after_batch=lambda i: (_ for _ in ()).throw(KeyboardInterrupt()))
    advance_chain_time(w3, 7200)  # past resolvesBy: the oracle missed its deadline
    late = [a for a, _ in stakers if escrow.functions.getStake(1, a, 0).call()[2] == 1]
    assert len(late) == 2
    for address in late:
        key = next(k for k in keys if Account.from_key(k).address == address)
        before = token.functions.balanceOf(address).call()
        send(w3, key, escrow.functions.withdrawStake(1, 0))
        stake = next(e.stake for e in plan_from_json(document).stakes if e.model == address)
        assert token.functions.balanceOf(address).call() == before + stake
    with app.app_context():
        assert oracle.settle_round(1, **QUIET)["withdrawn"] == late
        oracle.finalize_round(1, **QUIET)
        published = oracle.publish_round(1, **QUIET)
    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches
    assert sum("withdrew through the escape hatch" in line for line in report.checked) == 2
    assert any(line.startswith("prizes never paid") for line in report.checked)
    assert token.functions.balanceOf(escrow.address).call() == 0
    assert usd_token(w3, record).functions.balanceOf(escrow.address).call() == 0


def test_a_round_past_its_deadline_expires_and_everyone_gets_their_own_back(app, w3, keys, deployment):
    _, record = deployment
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=3)
    usd = usd_token(w3, record)
    treasury = record["treasury"]
    funder_before = (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call())
    advance_chain_time(w3, 7201)  # the oracle slept through the whole settlement window
    with app.app_context():
        oracle.run_round(1, **QUIET)
        row = store.get_round(1)
        assert row.status == "expired"
        assert store.latest_plan(1) is None  # nothing was planned, nothing paid
    view = escrow.functions.getRound(1).call()
    assert view[15] is True  # finalized
    pools = (view[7], view[3] + view[5])  # nmrPool, usdStakingPool + usdPrizePool
    assert (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call()) == (
        funder_before[0] + pools[0], funder_before[1] + pools[1])
    for address, amount in stakers:
        key = next(k for k in keys if Account.from_key(k).address == address)
        before = token.functions.balanceOf(address).call()
        send(w3, key, escrow.functions.withdrawStake(1, 0))
        assert token.functions.balanceOf(address).call() == before + amount
    assert token.functions.balanceOf(escrow.address).call() == 0
    assert usd.functions.balanceOf(escrow.address).call() == 0


def test_without_the_funders_key_the_oracle_cannot_fund_a_round(app, w3, deployment):
    _, record = deployment
    token, escrow = token_and_escrow(w3, record)
    usd = usd_token(w3, record)
    treasury = record["treasury"]
    before = (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call())
    app.config["TREASURY_PRIVATE_KEY"] = ""
    with app.app_context():
        with pytest.raises(oracle.OracleError, match="needs the funder's key"):
            oracle.open_round(1, dataset_options={"rows_per_era": 100}, **QUIET)
        assert store.get_round(1) is None
    assert escrow.functions.getRound(1).call()[0] == 0  # nothing created on chain either
    assert (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call()) == before


def test_a_round_resolved_but_not_settled_in_time_shows_what_the_chain_paid(app, w3, keys, deployment):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=3)
    document = _close_and_resolve(app, w3)
    assert document["stakes"] and document["prizes"]
    advance_chain_time(w3, 7200)  # the plan was never posted
    with app.app_context():
        oracle.run_round(1, **QUIET)
        assert store.get_round(1).status == "expired"
        rows = store.round_scores(1)
        board = {r["address"]: r for r in reports.leaderboard(1)["rows"]}
    staked = [r for r in rows if r.stake_wei]
    assert len(staked) == 3
    for row in rows:
        assert (row.burn_wei, row.usd_reward, row.nmr_reward, row.prize_usd, row.prize_nmr) == (0, 0, 0, 0, 0)
        assert row.reason.startswith("round expired: the oracle missed its deadline")
        assert board[row.address]["career_usd"] == 0 and board[row.address]["career_nmr"] == 0
    assert all("stake back through the escape hatch" in r.reason for r in staked)


def test_a_bad_funder_key_is_named_as_the_funders(app, deployment):
    app.config["TREASURY_PRIVATE_KEY"] = "0x1234"
    with app.app_context():
        with pytest.raises(ChainError, match="TREASURY") as excinfo:
            oracle.open_round(1, dataset_options={"rows_per_era": 100}, **QUIET)
        assert "ORACLE" not in str(excinfo.value)
        assert store.get_round(1) is None
