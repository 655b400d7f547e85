"""Amounts as people type and read them: decimal NMR (or a confidence) to and from the
integers of 10^-18 units the contracts use, exactly (no float)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from client.errors import NumeraireError

WAD = 10**18


def to_wei(value: str | float | Decimal, what: str = "amount") -> int:
    """A decimal amount (``"10.5"`` NMR, or a confidence) as an integer of 10^-18 units."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise NumeraireError(f"{what} must be a number (got {value!r})") from None
    wei = number * WAD
    if not number.is_finite() or wei != wei.to_integral_value():
        raise NumeraireError(f"{what} must be a finite number with at most 18 decimals (got {value!r})")
    if wei <= 0:
        raise NumeraireError(f"{what} must be positive (got {value!r})")
    return int(wei)


def from_wei(wei: int | str | None, places: int = 18) -> str:
    """Wei (int or decimal string) as an amount with at most `places` decimals (rounded
    down), without trailing zeros."""
    if wei is None:
        return "-"
    text = f"{(Decimal(int(wei)) / WAD).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
