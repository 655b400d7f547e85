"""The oracle on the rehearsal chain under a real network's faults, each injected on a real
Anvil (2 s blocks, EIP-1559): slow blocks, a dropped transaction, a fee spike (re-priced
up to the operator's cap, or waited out under it), a reorg that removes a mined settle
batch, and an RPC that errs and hangs for a minute. In every one the round settles
exactly once: each stake settled once, each prize paid once, each batch posted once, the
round finalized once, and `verify` agrees with the chain."""

from __future__ import annotations

import threading
import time

from app import oracle, store
from app.chain import get_chain
from tests.rehearsal.conftest import (
    BLOCK_SECONDS,
    WINDOW,
    assert_settled_once,
    committed,
    drive,
    jump,
    pending_of,
    set_block_time,
    staked_round,
    status_is,
)
from tests.rehearsal.flaky_node import FlakyNode
from tests.support import chain_app

GWEI = 10**9


def _past_the_window(app, w3, keys, deployment, **settings) -> tuple[list[str], oracle.Keeper, list[str]]:
    """Round 1 staked, closed, resolved and committed by the keeper, its challenge window
    over, with the operator's `settings`; the keeper's report lines, the keeper, the stakers."""
    lines: list[str] = []
    keeper = oracle.Keeper(report=lines.append)
    stakers = staked_round(app, w3, keys, deployment[1], lines)
    committed(app, w3, keeper, lines)
    app.config.update(settings)
    jump(w3, WINDOW + 1)
    return lines, keeper, stakers


def _finished_once(app, keeper: oracle.Keeper, lines: list[str], stakers: list[str]) -> None:
    """The keeper takes the round to its end; it settled exactly once."""
    drive(app, keeper, status_is("finalized"), 120, lines)
    assert_settled_once(app, stakers)


def _settle_in_background(app, keeper: oracle.Keeper) -> threading.Thread:
    """One keeper pass (the settle step and what follows) on its own thread, so the test can
    act on the chain while the step waits for its receipt."""
    def one_pass() -> None:
        with app.app_context():
            keeper.tick()

    thread = threading.Thread(target=one_pass, daemon=True)
    thread.start()
    return thread


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.1)
    return found


def _oracle(app) -> str:
    with app.app_context():
        return get_chain().signer.address


def _settle_row(app):
    with app.app_context():
        return store.get_transaction(1, "settle", 0)


def test_slow_blocks_a_step_waits_with_the_timeout_it_reports_and_never_sends_twice(app, w3, keys, deployment):
    lines, keeper, stakers = _past_the_window(app, w3, keys, deployment)
    app.config["RECEIPT_TIMEOUT_SECONDS"] = 4
    set_block_time(w3, 0)  # the chain stops making blocks
    with app.app_context():
        keeper.tick()
    sent = _settle_row(app)
    assert sent.status == "unknown", lines
    assert any(f"no receipt for {sent.tx_hash} after 4 s (the chain made 0 blocks meanwhile)" in line
               for line in lines), lines
    assert len(pending_of(w3, _oracle(app))) == 1  # waited for, never re-sent blind
    set_block_time(w3, BLOCK_SECONDS)
    app.config["RECEIPT_TIMEOUT_SECONDS"] = 60
    drive(app, keeper, status_is("finalized"), 120, lines)
    assert _settle_row(app).tx_hash == sent.tx_hash  # the one transaction, mined late
    assert any(f"{sent.tx_hash}, left by a previous run, was mined" in line for line in lines), lines
    assert_settled_once(app, stakers)


def test_a_dropped_settle_batch_is_sent_again_with_its_nonce_and_settles_once(app, w3, keys, deployment):
    lines, keeper, stakers = _past_the_window(app, w3, keys, deployment)
    app.config["RECEIPT_TIMEOUT_SECONDS"] = 3
    set_block_time(w3, 0)
    with app.app_context():
        keeper.tick()
    sent = _settle_row(app)
    assert sent.status == "unknown", lines
    assert w3.provider.make_request("anvil_dropTransaction", [sent.tx_hash])["result"] == sent.tx_hash
    assert pending_of(w3, _oracle(app)) == []
    set_block_time(w3, BLOCK_SECONDS)
    app.config["RECEIPT_TIMEOUT_SECONDS"] = 60
    drive(app, keeper, status_is("finalized"), 120, lines)
    assert any(f"{sent.tx_hash}, sent by a previous run, was dropped by the node" in line
               and "sent again as signed, same nonce" in line for line in lines), lines
    assert _settle_row(app).tx_hash == sent.tx_hash
    assert_settled_once(app, stakers)


def _spiked_settle(app, w3, keeper, base_fee_gwei: int):
    """The settle batch is sent while blocks are held back; then the base fee of the next
    block jumps to `base_fee_gwei` (Anvil then evicts the batch: its fee cap is too low)."""
    set_block_time(w3, 0)
    thread = _settle_in_background(app, keeper)
    oracle_address = _oracle(app)
    _wait_for(lambda: pending_of(w3, oracle_address), 60, "settle batch in the pool")
    first = _settle_row(app).tx_hash
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(base_fee_gwei * GWEI)])
    set_block_time(w3, BLOCK_SECONDS)
    return thread, first


def test_a_fee_spike_replaces_the_batch_with_a_bumped_fee_within_the_cap(app, w3, keys, deployment):
    lines, keeper, stakers = _past_the_window(app, w3, keys, deployment, MAX_FEE_GWEI="500")
    thread, first = _spiked_settle(app, w3, keeper, base_fee_gwei=100)
    thread.join(timeout=120)
    replaced = [line for line in lines if f"{first} was stuck below the base fee" in line]
    assert len(replaced) == 1 and "same nonce" in replaced[0] and "NMR_MAX_FEE_GWEI=500" in replaced[0], lines
    final = _settle_row(app)
    assert final.status == "confirmed" and final.tx_hash != first  # the replacement is the step's transaction
    mined = w3.eth.get_transaction(final.tx_hash)
    assert 100 * GWEI * 7 // 8 < mined["maxFeePerGas"] <= 500 * GWEI
    _finished_once(app, keeper, lines, stakers)


def test_a_fee_spike_above_the_cap_is_waited_out_and_said_once(app, w3, keys, deployment):
    lines, keeper, stakers = _past_the_window(app, w3, keys, deployment, MAX_FEE_GWEI="3", RECEIPT_TIMEOUT_SECONDS=150)
    thread, _ = _spiked_settle(app, w3, keeper, base_fee_gwei=20)
    thread.join(timeout=200)
    waits = [line for line in lines if "waits for the base fee to fall" in line]
    assert len(waits) == 1 and "NMR_MAX_FEE_GWEI=3" in waits[0], lines
    final = _settle_row(app)
    assert final.status == "confirmed", lines
    assert w3.eth.get_transaction(final.tx_hash)["maxFeePerGas"] <= 3 * GWEI  # never above the cap
    _finished_once(app, keeper, lines, stakers)


def test_a_reorg_that_removes_a_mined_settle_batch_has_it_posted_again_once(app, w3, keys, deployment):
    lines, keeper, stakers = _past_the_window(app, w3, keys, deployment, CONFIRMATIONS=3)
    set_block_time(w3, 0)
    thread = _settle_in_background(app, keeper)
    oracle_address = _oracle(app)
    batch = _wait_for(lambda: pending_of(w3, oracle_address), 60, "settle batch in the pool")[0]["hash"]
    w3.provider.make_request("evm_mine", [])
    mined = w3.eth.get_transaction_receipt(batch)
    assert w3.provider.make_request("anvil_reorg", [w3.eth.block_number - mined["blockNumber"] + 1, []]).get("error") is None
    assert bytes(w3.eth.get_block(mined["blockNumber"])["hash"]) != bytes(mined["blockHash"])  # the batch's block is gone
    set_block_time(w3, BLOCK_SECONDS)
    thread.join(timeout=120)
    assert any(f"{batch} is no longer known to the node" in line and "sent again as signed, same nonce" in line
               for line in lines), lines
    assert w3.eth.get_transaction_receipt(batch)["blockNumber"] != mined["blockNumber"] or \
        bytes(w3.eth.get_transaction_receipt(batch)["blockHash"]) != bytes(mined["blockHash"])
    _finished_once(app, keeper, lines, stakers)


def test_an_rpc_that_errs_and_hangs_for_a_minute_is_waited_out(anvil_url, w3, keys, deployment, tmp_path):
    flaky = FlakyNode(anvil_url)
    try:
        app = chain_app(tmp_path / "flaky", flaky.url, deployment[0], keys[1], treasury_key=keys[0])
        app.config.update(ROUND_EVERY=0, KEEPER_TICK_SECONDS=1, RECEIPT_TIMEOUT_SECONDS=60, STUCK_SECONDS=3)
        lines: list[str] = []
        keeper = oracle.Keeper(report=lines.append)
        stakers = staked_round(app, w3, keys, deployment[1], lines)
        committed(app, w3, keeper, lines)
        flaky.outage(errors=35, hangs=35)  # the challenge window ends inside it
        started = time.monotonic()
        with app.app_context():
            oracle.run(every=1, report=lines.append,
                       keep_going=lambda: store.get_round(1).status != "finalized" and time.monotonic() - started < 300)
        assert flaky.refused > 10
        assert time.monotonic() - started >= 70
        stopped = [line for line in lines if line.startswith("keeper: this pass stopped")]
        assert len(stopped) == 1, lines  # said once, not once a pass
        assert any(line.startswith("keeper: going on") for line in lines), lines
        assert_settled_once(app, stakers)
    finally:
        flaky.close()
