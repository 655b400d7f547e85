"""Stake commands: ``nmr stake`` (approve + stake, signed with my local key; ``--roll`` keeps
it on the model round after round), ``nmr roll`` (a position on or off rolling), ``nmr
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
@click.option("--roll", is_flag=True, help="Keep the stake on the model round after round (settled NMR rolls on).")
@click.pass_context
def stake(ctx: click.Context, amount: str, confidence: str, round_number: int | None,
          submission_hash: str | None, model: str | None, roll: bool) -> None:
    """Stake AMOUNT NMR on my model's submission: approve + stake, signed with my local key."""
    receipt = client_of(ctx).stake(amount, confidence, round_number, submission_hash, model=model, roll=roll)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    show(ctx, receipt, [
        (f"staked {from_wei(receipt['amount_wei'])} NMR on round {receipt['round']}{model_label(chosen)} at "
         f"confidence {from_wei(receipt['confidence_wad'])} (total {from_wei(receipt['total_stake_wei'])} NMR)"),
        f"hash: {receipt['submission_hash']}",
        *([ROLLS_LINE] if receipt["rolls"] else []),
        f"tx: {receipt['tx_hash']} (block {receipt['block']})",
    ])


ROLLS_LINE = ("rolling: when the round settles, what the stake keeps moves into your model's stake in the next "
              "open round, backing the file you upload there (nmr roll ROUND --off stops it)")


@click.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.option("--off", is_flag=True, help="Take the position off rolling (it comes back when the round settles).")
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def roll(ctx: click.Context, round_number: int, off: bool, model: str | None) -> None:
    """Put my model's stake in ROUND on rolling (or, with --off, take it off): one transaction."""
    receipt = client_of(ctx).set_rolling(round_number, not off, model=model)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    what = ("rolls into the next open round when it settles" if receipt["rolls"]
            else "comes back to your wallet when the round settles")
    show(ctx, receipt, [f"round {round_number}{model_label(chosen)}: {from_wei(receipt['amount_wei'])} NMR {what}",
                        f"tx: {receipt['tx_hash']} (block {receipt['block']})"])


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


COMMANDS = (stake, roll, withdraw, balances)
