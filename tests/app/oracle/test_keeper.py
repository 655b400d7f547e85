"""The keeper on a real Ganache: rounds open on a schedule whatever state the earlier ones
are in, so several are in flight at once; one keeper takes every round's next step; a
keeper stopped anywhere (during the challenge window, with a transaction pending, with
``open`` half done) and started again later finishes every round exactly once."""

from __future__ import annotations

import shutil
from typing import ClassVar

import pandas as pd
import pytest
from eth_account import Account
from eth_utils import keccak
from web3.middleware import Web3Middleware

from app import oracle, store
from app.chain import get_chain
from app.oracle import keeper as keeper_module
from app.paths import published_dir, secret_dir
from app.web import services
from client.core.chain.contracts import Chain
from client.core.money.stakes import Pools
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import (
    NMR,
    USD,
    advance_chain_time,
    deploy_guarded,
    send,
    token_and_escrow,
)
from tests.support import chain_app

STAKING, LIVE, RESOLUTION, EVERY, WINDOW = 300, 200, 3000, 200, 120
DATASET_ROWS = {"rows_per_era": 100}


@pytest.fixture
def deployment(w3, keys, tmp_path):
    """Fresh contracts with a two-minute challenge window, long enough to stop in."""
    out = tmp_path / "deployments.json"
    record = deploy_guarded(w3, keys, out, WINDOW)
    return out, record


@pytest.fixture
def app(ganache_url, deployment, keys, tmp_path):
    application = chain_app(tmp_path, ganache_url, deployment[0], keys[1], treasury_key=keys[0])
    application.config.update(ROUND_EVERY=EVERY, ROUND_STAKING_SECONDS=STAKING, ROUND_LIVE_SECONDS=LIVE,
                              ROUND_RESOLUTION_SECONDS=RESOLUTION, ROUND_POOL_USD_STAKING="30",
                              ROUND_POOL_USD_PRIZE="36.0303", ROUND_POOL_NMR="144.1213")
    return application


@pytest.fixture(autouse=True)
def small_datasets(monkeypatch):
    """Rounds the schedule opens build small datasets (the scoring is tested elsewhere)."""
    real_open = keeper_module.open_round
    monkeypatch.setattr(keeper_module, "open_round",
                        lambda **kwargs: real_open(dataset_options=DATASET_ROWS, **kwargs))


def _play(app, w3, keys, record, number, n=2):
    """`n` stakers upload and stake in round `number`."""
    token, escrow = token_and_escrow(w3, record)
    with app.app_context():
        row = store.get_round(number)
        public = pd.read_parquet(row.dataset_parquet_path)
        tournament = public[public["data_type"] != "train"]
        for i in range(n):
            key = keys[3 + i]
            body = pd.DataFrame({"id": tournament["id"].astype(str),
                                 "probability": (0.5 + 0.01 * (i + 1)) * (tournament.index % 2 == 0) + 0.2})
            outcome = services.upload_predictions(number, Account.from_key(key).address,
                                                  body.to_csv(index=False).encode(), "p.csv")
            assert outcome.result.ok, outcome.result.problems
            send(w3, key, token.functions.approve(escrow.address, 5 * NMR))
            send(w3, key, escrow.functions.stake(number, 0, 5 * NMR, NMR // 10, bytes.fromhex(outcome.result.hash[2:])))


def _states(app) -> dict[int, str]:
    with app.app_context():
        return {entry["round"]: entry["state"] for entry in oracle.pipeline() if entry["round"]}


def test_rounds_open_on_a_schedule_and_one_keeper_drives_each_to_its_end(app, w3, keys, deployment):
    _, record = deployment
    lines: list[str] = []
    keeper = oracle.Keeper(report=lines.append)
    with app.app_context():
        keeper.tick()  # no round yet: the schedule opens round 1 now
    _play(app, w3, keys, record, 1)
    seen: set[tuple[int, str]] = set()
    most_in_flight = 0
    for _ in range(14):  # the chain's clock in steps of 100 s, a keeper pass after each
        advance_chain_time(w3, 100)
        with app.app_context():
            keeper.tick()
        in_flight = _states(app)
        seen |= set(in_flight.items())
        most_in_flight = max(most_in_flight, len(in_flight))
    # A round opened every EVERY seconds whatever the earlier ones were doing.
    assert most_in_flight >= 3, seen
    assert {"open", "live", "committed"} <= {state for _, state in seen}, seen
    with app.app_context():
        rounds = store.list_rounds()
        assert len(rounds) >= 6, [r.number for r in rounds]
        first = store.get_round(1)
        assert first.status == "finalized" and first.paid_usd is not None
        transactions = [(t.kind, t.position) for t in store.list_transactions(1)]
        assert len(transactions) == len(set(transactions))  # each sent once
        assert [t.status for t in store.list_transactions(1)] == ["confirmed"] * len(transactions)
        settled = get_settled(1)
    assert settled == {Account.from_key(keys[3 + i]).address for i in range(2)}
    assert verify_published(published_dir_of(app, 1), app.config["RPC_URL"]).ok
    assert any(line.startswith("round 2: open: staking closes in") for line in lines), lines


def published_dir_of(app, number: int):
    with app.app_context():
        return published_dir(number)


def get_settled(number: int) -> set[str]:
    """The stakers the chain's StakeSettled events name for the round."""
    from app.chain import get_chain

    return set(get_chain().settlements(number))


def _open_first_round(app, w3, keys, record) -> None:
    """Round 1 on the schedule's durations, two stakers in it; the schedule then opens no more."""
    with app.app_context():
        keeper_module.open_scheduled_round(lambda _: None)
    app.config["ROUND_EVERY"] = 0
    _play(app, w3, keys, record, 1)


def test_a_keeper_stopped_in_the_challenge_window_and_started_again_settles_once(app, w3, keys, deployment):
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    advance_chain_time(w3, STAKING + LIVE + 1)
    with app.app_context():
        oracle.Keeper(report=lambda _: None).tick()  # closes, resolves, commits
        assert _states(app)[1] == "committed"
    # Stopped here; started again (a new keeper, no memory) minutes later, within the window.
    advance_chain_time(w3, 30)
    with app.app_context():
        oracle.Keeper(report=lambda _: None).tick()
        assert store.get_round(1).status == "resolved"  # the window is not over: nothing moves
    advance_chain_time(w3, WINDOW)
    lines: list[str] = []
    with app.app_context():
        oracle.Keeper(report=lines.append).tick()
        assert store.get_round(1).status == "finalized", lines
        assert len(get_settled(1)) == 2
        kinds = [t.kind for t in store.list_transactions(1)]
    assert kinds.count("finalize") == 1 and kinds.count("commit") == 1


def test_a_settle_batch_pending_at_the_stop_is_resumed_not_resent(app, w3, keys, deployment, monkeypatch):
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    advance_chain_time(w3, STAKING + LIVE + 1)
    with app.app_context():
        oracle.Keeper(report=lambda _: None).tick()
    advance_chain_time(w3, 200)
    real_wait = Chain.wait_for

    def killed_while_pending(self, tx_hash, description, on_sent=None):
        if description.startswith("settle"):
            raise KeyboardInterrupt("keeper killed with a settle batch pending")
        return real_wait(self, tx_hash, description, on_sent)

    with app.app_context():
        monkeypatch.setattr(Chain, "wait_for", killed_while_pending)
        with pytest.raises(KeyboardInterrupt):
            oracle.Keeper(report=lambda _: None).tick()
        assert store.get_transaction(1, "settle", 0).status == "sent"
        monkeypatch.setattr(Chain, "wait_for", real_wait)
        lines: list[str] = []
        oracle.Keeper(report=lines.append).tick()
        assert store.get_round(1).status == "finalized"
    assert any("left by a previous run, was mined" in line for line in lines), lines
    _, escrow = token_and_escrow(w3, record)
    assert len(escrow.events.StakeSettled.get_logs(from_block=0)) == 2  # once each


def test_a_keeper_started_again_past_the_deadline_expires_the_round(app, w3, keys, deployment):
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    advance_chain_time(w3, STAKING + LIVE + RESOLUTION + 10)  # stopped for longer than the round had
    lines: list[str] = []
    with app.app_context():
        oracle.Keeper(report=lines.append).tick()
        row = store.get_round(1)
        assert row.status == "expired" and row.unsettled_stakes == 2
        assert oracle.pipeline() == []
    assert any("escape-hatch" in line for line in lines), lines


@pytest.mark.parametrize("killed_at", ["fundRound", "createRound"])
def test_open_killed_midway_is_finished_by_the_next_pass_and_funds_once(app, w3, keys, deployment, monkeypatch,
                                                                        killed_at):
    _, record = deployment
    real_wait = Chain.wait_for

    def killed(self, tx_hash, description, on_sent=None):
        if description.startswith(killed_at):
            raise KeyboardInterrupt(f"killed with {killed_at} in flight")
        return real_wait(self, tx_hash, description, on_sent)

    with app.app_context():
        monkeypatch.setattr(Chain, "wait_for", killed)
        with pytest.raises(KeyboardInterrupt):
            oracle.Keeper(report=lambda _: None).tick()
        assert store.get_round(1).status == "opening"
        monkeypatch.setattr(Chain, "wait_for", real_wait)
        # The operator's `fund` finishes the opening's funding and sends nothing more.
        row = oracle.fund_round(1, oracle.DEFAULT_POOLS, report=lambda _: None)
        assert row.status == "open"
        assert (row.usd_staking_pool, row.usd_prize_pool, row.nmr_pool) == (30 * USD, 36_030_300, 144_121_300 * NMR // 10**6)
        oracle.Keeper(report=lambda _: None).tick()  # and the keeper has nothing left to do for it
        assert store.get_round(1).status == "open" and len(store.list_rounds()) == 1
    _, escrow = token_and_escrow(w3, record)
    assert len(escrow.events.RoundFunded.get_logs(from_block=0)) == 1
    assert len(escrow.events.RoundCreated.get_logs(from_block=0)) == 1


def test_a_step_that_cannot_go_on_is_said_once_and_the_other_rounds_go_on(app, w3, keys, deployment):
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    with app.app_context():
        oracle.open_round(2, closes_in=STAKING, resolves_in=STAKING + RESOLUTION, pools=Pools(0, 0, 0),
                          dataset_options=DATASET_ROWS, report=lambda _: None)
        # Round 1's live targets vanish: its resolve cannot go on; round 2 must not wait for it.
        shutil.rmtree(secret_dir(1))
    advance_chain_time(w3, STAKING + LIVE + 1)
    lines: list[str] = []
    keeper = oracle.Keeper(report=lines.append)
    with app.app_context():
        keeper.tick()
        keeper.tick()
        assert store.get_round(1).status == "closed" and "live targets" in (store.get_round(1).keeper_note or "")
        assert store.get_round(2).status == "resolved"  # committed: the other round went on
    assert sum("resolve cannot go on" in line for line in lines) == 1, lines


def test_a_dispute_nobody_rules_on_is_waited_for_once_then_lapses_and_settles_once(app, w3, keys, deployment):
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    advance_chain_time(w3, STAKING + LIVE + 1)
    disputer = Account.from_key(keys[5])
    token, escrow = token_and_escrow(w3, record)
    with app.app_context():
        oracle.Keeper(report=lambda _: None).tick()  # closes, resolves, commits
        chain = get_chain()
        Chain(chain.w3, chain.deployments, disputer, owner="staker").dispute(1)
    bond_back_to = token.functions.balanceOf(disputer.address).call() + escrow.functions.disputeBond().call()
    lines: list[str] = []
    keeper = oracle.Keeper(report=lines.append)
    for _ in range(3):  # inside the window: the guardian could still rule
        advance_chain_time(w3, 30)
        with app.app_context():
            keeper.tick()
            assert store.get_round(1).status == "resolved"
    assert len([line for line in lines if "waits for the guardian's ruling" in line]) == 1, lines
    advance_chain_time(w3, WINDOW + escrow.functions.rulingPeriod().call())
    with app.app_context():
        keeper.tick()
        assert store.get_round(1).status == "finalized", lines
    assert any("dispute lapsed, the bond went back" in line for line in lines), lines
    assert len(escrow.events.DisputeLapsed.get_logs(from_block=record["deployed_at_block"])) == 1
    assert token.functions.balanceOf(disputer.address).call() == bond_back_to
    with app.app_context():
        assert len(get_settled(1)) == 2


class DroppingNode(Web3Middleware):
    """The node answers the next raw transaction with its hash, then forgets it: what a
    node restarted with the transaction in its pool (or one that evicts it) does."""

    dropped: ClassVar[list[str]] = []

    def wrap_make_request(self, make_request):
        def request(method, params):
            if method == "eth_sendRawTransaction" and not DroppingNode.dropped:
                tx_hash = "0x" + keccak(hexstr=params[0]).hex()
                DroppingNode.dropped.append(tx_hash)
                return {"jsonrpc": "2.0", "id": 0, "result": tx_hash}
            return make_request(method, params)

        return request


def test_a_settle_batch_the_node_dropped_is_sent_again_with_its_nonce_and_settles_once(app, w3, keys, deployment):
    """Measured before: every rerun waited 120 s for a receipt that never came, settlement
    stuck for good. Now the rerun asks the node, finds the hash unknown and the nonce
    unused, and sends the same signed transaction again."""
    _, record = deployment
    _open_first_round(app, w3, keys, record)
    advance_chain_time(w3, STAKING + LIVE + 1)
    app.config["RECEIPT_TIMEOUT_SECONDS"] = 2
    with app.app_context():
        oracle.Keeper(report=lambda _: None).tick()  # closes, resolves, commits
    advance_chain_time(w3, WINDOW + 1)
    DroppingNode.dropped = []
    lines: list[str] = []
    with app.app_context():
        chain = get_chain()
        chain.w3.middleware_onion.add(DroppingNode, name="dropping node")
        try:
            oracle.Keeper(report=lines.append).tick()  # settle is "sent", then no receipt in 2 s
        finally:
            chain.w3.middleware_onion.remove("dropping node")
        journaled = store.get_transaction(1, "settle", 0)
        assert (journaled.tx_hash, journaled.status) == (DroppingNode.dropped[0], "unknown")
        assert store.get_round(1).status == "resolved"
        assert any("no receipt for" in line and "after 2 s" in line for line in lines), lines
        oracle.Keeper(report=lines.append).tick()
        assert store.get_round(1).status == "finalized", lines
        assert store.get_transaction(1, "settle", 0).tx_hash == DroppingNode.dropped[0]  # the same transaction
        assert len(get_settled(1)) == 2
    assert any("was dropped by the node" in line and "same nonce" in line for line in lines), lines
    _, escrow = token_and_escrow(w3, record)
    assert len(escrow.events.StakeSettled.get_logs(from_block=record["deployed_at_block"])) == 2  # once each
