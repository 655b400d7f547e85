"""The operator's Flask CLI: ``flask --app app oracle run|status|open|fund|close|resolve|
commit|settle|finalize|expire|publish|verify|dispute-status|rule``, thin calls into
:mod:`app.oracle`. ``run`` is the keeper (every round in flight, on the schedule);
the others take one step of one round by hand.

Amounts are parsed exactly (decimal strings, never floats); an operator's error prints
as one sentence (exit status 1), anything else keeps its traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import click
from flask import Flask, current_app

from app.oracle import keeper
from app.oracle.common import (
    DEFAULT_POOLS,
    NMR,
    OPERATOR_ERRORS,
    USD,
)
from app.oracle.endings import dispute_status, expire_round, lapse_dispute, rule_round
from app.oracle.opening import fund_round, open_round
from app.oracle.publishing import commit_round, publish_round, resolve_round
from app.oracle.resolving import close_round
from app.oracle.settling import finalize_round, settle_round
from app.paths import published_dir
from client.core.money.stakes import Pools


class DecimalAmount(click.ParamType):
    """A non-negative decimal amount, parsed exactly (never through a float)."""

    name = "amount"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number; write e.g. 3000 or 3603.03", param, ctx)
        if not amount.is_finite() or amount < 0:
            self.fail(f"{value!r} must be a non-negative amount", param, ctx)
        return amount


def pools_from_amounts(usd_staking: Decimal, usd_prize: Decimal, nmr: Decimal) -> Pools:
    """Pools in token units from dollars and NMR (rounded down to the token's unit)."""
    return Pools(usd_staking=int(usd_staking * USD), usd_prize=int(usd_prize * USD), nmr=int(nmr * NMR))


def _cli_step(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return step(*args, report=click.echo, **kwargs)
    except OPERATOR_ERRORS as exc:
        raise click.ClickException(str(exc)) from exc


def init_app(app: Flask) -> None:
    """Registers the ``flask oracle`` commands (see the module's docstring)."""
    if not app.config.get("DATASET_KEY"):
        app.config["DATASET_KEY"] = hashlib.sha256(f"dataset:{app.config['SECRET_KEY']}".encode()).hexdigest()

    @app.cli.group("oracle")
    def oracle_group() -> None:
        """Operate rounds: the oracle's lifecycle steps."""

    def pool_options(command: Callable, defaults: Pools = DEFAULT_POOLS) -> Callable:
        for name, default, unit, what in (
            ("--nmr", defaults.nmr / NMR, "NMR", "NMR issuance (prizes by rank, corr rewards)"),
            ("--usd-prize", defaults.usd_prize / USD, "dollars", "USD prize pool (prizes by rank)"),
            ("--usd-staking", defaults.usd_staking / USD, "dollars", "USD staking pool (the confidence auction)"),
        ):
            command = click.option(name, type=DecimalAmount(), default=f"{default:.2f}", show_default=True,
                                   help=f"{what}, in {unit}.")(command)
        return command

    @oracle_group.command("open")
    @click.option("--round", "number", type=int, default=None, help="Round number (default: next).")
    @click.option("--closes-in", type=int, default=3600, show_default=True, help="Seconds until staking closes.")
    @click.option("--resolves-in", type=int, default=7200, show_default=True, help="Seconds until the oracle deadline.")
    @click.option("--live-in", type=int, default=None,
                  help="Seconds until the live targets are known (default: at the close).")
    @pool_options
    @click.option("--policy", default="auction2017", show_default=True)
    @click.option("--sealed", is_flag=True,
                  help="Sealed: until the close only each file's hash and shape reach the server; the files are "
                       "revealed after it (needs --live-in after --closes-in).")
    @click.option("--reveal-in", type=int, default=None,
                  help="Seconds after the close a sealed round takes reveals (default SEALED_REVEAL_SECONDS, "
                       "cut short at the live targets).")
    def open_command(number, closes_in, resolves_in, live_in, usd_staking, usd_prize, nmr, policy, sealed,
                     reveal_in):
        """Build the dataset, open a round on chain and pay its pools (the funder's key)."""
        _cli_step(open_round, number, closes_in=closes_in, resolves_in=resolves_in, live_in=live_in,
                  pools=pools_from_amounts(usd_staking, usd_prize, nmr), policy=policy, sealed=sealed,
                  reveal_in=reveal_in)

    @oracle_group.command("fund")
    @click.argument("number", type=int)
    @lambda command: pool_options(command, Pools(0, 0, 0))
    def fund_command(number, usd_staking, usd_prize, nmr):
        """Pay (more) into an open round's pools from the funder's own balance."""
        _cli_step(fund_round, number, pools_from_amounts(usd_staking, usd_prize, nmr))

    @oracle_group.command("expire")
    @click.argument("number", type=int)
    def expire_command(number):
        """Finalize a round whose oracle deadline passed unsettled (stakers withdraw)."""
        _cli_step(expire_round, number)

    @oracle_group.command("close")
    @click.argument("number", type=int)
    def close_command(number):
        """Mark a round closed (after its on-chain close)."""
        _cli_step(close_round, number)

    @oracle_group.command("resolve")
    @click.argument("number", type=int)
    @click.option("--targets", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Live targets file (id,target) for operator-supplied data.")
    def resolve_command(number, targets):
        """Score all submissions, store the plan, publish the files and commit the results."""
        _cli_step(resolve_round, number, targets_file=targets)

    @oracle_group.command("commit")
    @click.argument("number", type=int)
    def commit_command(number):
        """Publish a resolved round's files and commit its results on chain (resumable)."""
        _cli_step(commit_round, number)

    @oracle_group.command("settle")
    @click.argument("number", type=int)
    @click.option("--wait", "wait_up_to", type=int, default=600, show_default=True,
                  help="Longest wait (seconds) for the challenge window to end.")
    def settle_command(number, wait_up_to):
        """Post the committed plan on chain after the challenge window (resumable)."""
        _cli_step(settle_round, number, wait_up_to=wait_up_to)

    @oracle_group.command("dispute-status")
    @click.argument("number", type=int)
    def dispute_status_command(number):
        """Show the round's commitment, challenge window and disputes on chain."""
        _cli_step(dispute_status, number)

    @oracle_group.command("rule")
    @click.argument("number", type=int)
    @click.option("--uphold/--reject", "upheld", required=True,
                  help="Uphold the dispute (void the round) or reject it (burn the bond).")
    def rule_command(number, upheld):
        """Rule on the round's open dispute, with the guardian's key (NMR_GUARDIAN_PRIVATE_KEY)."""
        _cli_step(rule_round, number, upheld)

    @oracle_group.command("lapse")
    @click.argument("number", type=int)
    def lapse_command(number):
        """End a dispute the guardian did not rule on within the ruling period (bond back)."""
        _cli_step(lapse_dispute, number)

    @oracle_group.command("finalize")
    @click.argument("number", type=int)
    def finalize_command(number):
        """Return the round's unspent pools to its funder."""
        _cli_step(finalize_round, number)

    @oracle_group.command("publish")
    @click.argument("number", type=int)
    def publish_command(number):
        """Publish targets, staked files, scores and the plan."""
        _cli_step(publish_round, number)

    @oracle_group.command("verify")
    @click.argument("number", type=int)
    def verify_command(number):
        """Recompute a published round and check it against the chain."""
        from client.core.money.verify import main as verify_main

        raise SystemExit(verify_main([str(published_dir(number)), "--rpc-url", current_app.config["RPC_URL"]]))

    @oracle_group.command("run")
    @click.argument("number", type=int, required=False)
    @click.option("--once", is_flag=True, help="One pass over every round in flight, then exit.")
    @click.option("--every", type=float, default=None,
                  help="Seconds between passes (default KEEPER_TICK_SECONDS).")
    def run_command(number, once, every):
        """The keeper: open rounds on the schedule and take every round's next step, until
        stopped. With NUMBER: drive that one round to its end now."""
        if number is not None:
            _cli_step(keeper.run_round, number)
        else:
            _cli_step(keeper.run, every=every, once=once)

    @oracle_group.command("status")
    def status_command():
        """Every round in flight: its state, its next step and when it is due."""
        _cli_step(keeper.status)
