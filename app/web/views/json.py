"""View models as JSON: token amounts as decimal strings of their base unit (so
JavaScript never rounds them), times as ISO 8601 with ``Z``. An amount is known by its
type (:class:`client.core.money.units.Amount`), never by its key's name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.web.formatting import iso
from client.core.money.units import Amount


def jsonable(value: Any) -> Any:
    """JSON-safe copy: amounts as decimal strings, datetimes as ISO ``...Z``."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Amount):
        return str(int(value))
    return value
