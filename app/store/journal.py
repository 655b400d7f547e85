"""The oracle's transaction journal: every transaction it (or the funder) sends for a round.

A row, named (round, kind, position), is written before its transaction is sent and gets
the hash before the wait, so a rerun after a crash finds what was left in flight and
resumes it instead of sending it again (:mod:`app.oracle.journal`).
"""

from __future__ import annotations

from sqlalchemy import select

from app.db import get_session
from app.models import TRANSACTION_KINDS, TRANSACTION_STATUSES, OracleTransaction
from app.store.errors import check_choice, require_round


def transaction_label(kind: str, position: int = 0) -> str:
    """What a journaled transaction is, as the pages and the operator name it."""
    return f"settle batch {position}" if kind == "settle" else kind


def record_transaction(round_number: int, kind: str, position: int, tx_hash: str | None,
                       status: str, raw_tx: str | None = None, nonce: int | None = None) -> OracleTransaction:
    """Create or update the row (round, kind, position): safe to call again when resuming.
    A hash once recorded is kept when a later call passes None; so are the signed
    transaction (`raw_tx`, 0x hex) and its `nonce`, replaced only with the hash."""
    check_choice("transaction kind", kind, TRANSACTION_KINDS)
    check_choice("transaction status", status, TRANSACTION_STATUSES)
    require_round(round_number)
    session = get_session()
    row = get_transaction(round_number, kind, position)
    if row is None:
        row = OracleTransaction(round_number=round_number, kind=kind, position=position)
        session.add(row)
    if tx_hash and tx_hash != row.tx_hash:
        row.raw_tx, row.nonce = raw_tx, nonce
    row.tx_hash = tx_hash or row.tx_hash
    row.status = status
    session.commit()
    return row


def get_transaction(round_number: int, kind: str, position: int = 0) -> OracleTransaction | None:
    """The journaled transaction (round, kind, position), or None."""
    return get_session().scalar(select(OracleTransaction).where(
        OracleTransaction.round_number == round_number, OracleTransaction.kind == kind,
        OracleTransaction.position == position))


def list_transactions(round_number: int) -> list[OracleTransaction]:
    """The round's journaled transactions in the order a round sends them."""
    rows = get_session().scalars(select(OracleTransaction).where(OracleTransaction.round_number == round_number))
    return sorted(rows, key=lambda row: (TRANSACTION_KINDS.index(row.kind), row.position))
