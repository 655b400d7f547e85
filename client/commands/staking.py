"""Stake commands: ``nmr stake`` (approve + stake, signed with my local key), ``nmr
withdraw`` (the escape hatch) and ``nmr balances`` (a wallet's NMR, USD and ETH on chain)."""

from __future__ import annotations

import click

from client.amounts import from_wei
from client.commands.output import (
    MODEL_HELP,
    balances_line,
    client_of,
    model_label,
    show,
)


@click.command()
@click.argument("amount")
@click.option("--confidence", "-c", required=True, help="Your confidence (the 2017 auction's bid; > 0).")
@click.option("--round", "round_number", type=int, default=None, help="Round (default: current).")
@click.option("--hash", "submission_hash", default=None, help="Submission hash (default: the model's current upload).")
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def stake(ctx: click.Context, amount: str, confidence: str, round_number: int | None,
          submission_hash: str | None, model: str | None) -> None:
    """Stake AMOUNT NMR on my model's submission: approve + stake, signed with my local key."""
    receipt = client_of(ctx).stake(amount, confidence, round_number, submission_hash, model=model)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    show(ctx, receipt, [
        (f"staked {from_wei(receipt['amount_wei'])} NMR on round {receipt['round']}{model_label(chosen)} at "
         f"confidence {from_wei(receipt['confidence_wad'])} (total {from_wei(receipt['total_stake_wei'])} NMR)"),
        f"hash: {receipt['submission_hash']}",
        f"tx: {receipt['tx_hash']} (block {receipt['block']})",
    ])


@click.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def withdraw(ctx: click.Context, round_number: int, model: str | None) -> None:
    """Take back my model's unsettled stake in ROUND after the oracle's deadline (escape hatch)."""
    receipt = client_of(ctx).withdraw(round_number, model=model)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    show(ctx, receipt, [f"withdrew {from_wei(receipt['amount_wei'])} NMR from round {round_number}{model_label(chosen)}",
                        f"tx: {receipt['tx_hash']} (block {receipt['block']})"])


@click.command()
@click.option("--address", default=None, help="Another wallet (default: mine).")
@click.pass_context
def balances(ctx: click.Context, address: str | None) -> None:
    """My wallet's balances on chain: Numeraire, USD and ETH (for gas)."""
    client = client_of(ctx)
    who = address or client.address
    amounts = client.balances(who)
    show(ctx, {"address": who, **amounts}, [balances_line(who, amounts, client.chain().usd_decimals)])


COMMANDS = (stake, withdraw, balances)
