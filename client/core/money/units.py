"""The units a round's money is counted in, and the one way each is written for people.

NMR amounts are ints in wei (``NMR`` per token), confidences ints in ``WAD`` (10**18 ==
1.0 NMR per dollar), USD amounts ints in the stablecoin's units (``USD_UNIT`` per dollar:
6 decimals, as USDC). Display rounds to the nearest hundredth, half up; the amounts
themselves never round.
"""

from __future__ import annotations

from fractions import Fraction

WAD = 10**18
NMR_DECIMALS = 18
USD_DECIMALS = 6
NMR = 10**NMR_DECIMALS
USD_UNIT = 10**USD_DECIMALS


def format_units(amount: int | str, unit: int, places: int = 2) -> str:
    """``amount`` base units (``unit`` per whole) to ``places`` decimals, half up, with
    thousands separators: ``format_units(999_999_127, 10**6) == "1,000.00"``."""
    value = int(amount)
    sign, value = ("-", -value) if value < 0 else ("", value)
    whole, fraction = divmod((value * 10**places * 2 // unit + 1) // 2, 10**places)
    return f"{sign}{whole:,}" + (f".{fraction:0{places}d}" if places else "")


def format_nmr(wei: int | str, places: int = 2) -> str:
    """Wei as NMR, no unit: ``1,070.32``."""
    return format_units(wei, NMR, places)


def format_usd(units: int | str, usd_unit: int = USD_UNIT, *, cents: bool = True) -> str:
    """USD units as dollars to the cent: ``$1,267.58``; with ``cents=False`` the cents are
    shown only when there are some (the whitepaper's "stake back + $500")."""
    text = format_units(units, usd_unit, 2)
    if not cents and text.endswith(".00"):
        text = text[:-3]
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


def exact(value: float) -> Fraction:
    """The float's shortest decimal form as an exact fraction: 2.0 * 0.05 pays exactly 10%."""
    return Fraction(repr(float(value)))


class Amount(int):
    """A token amount in its base unit, typed by its token: what a view holds where it
    shows money, so the JSON form writes it as a decimal string (JavaScript would round
    an int past 2**53) by its type, never by guessing from a key's name. Arithmetic gives
    plain ints: wrap a total again (``NmrAmount(sum(...))``) where it is shown."""

    __slots__ = ()
    token = ""


class NmrAmount(Amount):
    """NMR in wei (``NMR`` per token)."""

    __slots__ = ()
    token = "nmr"


class UsdAmount(Amount):
    """USD in the stablecoin's units (``USD_UNIT`` per dollar)."""

    __slots__ = ()
    token = "usd"
