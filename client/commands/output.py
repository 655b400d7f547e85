"""Output: how every ``nmr`` command prints, and the helpers the commands share.

The client a command runs with, JSON (``--json``) or human lines, amounts from base units
without floats (NMR, dollars, percents), the ``--model`` option's help and label, and the
FILE/--round/--dataset options of the commands that read a prediction file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from client.amounts import from_wei
from client.api import NumeraireClient

MODEL_HELP = "Which of my models: its name or key (default: my first model, model 0)."


def client_of(ctx: click.Context) -> NumeraireClient:
    """The client ``main`` built from the options and the environment."""
    return ctx.obj


def show(ctx: click.Context, payload: Any, lines: list[str]) -> None:
    """Print JSON with ``--json``, else the human lines."""
    if ctx.find_root().params.get("as_json"):
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def amount(value: int | str | None, decimals: int, places: int = 2) -> str:
    """Base units as a decimal to the nearest (half up), with thousands separators (no float)."""
    if value is None:
        return "-"
    units = int(value)
    sign, units = ("-", -units) if units < 0 else ("", units)
    whole, fraction = divmod((units * 10**places * 2 // 10**decimals + 1) // 2, 10**places)
    return f"{sign}{whole:,}" + (f".{fraction:0{places}d}" if places else "")


def nmr(wei: int | str | None) -> str:
    """NMR to 2 decimals: ``4,000.00``."""
    return amount(wei, 18)


def usd(units: int | str | None, decimals: int = 6) -> str:
    """Dollars to the cent: ``$1,000.00``."""
    text = amount(units, decimals)
    return text if text == "-" else (f"-${text[1:]}" if text.startswith("-") else f"${text}")


def pct(share: float | None) -> str:
    """A share as a percent cut to 2 decimals: ``83.33%``."""
    if share is None:
        return "-"
    whole, fraction = divmod(round(share * 1_000_000) // 100, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{fraction:02d}".rstrip("0") + "%"


def balances_line(address: str, balances: dict[str, int], usd_decimals: int) -> str:
    return (f"{address}: {nmr(balances['nmr_wei'])} NMR, {usd(balances.get('usd_units'), usd_decimals)} USD, "
            f"{from_wei(balances['eth_wei'], 4)} ETH")


def fmt(value: Any, places: int = 5) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{places}f}"
    return str(value)


def model_label(model: dict[str, Any] | None) -> str:
    """`` for model NAME (KEY)`` for a model other than 0; nothing for model 0 (as before)."""
    if not model or not model.get("number"):
        return ""
    return f" for model {model.get('name') or model['key']} ({model['key']})"


def prediction_file_options(command: Callable) -> Callable:
    """FILE, --round and --dataset: what `upload` and `check` take."""
    for decorator in reversed((
        click.argument("file", type=click.Path(exists=True, dir_okay=False)),
        click.option("--round", "round_number", type=int, default=None, help="Round (default: current)."),
        click.option("--dataset", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="The round's downloaded dataset (else fetched to check the ids)."),
        click.pass_context,
    )):
        command = decorator(command)
    return command
