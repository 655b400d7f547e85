"""The column types of the tournament's tables: what a value must be to be stored.

Each type refuses what its column must never hold, at the one place every write passes:
a naive datetime, a float amount, a string that is not an address. Queries bind through
the same types, so ``Score.address == "0xabc..."`` matches however the address is cased.
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime
from typing import Any

from eth_utils import is_hex_address, to_checksum_address
from sqlalchemy import DateTime, String
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Wei(TypeDecorator):
    """An integer amount of a token's base unit (NMR wei, USD micro-dollars), stored as a
    decimal string. Floats are refused: an amount is never a float."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> str | None:
        # operator.index accepts int (and numpy integers), refuses float, Decimal and str.
        return None if value is None else str(operator.index(value))

    def process_result_value(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else int(value)


class Address(TypeDecorator):
    """A wallet address, always stored checksummed (EIP-55): one spelling per wallet, so
    a lowercase address from a URL or a CLI finds the same rows. Anything but 20 bytes of
    hex is refused."""

    impl = String(42)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if not is_hex_address(value):
            raise ValueError(f"not an address: {value!r} (expected 0x and 40 hex digits)")
        return to_checksum_address(value)


def amount_column() -> Any:
    """A non-null :class:`Wei` column that is 0 unless set, also on rows added before it."""
    return mapped_column(Wei, default=0, server_default="0")
