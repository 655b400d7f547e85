"""View models as JSON: token amounts as decimal strings of their base unit (so
JavaScript never rounds them), times as ISO 8601 with ``Z``. Which keys hold amounts is
declared once (:data:`VIEW_AMOUNT_KEYS`), never guessed from a name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import store
from app.web.formatting import iso

# Amount keys of these views beyond the store's: balances, what a finalized round returned
# to its funder, and the Rules page's examples.
# The chain's wallet reads (balances, each stake's amount) are amounts too.
VIEW_AMOUNT_KEYS = store.AMOUNT_KEYS | {
    "usd_units", "usd_returned", "nmr_returned", "bid_usd", "pool_usd", "article_usd", "article_nmr",
    "article_usd_pool", "article_nmr_pool", "reward", "bond", "nmr_wei", "eth_wei", "amount_wei",
}  # fmt: skip

def is_amount_key(key: str) -> bool:
    """Whether a view key holds a token amount (sent as a decimal string in JSON): the
    keys declared in :data:`VIEW_AMOUNT_KEYS`, never a guess from a name's suffix."""
    return key in VIEW_AMOUNT_KEYS

def jsonable(value: Any, key: str = "") -> Any:
    """JSON-safe copy: amounts as decimal strings, datetimes as ISO ``...Z``."""
    if isinstance(value, dict):
        return {k: jsonable(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, key) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if is_amount_key(key) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value
