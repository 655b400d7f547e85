"""Settling a committed round once its challenge window is over undisputed: the settle
batches in committed order, then the prizes, then finalize (the unspent pools back to the
funder). The round's progress is the chain's; every transaction is journaled, so a rerun
sends only what the chain has not received. When a round ends, the chain's totals (paid,
burned, returned) are copied to the round (:func:`record_final`): what the pages call paid."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from app import store
from app.chain import get_chain
from app.oracle.common import OracleError, Reporter, round_or_error, utc
from app.oracle.journal import send_recorded
from app.oracle.publishing import commit_round, stored_plan
from client.core.chain.contracts import Chain
from client.core.money.batches import committed_batches, plan_hashes
from client.core.money.plan import plan_from_json


def settle_round(number: int, report: Reporter = print, wait_up_to: float = 600,
                 after_batch: Callable[[int], None] | None = None) -> dict:
    """Posts the committed plan once its challenge window is over (waiting up to
    `wait_up_to` seconds for it): the settle batches in committed order, then the prizes.

    The round's progress is the chain's (batches posted, prizes paid); each transaction is
    recorded before it is sent, so a rerun after a crash waits for one left sent and sends
    only what the chain has not received."""
    row = round_or_error(number)
    document = stored_plan(number)
    chain = get_chain()
    view = chain.round(number)
    if not view["committed"]:
        view = commit_round(number, report)
    if view["voided"]:
        from app.oracle.endings import (
            void_round,  # endings import this module (record_final)
        )

        void_round(number, report)
        raise OracleError(f"round {number} was voided (a dispute was upheld): nothing is settled; "
                          "every staker withdraws the whole stake")
    view = _await_challenge_window(chain, number, view, wait_up_to, report)
    if view["disputed"]:
        raise OracleError(f"round {number} is disputed by {view['disputer']}: settlement waits for the guardian's "
                          f"ruling (flask oracle rule {number} --uphold or --reject, with the guardian's key)")
    plan = plan_from_json(document)
    batches, prizes = committed_batches(plan, int(document["batch_size"]))
    if chain.committed_batches(number) != plan_hashes(plan, int(document["batch_size"])):
        raise OracleError(f"round {number}: the batch hashes committed on chain are not this stored plan's; "
                          "is this the database of this chain?")
    status = {e.model: chain.stake_of(number, e.model)["status"] for e in plan.stakes}
    withdrawn = [e.model for e in plan.stakes if status[e.model] == "withdrawn"]
    posted = 0
    for index, batch in enumerate(batches):
        if all(status[entry[0]] == "withdrawn" for entry in batch):
            report(f"round {number}: batch {index} not posted: its stakers withdrew through the escape hatch")
            continue
        tx = send_recorded(chain, number, "settle", f"settlement batch {index}",
                           lambda index=index: chain.round(number)["batches_settled"] > index,
                           lambda on_sent, batch=batch: chain.settle(number, batch, on_sent=on_sent), report, index)
        if tx is not None and not tx.get("resumed"):
            posted += len(batch)
            report(f"round {number}: batch {index} settled {len(batch)} stakes in {tx['tx_hash']} "
                   f"({tx['gas_used']:,} gas)")
        if after_batch:
            after_batch(index)
    rolled = Counter(event["rolled_into"] for event in chain.settlements(number).values() if event["rolled_into"])
    for into, count in sorted(rolled.items()):
        report(f"round {number}: {count} rolling stake{'s' if count != 1 else ''} moved into round {into}")
    view = chain.round(number)
    if not view["prizes_paid"] and chain.now() >= view["resolves_by"]:
        report(f"round {number}: the oracle's deadline passed before the prizes were paid; they go back to the funder")
    else:
        tx = send_recorded(chain, number, "prizes", "the prizes", lambda: chain.round(number)["prizes_paid"],
                           lambda on_sent: chain.pay_prizes(number, prizes, on_sent=on_sent), report)
        if tx is not None:
            report(f"round {number}: {len(prizes)} prizes paid in {tx['tx_hash']} ({tx['gas_used']:,} gas)")
    if row.status not in ("settled", "finalized"):
        store.set_round_status(number, "settled")
    for staker in withdrawn:
        report(f"round {number}: {staker} withdrew through the escape hatch; not settled by the plan")
    return {"settled": posted, "already_settled": len(plan.stakes) - posted - len(withdrawn),
            "withdrawn": withdrawn, "prizes": len(plan.prizes)}


def _await_challenge_window(chain: Chain, number: int, view: dict, wait_up_to: float, report: Reporter) -> dict:
    """The round's view once its challenge window is over (its clock read from the chain),
    sleeping for at most `wait_up_to` seconds; an OracleError if it ends later."""
    ends = view["challenge_ends_at"]
    left = ends - chain.now()
    if left <= 0:
        return view
    if left > wait_up_to:
        raise OracleError(f"round {number}: the challenge window ends at {utc(ends):%Y-%m-%d %H:%M:%S} UTC, in "
                          f"{left} s; anyone may dispute until then. Settle after it")
    report(f"round {number}: waiting {left} s for the challenge window to end")
    deadline = time.monotonic() + left + 30
    while chain.now() < ends:
        if time.monotonic() > deadline:
            raise OracleError(f"round {number}: the chain's clock did not pass the challenge window's end; "
                              "is the chain mining?")
        time.sleep(min(1.0, max(0.1, ends - chain.now())))
        if chain.chain_id == 1337:  # a development chain mines only on demand: move its clock
            chain.mine_empty_block()
    return chain.round(number)


def finalize_round(number: int, report: Reporter = print) -> store.Round:
    """Returns the round's unspent pools to its funder (once)."""
    round_or_error(number)
    chain = get_chain()
    tx = finalize_tx(chain, number, report)
    if tx is not None:
        report(f"round {number}: finalized in {tx['tx_hash']}")
    return record_final(number, "finalized")


def finalize_tx(chain: Chain, number: int, report: Reporter) -> dict | None:
    """finalize (journaled): the unspent pools back to the funder, once."""
    return send_recorded(chain, number, "finalize", "finalize", lambda: chain.round(number)["finalized"],
                         lambda on_sent: chain.finalize(number, on_sent=on_sent), report)


def record_final(number: int, status: str) -> store.Round:
    """The round ended (`status`): the chain's totals copied to it, then the status."""
    chain = get_chain()
    view = chain.round(number)
    returned = chain.finalization(number) or {"usd_returned": 0, "nmr_returned": 0}
    store.record_chain_totals(
        number, paid_usd=view["usd_staking_paid"] + view["usd_prize_paid"], paid_nmr=view["nmr_paid"],
        burned_nmr=view["total_burned"], returned_usd=returned["usd_returned"],
        returned_nmr=returned["nmr_returned"], unsettled_stakes=view["staker_count"] - view["settled_count"],
    )
    return store.set_round_status(number, status)


