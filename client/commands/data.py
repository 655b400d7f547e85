"""Data commands: ``nmr download`` a round's dataset, ``nmr check`` a prediction file with
the server's rules, ``nmr upload`` it (checked first) as one of my models' file (in a
sealed round: sealed, its hash and shape sent) and ``nmr reveal`` a sealed file after
the close."""

from __future__ import annotations

from pathlib import Path

import click

from client.commands.output import (
    MODEL_HELP,
    client_of,
    fmt,
    model_label,
    prediction_file_options,
    show,
)
from client.errors import ValidationFailed


@click.command()
@click.option("--round", "round_number", type=int, default=None, help="Round (default: current).")
@click.option("--format", "file_format", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--dest", type=click.Path(file_okay=False), default=".", show_default=True, help="Folder to write to.")
@click.pass_context
def download(ctx: click.Context, round_number: int | None, file_format: str, dest: str) -> None:
    """Download a round's dataset."""
    path = client_of(ctx).download_dataset(dest, round_number, file_format)
    show(ctx, {"path": str(path), "bytes": path.stat().st_size},
         [f"{path} ({path.stat().st_size:,} bytes)"])


@click.command()
@prediction_file_options
@click.option("--model", default=None, help=MODEL_HELP)
def upload(ctx: click.Context, file: str, round_number: int | None, dataset: str | None, model: str | None) -> None:
    """Check FILE here with the server's rules, then upload it (as my model --model).
    In a sealed round only its hash and shape are sent; reveal it after the close."""
    result = client_of(ctx).upload_predictions(file, round_number, dataset, model=model)
    metrics = result.get("metrics") or {}
    chosen = result.get("model") if isinstance(result.get("model"), dict) else None
    model_option = f" --model {chosen.get('name') or chosen['key']}" if chosen and chosen.get("number") else ""
    sealed = result.get("sealed")
    measured = [
        (f"validation logloss {fmt(metrics.get('validation_logloss'))}, "
         f"consistency {fmt(metrics.get('consistency'), 2)}, corr {fmt(metrics.get('validation_corr'))}"),
    ]
    if sealed:
        measured = [
            (f"sealed: round {result['round']} is sealed, so only this hash and the row count were sent; the file "
             f"stays here ({result.get('record')})"),
            (f"reveal it after the close ({sealed['reveal_from']}) and before {sealed['reveal_until']}: "
             f"nmr reveal {result['round']}"),
        ]
    show(ctx, result, [
        f"{'sealed' if sealed else 'accepted'}: round {result['round']}, {result['rows']:,} rows{model_label(chosen)}",
        f"hash: {result['hash']}",
        *measured,
        *(f"note: {note}" for note in result.get("notes") or []),
        f"stake on it: nmr stake AMOUNT --confidence C --round {result['round']}{model_option}",
    ])


@click.command()
@click.argument("round_number", metavar="[ROUND]", type=int, required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Reveal this file (as --model's) instead of the ones sealed on this machine.")
@click.option("--model", default=None, help=MODEL_HELP)
@click.pass_context
def reveal(ctx: click.Context, round_number: int | None, file: str | None, model: str | None) -> None:
    """Reveal the files sealed on this machine (of ROUND, or of every round) whose round
    has closed on chain."""
    outcomes = client_of(ctx).reveal_predictions(round_number, path=file, model=model)
    lines = [f"round {o['round']} {o['model']}: {o['status']}: {o['message']}" for o in outcomes]
    show(ctx, outcomes, lines or ["nothing to reveal: no file sealed on this machine awaits its reveal"])
    if any(o["status"] == "refused" for o in outcomes):
        raise click.ClickException("the server refused a reveal; see the lines above")


@click.command()
@prediction_file_options
def check(ctx: click.Context, file: str, round_number: int | None, dataset: str | None) -> None:
    """Check FILE with the server's rules without uploading it."""
    result = client_of(ctx).check_predictions(file, round_number, dataset)
    if not result.ok:
        raise ValidationFailed(Path(file).name, result.problems)
    show(ctx, {"ok": True, "hash": result.hash, "rows": result.rows},
         [f"ok: {result.rows:,} rows", f"hash: {result.hash}"])


COMMANDS = (download, upload, reveal, check)
