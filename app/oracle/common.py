"""What every oracle step shares: its error, its units and default pools, and the readers
that turn a stored round or score into what the chain calls it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app import store
from client.core.chain.errors import ChainError
from client.core.models import model_key
from client.core.money.stakes import Pools

NMR = 10**18
USD = 10**6
# The whitepaper's staking pool and the article's Tournament 56 prize pools.
DEFAULT_POOLS = Pools(usd_staking=3_000 * USD, usd_prize=3_603_030_000, nmr=14_412_130 * NMR // 1000)
Reporter = Callable[[str], None]


class OracleError(Exception):
    """A lifecycle step cannot proceed; the message says why and what to do."""


# What an operator may cause (and read about in one sentence); anything else is a bug and
# keeps its traceback.
OPERATOR_ERRORS = (OracleError, ChainError, store.StoreError)


def utc(timestamp: int) -> datetime:
    """A chain timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


def timestamp(moment: datetime) -> int:
    """An aware datetime as a chain timestamp (whole seconds)."""
    return int(moment.timestamp())


def round_or_error(number: int) -> store.Round:
    """The stored round, or an OracleError saying to open it first."""
    row = store.get_round(number)
    if row is None:
        raise OracleError(f"round {number} is not known to this server; open it first")
    return row


def participant_key(row: Any) -> str:
    """The model key of a stored submission or score (its wallet and model number)."""
    return getattr(row, "model_key", None) or model_key(row.address, getattr(row, "model_number", 0))


def total(pools: Pools) -> int:
    """Every pool's amount added up (zero: nothing to fund)."""
    return pools.usd_staking + pools.usd_prize + pools.nmr
