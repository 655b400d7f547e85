""":class:`StoreError` and the argument checks every store module makes before writing,
including :func:`split_key` (a participant's model key into address and model number)."""

from __future__ import annotations

import operator
from typing import Any

from app.db import get_session
from app.models import Round
from client.core.models import split_model_key

# Round numbers are 1 .. 2**31 - 1: what every database column and the chain's round ids
# hold. A number outside is looked up nowhere (SQLite refuses integers past 2**63).
ROUND_NUMBER_MAX = 2**31 - 1


class StoreError(ValueError):
    """A store call that cannot be done as asked (unknown round, bad status ...)."""


def is_round_number(number: object) -> bool:
    """True for an int (not a bool) in 1 .. :data:`ROUND_NUMBER_MAX`."""
    return isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= ROUND_NUMBER_MAX


def require_round(number: int) -> Round:
    """The round, or a StoreError saying it does not exist."""
    row = get_session().get(Round, number) if is_round_number(number) else None
    if row is None:
        raise StoreError(f"round {number} does not exist")
    return row


def check_choice(kind: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a StoreError listing them."""
    if value not in choices:
        raise StoreError(f"unknown {kind} {value!r}; use one of {', '.join(choices)}")
    return value


def check_amount(name: str, value: Any) -> int:
    """A token amount as a non-negative int (wei or USD units); floats are refused."""
    if isinstance(value, bool):
        raise StoreError(f"{name} must be an integer amount, not {value!r}")
    try:
        amount = operator.index(value)
    except TypeError:
        raise StoreError(f"{name} must be an integer amount in base units, not {value!r}") from None
    if amount < 0:
        raise StoreError(f"{name} must not be negative (got {amount})")
    return amount




def split_key(key: str) -> tuple[str, int]:
    """(checksummed address, model number) of a model key
    (:func:`client.core.models.split_model_key`): ``<address>-<n>`` is model n of the
    address, a bare address model 0. A StoreError says the form of a malformed key."""
    try:
        return split_model_key(key)
    except ValueError as exc:
        raise StoreError(str(exc)) from None
