"""The one path every oracle transaction takes: recorded before it is sent, its hash
before the wait, resumed (never sent twice) by a rerun after a crash."""

from __future__ import annotations

from collections.abc import Callable

from app import store
from app.oracle.common import OracleError, Reporter
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError, ContractRevert
from client.core.chain.transactions import SignedHash

Send = Callable[[Callable[[str], None]], dict]


def send_recorded(chain: Chain, number: int, kind: str, what: str, done: Callable[[], bool], send: Send,
                  report: Reporter, position: int = 0) -> dict | None:
    """One transaction of round `number`, journaled as (`kind`, `position`) before it is sent.

    A transaction a previous run left sent is looked up first. If the node still knows it,
    it is waited for, never signed again (a second one would reuse its nonce). If the node
    dropped it (unknown, its nonce unused) the very same signed transaction is sent again;
    if another transaction took its nonce it can never be mined, and the step goes on as
    if it had not been sent. Then, unless `done()` says the chain already has what it
    would do, it is sent: its row goes ``pending``, then ``sent`` with the hash before the
    wait, then ``confirmed``. What the chain answered otherwise is recorded and said:
    ``refused`` (not sent: the escrow's reason), ``reverted`` (mined, failed), ``unknown``
    (sent, no answer: a rerun resumes it) or ``unsent`` (the node did not answer).
    Returns the receipt of a transaction sent now or resumed (``resumed`` True), None if
    nothing was needed."""
    said, chain.sending.say = chain.sending.say, report  # a re-priced or waiting transaction is said in the step's report
    try:
        return _send_recorded(chain, number, kind, what, done, send, report, position)
    finally:
        chain.sending.say = said


def _send_recorded(chain: Chain, number: int, kind: str, what: str, done: Callable[[], bool], send: Send,
                   report: Reporter, position: int) -> dict | None:
    left = store.get_transaction(number, kind, position)
    if left is not None and left.status in ("sent", "unknown") and left.tx_hash:
        fate = _fate(chain, number, what, left)
        if fate == "dropped":
            lost = (f"round {number}: {what} {left.tx_hash}, sent by a previous run, was dropped by the node (unknown "
                    f"to it, nonce {left.nonce} unused)")
            try:
                chain.rebroadcast(left.raw_tx, what)
                report(f"{lost}: sent again as signed, same nonce")
            except ContractRevert as exc:
                raise OracleError(f"{lost}, and the node refuses it again: {exc}") from exc
            except ChainError as exc:  # e.g. its fee cap is now below the base fee: the wait re-prices it
                report(f"{lost}; the node refuses it as signed ({exc}): the wait re-prices it")
        elif fate == "replaced":
            report(f"round {number}: {what} {left.tx_hash} was never mined and its nonce {left.nonce} is used: "
                   "it can no longer land")
            left = None
    if left is not None and left.status in ("sent", "unknown") and left.tx_hash:
        try:
            receipt = chain.wait_for(_signed(left), what, on_sent=_recorder(number, kind, position))
        except ContractRevert as exc:
            store.record_transaction(number, kind, position, left.tx_hash, "reverted")
            report(f"round {number}: {what} {left.tx_hash}, left by a previous run, reverted: {exc}")
        except ChainError as exc:
            store.record_transaction(number, kind, position, left.tx_hash, "unknown")
            raise OracleError(f"round {number}: {what} {left.tx_hash}, sent by a previous run, has no answer from "
                              f"the chain yet ({exc}); its outcome is unknown, not failed: rerun to resume it") from exc
        else:
            store.record_transaction(number, kind, position, left.tx_hash, "confirmed")
            report(f"round {number}: {what} {left.tx_hash}, left by a previous run, was mined")
            return {**receipt, "resumed": True}
    if done():
        if left is not None and left.status != "confirmed":
            store.record_transaction(number, kind, position, left.tx_hash,
                                     "confirmed" if left.tx_hash else left.status)
        return None
    sent: list[str] = []
    record = _recorder(number, kind, position)

    def on_sent(tx_hash: str) -> None:
        sent.append(tx_hash)
        record(tx_hash)

    store.record_transaction(number, kind, position, None, "pending")
    try:
        receipt = send(on_sent)
    except ContractRevert as exc:
        store.record_transaction(number, kind, position, None, "reverted" if sent else "refused")
        answer = "was mined and reverted" if sent else "was refused by the chain (not sent)"
        raise OracleError(f"round {number}: {what} {answer}: {exc}") from exc
    except ChainError as exc:
        store.record_transaction(number, kind, position, None, "unknown" if sent else "unsent")
        if sent:
            raise OracleError(f"round {number}: {what} {sent[0]} was sent but the chain has not answered ({exc}); "
                              "its outcome is unknown, not failed: rerun to resume it") from exc
        raise OracleError(f"round {number}: {what} was not sent: the chain did not answer ({exc})") from exc
    store.record_transaction(number, kind, position, receipt["tx_hash"], "confirmed")
    return receipt


def _recorder(number: int, kind: str, position: int) -> Callable[[str], None]:
    """Keeps a transaction (or its re-priced replacement) as the step's, ``sent``, before it
    is broadcast."""
    def record(tx_hash: str) -> None:
        store.record_transaction(number, kind, position, tx_hash, "sent", raw_tx=getattr(tx_hash, "raw", None),
                                 nonce=getattr(tx_hash, "nonce", None))
    return record


def _signed(row: store.OracleTransaction) -> str:
    """A journaled transaction's hash, with its signed bytes and nonce when kept."""
    return SignedHash(row.tx_hash, row.raw_tx, row.nonce) if row.raw_tx and row.nonce is not None else row.tx_hash


def _fate(chain: Chain, number: int, what: str, left: store.OracleTransaction) -> str:
    """``known``, ``dropped`` or ``replaced`` (:meth:`Chain.transaction_fate`); a row kept
    without its signed bytes cannot be sent again, so it is waited for as before."""
    try:
        fate = chain.transaction_fate(left.tx_hash, left.nonce)
    except ChainError as exc:
        raise OracleError(f"round {number}: cannot ask the chain about {what} {left.tx_hash} ({exc}); "
                          "rerun to resume it") from exc
    return "known" if fate == "dropped" and not left.raw_tx else fate
