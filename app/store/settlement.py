"""Settlement: the plans the oracle computed and every transaction it sends for a round.

Each oracle transaction of a round has one row, keyed (round, index): settle batches 0, 1,
... in commitment order, then fixed slots for the prizes, the commitment, the creation and
the finalize. A row is written before the transaction is sent and gets its hash before
the wait, so a rerun after a crash resumes it instead of sending it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.db import get_session
from app.models import BATCH_STATUSES, SettlementBatch, SettlementPlan
from app.store.errors import check_choice, require_round

# The slots after any stake batch (0, 1, ...).
PRIZE_BATCH_INDEX = 1_000_000
COMMIT_INDEX = 1_000_001
CREATE_INDEX = 1_000_002
FINALIZE_INDEX = 1_000_003
_LABELS = {PRIZE_BATCH_INDEX: "prizes", COMMIT_INDEX: "commitment", CREATE_INDEX: "creation",
           FINALIZE_INDEX: "finalize"}


def transaction_label(index: int) -> str:
    """What the transaction in slot `index` is, as the pages name it."""
    return _LABELS.get(index, f"batch {index}")


def save_plan(round_number: int, plan: Mapping[str, Any]) -> int:
    """Store a settlement plan (JSON-serialisable; amounts as strings); returns its id."""
    require_round(round_number)
    row = SettlementPlan(round_number=round_number, plan_json=dict(plan))
    session = get_session()
    session.add(row)
    session.commit()
    return row.id


def latest_plan(round_number: int) -> dict | None:
    """The newest stored plan of the round, or None."""
    query = select(SettlementPlan).where(SettlementPlan.round_number == round_number).order_by(SettlementPlan.id.desc())
    row = get_session().scalar(query)
    return None if row is None else row.plan_json


def record_batch(round_number: int, batch_index: int, tx_hash: str | None, status: str) -> SettlementBatch:
    """Create or update the batch (round, index): safe to call again when resuming."""
    check_choice("batch status", status, BATCH_STATUSES)
    require_round(round_number)
    session = get_session()
    row = session.scalar(
        select(SettlementBatch).where(
            SettlementBatch.round_number == round_number, SettlementBatch.batch_index == batch_index
        )
    )
    if row is None:
        row = SettlementBatch(round_number=round_number, batch_index=batch_index)
        session.add(row)
    row.tx_hash = tx_hash or row.tx_hash
    row.status = status
    session.commit()
    return row


def get_batch(round_number: int, batch_index: int) -> SettlementBatch | None:
    """The recorded transaction in slot (round, index), or None."""
    return get_session().scalar(
        select(SettlementBatch).where(
            SettlementBatch.round_number == round_number, SettlementBatch.batch_index == batch_index
        )
    )


def list_batches(round_number: int) -> list[SettlementBatch]:
    """The round's recorded oracle transactions in index order."""
    query = select(SettlementBatch).where(SettlementBatch.round_number == round_number)
    return list(get_session().scalars(query.order_by(SettlementBatch.batch_index)))
