""":class:`StoreError` and the argument checks every store module makes before writing."""

from __future__ import annotations

import operator
from typing import Any

from app.db import get_session
from app.models import Round


class StoreError(ValueError):
    """A store call that cannot be done as asked (unknown round, bad status ...)."""


def require_round(number: int) -> Round:
    """The round, or a StoreError saying it does not exist."""
    row = get_session().get(Round, number)
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
