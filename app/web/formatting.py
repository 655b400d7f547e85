"""How the pages write numbers and times: amounts exact in integers, dates for people.

Every amount formatter is integer arithmetic: no amount ever passes through a float. Tables
show amounts to the nearest cent (or 0.01 NMR) with :mod:`client.core.money.units`, as the
plan's reason lines do;
the ``*_cell`` filters put the exact amount on hover. Times are UTC; :func:`when` writes a
``<time>`` element that reads "3 days ago" with the absolute time on hover.

Jinja filters (registered by :func:`register`): ``nmr``, ``usd``, ``pct``, ``day``, ``iso``,
``num``, ``counted`` (``7 submissions``), ``policy_name`` (plain text) and ``nmr_cell``,
``usd_cell``, ``when``, ``at`` (markup).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from markupsafe import Markup

from client.core.money import units
from client.core.money.units import NMR_DECIMALS, USD_DECIMALS

DECIMALS = {"nmr": NMR_DECIMALS, "usd": USD_DECIMALS}
DASH = "–"
# Relative time: the largest unit that fits at least once, in seconds.
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))


def format_units(amount: int | str | None, unit: int, places: int = 2) -> str:
    """:func:`client.core.money.units.format_units`, with a dash for no amount."""
    return DASH if amount is None else units.format_units(amount, unit, places)


def format_nmr(wei: int | str | None, places: int = 2) -> str:
    """Wei as NMR: ``4,000.00`` (2 decimals unless asked), a dash for none."""
    return DASH if wei is None else units.format_nmr(wei, places)


def format_usd(amount: int | str | None, decimals: int = DECIMALS["usd"]) -> str:
    """USD units (``decimals`` of them per dollar) as dollars to the cent: ``$1,000.00``."""
    return DASH if amount is None else units.format_usd(amount, 10**decimals)


def exact_units(amount: int | str, decimals: int) -> str:
    """Every digit of ``amount`` base units, trailing zeros dropped: ``170.277777777777777777``."""
    value = Decimal(int(amount)).scaleb(-decimals)
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def nmr_cell(wei: int | str | None) -> Markup:
    """A table cell's NMR: 2 decimals, every digit in the hover title."""
    if wei is None:
        return Markup(DASH)
    return _amount(format_nmr(wei), f"{exact_units(wei, DECIMALS['nmr'])} NMR")


def usd_cell(units: int | str | None, decimals: int = DECIMALS["usd"]) -> Markup:
    """A table cell's dollars: to the cent, every digit in the hover title."""
    if units is None:
        return Markup(DASH)
    exact = exact_units(units, decimals)
    return _amount(format_usd(units, decimals), f"-${exact[1:]}" if exact.startswith("-") else f"${exact}")


def _amount(shown: str, exact: str) -> Markup:
    return Markup('<span class="amount" title="{}">{}</span>').format(exact, shown)


def format_percent(share: float | None) -> str:
    """A share as the article writes it: ``83.33%``, ``75%``, ``100%`` (cut to 2 decimals)."""
    if share is None:
        return DASH
    hundredths = round(share * 1_000_000) // 100  # float noise below 1e-6 is not a digit
    whole, fraction = divmod(hundredths, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{fraction:02d}".rstrip("0") + "%"


def format_number(value: float | None, places: int = 5) -> str:
    """A float with ``places`` decimals, or a dash."""
    return f"{value:.{places}f}" if isinstance(value, int | float) else DASH


def day(moment: datetime | None) -> str:
    """A date as the article's RESOLVED line writes it: ``Thu Jun 15 2017``."""
    return moment.strftime("%a %b %d %Y") if moment else DASH


def iso(moment: datetime | None) -> str | None:
    """``2026-11-25T02:30:00Z`` (UTC, seconds)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment.tzinfo else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def relative(moment: datetime, now: datetime | None = None) -> str:
    """How far ``moment`` is from ``now``: ``3 days ago``, ``in 2 hours``, ``just now``."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    distance = abs(seconds)
    for index, (name, size) in enumerate(_UNITS):
        if distance >= size:
            # Rounded, not floored: a 7-day session that began a minute ago ends "in 7 days".
            count = round(distance / size)
            if index and count * size >= _UNITS[index - 1][1]:  # 59.6 minutes: "1 hour"
                (name, size), count = _UNITS[index - 1], 1
            text = counted(count, name)
            return f"{text} ago" if seconds > 0 else f"in {text}"
    return "just now"


def counted(count: int, noun: str) -> str:
    """``1 submission``, ``7 submissions``: a count with its noun in the right number."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


# The payout policies in words (the rules page explains each).
POLICY_NAMES = {"auction2017": "2017 staking auction", "corr": "CORR stakes"}


def policy_name(policy: str | None) -> str:
    """A payout policy as people read it: ``2017 staking auction``."""
    return POLICY_NAMES.get(policy or "", policy or DASH)


def absolute(moment: datetime) -> str:
    """``2026-11-25 02:30 UTC``: the hover text of a relative time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def when(moment: datetime | None, now: datetime | None = None) -> Markup:
    """``<time datetime="...Z" title="2026-11-25 02:30 UTC">3 days ago</time>``, or a dash."""
    if moment is None:
        return Markup(DASH)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso(moment), absolute(moment), relative(moment, now))


def at(moment: datetime | None) -> Markup:
    """A date and time, the pages' one form: ``<time datetime="...Z" data-local>2026-11-25
    02:30 UTC</time>``, which the pages' script (format.js ``localizeTimes``) turns into the
    reader's local time with the UTC time on hover; without a script it reads in UTC."""
    if moment is None:
        return Markup(DASH)
    return Markup('<time datetime="{}" title="{}" data-local>{}</time>').format(iso(moment), absolute(moment),
                                                                                absolute(moment))


def at_unix(seconds: int | None) -> Markup:
    """:func:`at` of Unix seconds (a block's timestamp)."""
    return at(None if seconds is None else datetime.fromtimestamp(int(seconds), tz=UTC))


def register(app: Flask) -> None:
    """Make the filters above available to every template."""
    filters = {
        "nmr": format_nmr, "usd": format_usd, "pct": format_percent, "day": day, "iso": iso, "num": format_number,
        "nmr_cell": nmr_cell, "usd_cell": usd_cell, "when": when, "counted": counted, "policy_name": policy_name, "at": at, "at_unix": at_unix,
    }  # fmt: skip
    for name, function in filters.items():
        app.add_template_filter(function, name)


__all__ = [
    "DECIMALS", "POLICY_NAMES", "absolute", "at", "at_unix", "counted", "day", "exact_units", "format_nmr", "format_number", "format_percent", "format_units",
    "format_usd", "iso", "nmr_cell", "policy_name", "register", "relative", "usd_cell", "when",
]  # fmt: skip
