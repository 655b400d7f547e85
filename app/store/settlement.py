"""Settlement plans: the plan the oracle computed for a round, stored once it is resolved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.db import get_session
from app.models import SettlementPlan
from app.store.errors import require_round


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
