"""``nmr``: the tournament from a shell (``python -m client`` or ``bin/nmr``).

Configuration comes from the environment (options win): ``NMR_API_URL`` (the server,
default http://127.0.0.1:8000), ``NMR_API_TOKEN`` (an API token), ``NMR_PRIVATE_KEY`` or
``NMR_KEYSTORE`` (a keystore file; its password from ``NMR_KEYSTORE_PASSWORD`` or a
prompt) and ``NMR_RPC_URL`` (override the chain RPC the server publishes). Keys sign
here; only signatures and signed transactions leave this machine.

A wallet may run several models (``nmr models``, ``nmr models add NAME``); ``upload``,
``stake`` and ``withdraw`` take ``--model NAME`` (a model's name or key; default the
wallet's first model, so a single-model wallet never names one).

Every failure exits with status 1 and one message saying what to do. One module for every
verb: each is a thin print of :mod:`client.api`'s answer, with the amount formatters they share.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from client.amounts import from_wei
from client.api import NumeraireClient
from client.errors import NumeraireError, ValidationFailed
from client.settings import DEFAULT_API_URL


def _prompt_password() -> str:
    return click.prompt("keystore password", hide_input=True, err=True)


def _client(ctx: click.Context) -> NumeraireClient:
    return ctx.obj


def _show(ctx: click.Context, payload: Any, lines: list[str]) -> None:
    """Print JSON with ``--json``, else the human lines."""
    if ctx.find_root().params.get("as_json"):
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def _amount(value: int | str | None, decimals: int, places: int = 2) -> str:
    """Base units as a decimal to the nearest (half up), with thousands separators (no float)."""
    if value is None:
        return "-"
    units = int(value)
    sign, units = ("-", -units) if units < 0 else ("", units)
    whole, fraction = divmod((units * 10**places * 2 // 10**decimals + 1) // 2, 10**places)
    return f"{sign}{whole:,}" + (f".{fraction:0{places}d}" if places else "")


def _nmr(wei: int | str | None) -> str:
    """NMR to 2 decimals: ``4,000.00``."""
    return _amount(wei, 18)


def _usd(units: int | str | None, decimals: int = 6) -> str:
    """Dollars to the cent: ``$1,000.00``."""
    text = _amount(units, decimals)
    return text if text == "-" else (f"-${text[1:]}" if text.startswith("-") else f"${text}")


def _pct(share: float | None) -> str:
    """A share as a percent cut to 2 decimals: ``83.33%``."""
    if share is None:
        return "-"
    whole, fraction = divmod(round(share * 1_000_000) // 100, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{fraction:02d}".rstrip("0") + "%"


def _balances_line(address: str, balances: dict[str, int], usd_decimals: int) -> str:
    return (f"{address}: {_nmr(balances['nmr_wei'])} NMR, {_usd(balances.get('usd_units'), usd_decimals)} USD, "
            f"{from_wei(balances['eth_wei'], 4)} ETH")


def _fmt(value: Any, places: int = 5) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{places}f}"
    return str(value)


MODEL_HELP = "Which of my models: its name or key (default: my first model, model 0)."


def _model_label(model: dict[str, Any] | None) -> str:
    """`` for model NAME (KEY)`` for a model other than 0; nothing for model 0 (as before)."""
    if not model or not model.get("number"):
        return ""
    return f" for model {model.get('name') or model['key']} ({model['key']})"


def _prediction_file_options(command: Callable) -> Callable:
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


class NmrGroup(click.Group):
    """A group that turns client errors into one clean message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NumeraireError as exc:  # ValidationFailed too: its message lists every problem
            raise click.ClickException(str(exc)) from None


@click.group(cls=NmrGroup)
@click.option("--api-url", envvar="NMR_API_URL", default=DEFAULT_API_URL, show_default=True,
              help="The tournament server (env NMR_API_URL).")
@click.option("--token", envvar="NMR_API_TOKEN", default=None, help="An API token (env NMR_API_TOKEN).")
@click.option("--keystore", envvar="NMR_KEYSTORE", default=None, type=click.Path(dir_okay=False),
              help="An encrypted keystore file with your wallet (env NMR_KEYSTORE).")
@click.option("--rpc-url", envvar="NMR_RPC_URL", default=None, help="Chain RPC override (env NMR_RPC_URL).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.pass_context
def main(ctx: click.Context, api_url: str, token: str | None, keystore: str | None, rpc_url: str | None,
         as_json: bool, quiet: bool) -> None:
    """Numeraire Tournament client: download, upload, stake, results.

    The wallet key is read from NMR_PRIVATE_KEY (never from a command-line option, which
    other users could see) or from a keystore file."""
    ctx.obj = NumeraireClient(
        api_url=api_url, token=token, private_key=os.environ.get("NMR_PRIVATE_KEY"), keystore_file=keystore,
        keystore_password=os.environ.get("NMR_KEYSTORE_PASSWORD"), password_prompt=_prompt_password,
        rpc_url=rpc_url, progress=not quiet and not as_json,
    )


@main.command()
@click.option("--round", "round_number", type=int, default=None, help="Round (default: current).")
@click.option("--format", "file_format", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--dest", type=click.Path(file_okay=False), default=".", show_default=True, help="Folder to write to.")
@click.pass_context
def download(ctx: click.Context, round_number: int | None, file_format: str, dest: str) -> None:
    """Download a round's dataset."""
    path = _client(ctx).download_dataset(dest, round_number, file_format)
    _show(ctx, {"path": str(path), "bytes": path.stat().st_size},
          [f"{path} ({path.stat().st_size:,} bytes)"])


@main.command()
@_prediction_file_options
@click.option("--model", default=None, help=MODEL_HELP)
def upload(ctx: click.Context, file: str, round_number: int | None, dataset: str | None, model: str | None) -> None:
    """Check FILE here with the server's rules, then upload it (as my model --model)."""
    result = _client(ctx).upload_predictions(file, round_number, dataset, model=model)
    metrics = result.get("metrics") or {}
    chosen = result.get("model") if isinstance(result.get("model"), dict) else None
    model_option = f" --model {chosen.get('name') or chosen['key']}" if chosen and chosen.get("number") else ""
    _show(ctx, result, [
        f"accepted: round {result['round']}, {result['rows']:,} rows{_model_label(chosen)}",
        f"hash: {result['hash']}",
        (f"validation logloss {_fmt(metrics.get('validation_logloss'))}, "
        f"consistency {_fmt(metrics.get('consistency'), 2)}, corr {_fmt(metrics.get('validation_corr'))}"),
        *(f"note: {note}" for note in result.get("notes") or []),
        f"stake on it: nmr stake AMOUNT --confidence C --round {result['round']}{model_option}",
    ])


@main.command()
@_prediction_file_options
def check(ctx: click.Context, file: str, round_number: int | None, dataset: str | None) -> None:
    """Check FILE with the server's rules without uploading it."""
    result = _client(ctx).check_predictions(file, round_number, dataset)
    if not result.ok:
        raise ValidationFailed(Path(file).name, result.problems)
    _show(ctx, {"ok": True, "hash": result.hash, "rows": result.rows},
          [f"ok: {result.rows:,} rows", f"hash: {result.hash}"])


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """The current round, and my submission, balances and stake when I am identified."""
    client = _client(ctx)
    identified = bool(client.token or client.has_wallet)
    page = client.current_round(mine=identified)
    current = page.get("round")
    payload: dict[str, Any] = {"round": current, "n_submissions": page.get("n_submissions"),
                               "my_submission": page.get("my_submission")}
    if current is None:
        _show(ctx, payload, ["no round yet"])
        return
    lines = [
        (f"round {current['number']}: {current['status']}, closes {current['closes_at']}, "
        f"resolves by {current['resolves_by']}"),
        (f"uploads {'open' if current['accepts_uploads'] else 'closed'}; {page.get('n_submissions', 0)} submissions; "
        f"policy {current['policy']}"),
        (f"pools: {_usd(current['usd_staking_pool'])} staking pool, {_usd(current['usd_prize_pool'])} and "
         f"{_nmr(current['nmr_pool'])} NMR of prizes"),
    ]
    mine = page.get("my_submission")
    if identified:
        lines.append(f"my submission: {mine['hash']} (validation logloss "
                     f"{_fmt((mine.get('metrics') or {}).get('validation_logloss'))})" if mine else "my submission: none")
    if client.has_wallet:
        balances = client.balances()
        stake = client.stake_of(current["number"])
        payload.update(address=client.address, balances=balances, stake=stake)
        lines.append("wallet " + _balances_line(client.address, balances, client.chain().usd_decimals))
        lines.append(f"my stake: {from_wei(stake['amount'])} NMR at confidence {from_wei(stake['confidence'])} "
                     f"({stake['status']})" if stake["amount"] else "my stake: none")
        # My other models' positions in this round (model 0's is the line above).
        others = [row for row in client.chain().stakes(client.address)
                  if row["round"] == current["number"] and row["model"]]
        payload["model_stakes"] = others
        lines += [f"my stake on model {row['key']}: {from_wei(row['amount_wei'])} NMR at confidence "
                  f"{row['confidence']} ({row['status']})" for row in others]
    _show(ctx, payload, lines)


@main.command()
@click.option("--round", "round_number", type=int, default=None, help="Round (default: newest scored).")
@click.pass_context
def leaderboard(ctx: click.Context, round_number: int | None) -> None:
    """The leaderboard of a scored round."""
    board = _client(ctx).leaderboard(round_number)
    if board.get("round") is None:
        _show(ctx, board, ["no round has been scored yet"])
        return
    lines = [f"round {board['round']}", (f"{'#':>4}  {'name':<42}  {'logloss':>9}  {'career USD':>12}  "
             f"{'consistency':>11}  {'career NMR':>12}  {'round USD':>11}  {'round NMR':>11}")]
    for row in board["rows"]:
        lines.append(f"{row['rank']:>4}  {(row.get('name') or row['address']):<42}  {_fmt(row['live_logloss'], 6):>9}  "
                     f"{_usd(row['career_usd']):>12}  {_pct(row['consistency']):>11}  {_nmr(row['career_nmr']):>12}  "
                     f"{_usd(row['round_usd']):>11}  {_nmr(row['round_nmr']):>11}")
    _show(ctx, board, lines)


@main.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.pass_context
def results(ctx: click.Context, round_number: int) -> None:
    """Tournament ROUND's results: totals and every participant."""
    page = _client(ctx).round_results(round_number)
    summary = page["round"]
    lines = [
        (f"round {summary['number']}: {summary['status']}; {page['n_participants']} participants, "
        f"{page['n_stakers']} stakers, controlling capital {page['controlling_capital']}"),
        summary.get("status_note") or "",
        (f"pools: {_usd(summary['usd_staking_pool'])} staking pool, {_usd(summary['usd_prize_pool'])} prize pool, "
         f"{_nmr(summary['nmr_pool'])} NMR"),
        (f"USD paid out {_usd(page['usd_paid'])}, NMR paid out {_nmr(page['nmr_paid'])}, "
         f"burned {_nmr(page['burned'])} NMR, staked {from_wei(page['staked_wei'])} NMR, "
         f"resolved {page.get('resolved_at') or '-'}"),
        (f"  {'#':>3}  {'data scientist':<42}  {'live logloss':>12}  {'val. logloss':>12}  {'round USD':>11}  "
         f"{'round NMR':>11}  {'consistency':>11}  why"),
    ]
    for p in page["participants"]:
        lines.append(f"  {p.get('rank') or '-':>3}  {(p.get('name') or p['address']):<42}  "
                     f"{_fmt(p.get('live_logloss'), 6):>12}  {_fmt(p.get('validation_logloss'), 6):>12}  "
                     f"{_usd(p.get('round_usd')):>11}  {_nmr(p.get('round_nmr')):>11}  "
                     f"{_pct(p.get('consistency')):>11}  {p.get('why') or p.get('reason') or '-'}")
    if page.get("published_files"):
        lines.append("published: " + ", ".join(page["published_files"]))
    _show(ctx, page, lines)


@main.command()
@click.option("--address", default=None, help="Another wallet (default: mine).")
@click.pass_context
def balances(ctx: click.Context, address: str | None) -> None:
    """My wallet's balances on chain: Numeraire, USD and ETH (for gas)."""
    client = _client(ctx)
    who = address or client.address
    amounts = client.balances(who)
    _show(ctx, {"address": who, **amounts}, [_balances_line(who, amounts, client.chain().usd_decimals)])


@main.command()
@click.pass_context
def account(ctx: click.Context) -> None:
    """My account as the server sees it: balances, career USD and NMR, and every round's
    stake, burn, round USD, round NMR and why."""
    page = _client(ctx).account()
    chain = page.get("chain") or {}
    lines = [f"account {page['address']}" + (f" ({page['display_name']})" if page.get("display_name") else "")]
    if chain.get("available"):
        lines.append("balances " + _balances_line(page["address"], chain, int(chain.get("usd_decimals") or 6)))
    else:
        lines.append(f"balances: {chain.get('message') or 'unavailable'}")
    lines.append(f"career USD {_usd(page['career_usd'])}, career NMR {_nmr(page['career_nmr'])}")
    for score in page.get("scores") or []:
        lines.append(f"  round {score['round']}: stake {_nmr(score['stake_wei'])} NMR, burned {_nmr(score['burned'])}, "
                     f"round USD {_usd(score['round_usd'])}, round NMR {_nmr(score['round_nmr'])}; "
                     f"why: {score.get('why') or score.get('reason') or '-'}")
    _show(ctx, page, lines)


@main.command()
@click.argument("amount")
@click.option("--confidence", "-c", required=True, help="Your confidence (the 2017 auction's bid; > 0).")
@click.option("--round", "round_number", type=int, default=None, help="Round (default: current).")
@click.option("--hash", "submission_hash", default=None, help="Submission hash (default: the model's current upload).")
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def stake(ctx: click.Context, amount: str, confidence: str, round_number: int | None,
          submission_hash: str | None, model: str | None) -> None:
    """Stake AMOUNT NMR on my model's submission: approve + stake, signed with my local key."""
    receipt = _client(ctx).stake(amount, confidence, round_number, submission_hash, model=model)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    _show(ctx, receipt, [
        (f"staked {from_wei(receipt['amount_wei'])} NMR on round {receipt['round']}{_model_label(chosen)} at "
         f"confidence {from_wei(receipt['confidence_wad'])} (total {from_wei(receipt['total_stake_wei'])} NMR)"),
        f"hash: {receipt['submission_hash']}",
        f"tx: {receipt['tx_hash']} (block {receipt['block']})",
    ])


@main.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def withdraw(ctx: click.Context, round_number: int, model: str | None) -> None:
    """Take back my model's unsettled stake in ROUND after the oracle's deadline (escape hatch)."""
    receipt = _client(ctx).withdraw(round_number, model=model)
    chosen = {"key": receipt["model"], "name": receipt["model_name"], "number": receipt["model_number"]}
    _show(ctx, receipt, [f"withdrew {from_wei(receipt['amount_wei'])} NMR from round {round_number}{_model_label(chosen)}",
                         f"tx: {receipt['tx_hash']} (block {receipt['block']})"])


@main.group(invoke_without_command=True)
@click.option("--address", default=None, help="Another wallet (default: mine).")
@click.pass_context
def models(ctx: click.Context, address: str | None) -> None:
    """My wallet's models (number, name, key); `nmr models add NAME` registers one."""
    if ctx.invoked_subcommand is not None:
        return
    listed = _client(ctx).models(address)
    _show(ctx, {"models": listed}, [f"{'#':>3}  {'name':<42}  key"] + [
        f"{m['number']:>3}  {m['name']!s:<42}  {m['key']}" for m in listed])


@models.command("add")
@click.argument("name")
@click.pass_context
def models_add(ctx: click.Context, name: str) -> None:
    """Register a new model of my wallet named NAME (letters, digits, _ and -)."""
    created = _client(ctx).add_model(name)
    _show(ctx, created, [f"model {created['number']} {created['name']} added: key {created['key']}",
                         f"upload to it: nmr upload FILE --model {created['name']}"])


@main.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.option("--dir", "dest", type=click.Path(file_okay=False), default=None,
              help="Keep the published files here (default: a temporary folder).")
@click.pass_context
def verify(ctx: click.Context, round_number: int, dest: str | None) -> None:
    """Recompute ROUND's scores and settlement from its published files; check the chain."""
    report = _client(ctx).verify(round_number, dest)
    # The round's state on chain: committed (challenge ends in ...), disputed, voided, settled.
    state = getattr(report, "state", "")
    lines = [f"round {round_number}: {state}"] if state else []
    lines += [f"round {round_number}: checked " + ", ".join(report.checked)]
    lines += [f"MISMATCH {m}" for m in report.mismatches]
    lines.append("verified: everything matches the chain" if report.ok else f"{len(report.mismatches)} mismatch(es)")
    _show(ctx, {"ok": report.ok, "state": state, "checked": report.checked, "mismatches": report.mismatches},
          lines)
    if not report.ok:
        ctx.exit(1)


@main.command()
@click.pass_context
def login(ctx: click.Context) -> None:
    """Sign in with my wallet (SIWE) to check the key and the server agree."""
    address = _client(ctx).login()
    _show(ctx, {"address": address}, [f"signed in as {address}"])


@main.group()
def token() -> None:
    """API tokens for scripts."""


@token.command("create")
@click.option("--name", default="", help="A label for the token.")
@click.option("--only-token", is_flag=True, help="Print only the secret (for export NMR_API_TOKEN=$(...)).")
@click.pass_context
def token_create(ctx: click.Context, name: str, only_token: bool) -> None:
    """Create an API token (signed in with my wallet); printed once."""
    created = _client(ctx).create_token(name)
    _show(ctx, created, [created["token"]] if only_token else [
        f"token {created['public_id']} created; it is shown only now:",
        created["token"],
        "use it as: export NMR_API_TOKEN=<token>",
    ])
