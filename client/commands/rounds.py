"""Round commands: ``nmr status`` (the current round, and mine in it), ``nmr leaderboard``,
``nmr results ROUND`` and ``nmr verify ROUND`` (its published files against the chain)."""

from __future__ import annotations

from typing import Any

import click

from client.amounts import from_wei
from client.commands.output import balances_line, client_of, fmt, nmr, pct, show, usd


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """The current round, and my submission, balances and stake when I am identified."""
    client = client_of(ctx)
    identified = bool(client.token or client.has_wallet)
    page = client.current_round(mine=identified)
    current = page.get("round")
    payload: dict[str, Any] = {"round": current, "n_submissions": page.get("n_submissions"),
                               "my_submission": page.get("my_submission")}
    if current is None:
        show(ctx, payload, ["no round yet"])
        return
    lines = [
        (f"round {current['number']}: {current['status']}, closes {current['closes_at']}, "
         f"resolves by {current['resolves_by']}"),
        (f"uploads {'open' if current['accepts_uploads'] else 'closed'}; {page.get('n_submissions', 0)} submissions; "
         f"policy {current['policy']}"),
        (f"pools: {usd(current['usd_staking_pool'])} staking pool, {usd(current['usd_prize_pool'])} and "
         f"{nmr(current['nmr_pool'])} NMR of prizes"),
    ]
    mine = page.get("my_submission")
    if identified:
        lines.append(f"my submission: {mine['hash']} (validation logloss "
                     f"{fmt((mine.get('metrics') or {}).get('validation_logloss'))})" if mine else "my submission: none")
    if client.has_wallet:
        balances = client.balances()
        stake = client.stake_of(current["number"])
        payload.update(address=client.address, balances=balances, stake=stake)
        lines.append("wallet " + balances_line(client.address, balances, client.chain().usd_decimals))
        lines.append(f"my stake: {from_wei(stake['amount'])} NMR at confidence {from_wei(stake['confidence'])} "
                     f"({stake['status']}{', rolling' if stake['rolls'] else ''})" if stake["amount"] else "my stake: none")
        # My other models' positions in this round (model 0's is the line above).
        others = [row for row in client.chain().stakes(client.address)
                  if row["round"] == current["number"] and row["model"]]
        payload["model_stakes"] = others
        lines += [f"my stake on model {row['key']}: {from_wei(row['amount_wei'])} NMR at confidence "
                  f"{row['confidence']} ({row['status']}{', rolling' if row['rolls'] else ''})" for row in others]
    show(ctx, payload, lines)


@click.command()
@click.option("--round", "round_number", type=int, default=None, help="Round (default: newest scored).")
@click.pass_context
def leaderboard(ctx: click.Context, round_number: int | None) -> None:
    """The leaderboard of a scored round."""
    board = client_of(ctx).leaderboard(round_number)
    if board.get("round") is None:
        show(ctx, board, ["no round has been scored yet"])
        return
    lines = [f"round {board['round']}", (f"{'#':>4}  {'name':<42}  {'logloss':>9}  {'career USD':>12}  "
             f"{'consistency':>11}  {'career NMR':>12}  {'round USD':>11}  {'round NMR':>11}")]
    for row in board["rows"]:
        lines.append(f"{row['rank']:>4}  {(row.get('name') or row['address']):<42}  {fmt(row['live_logloss'], 6):>9}  "
                     f"{usd(row['career_usd']):>12}  {pct(row['consistency']):>11}  {nmr(row['career_nmr']):>12}  "
                     f"{usd(row['round_usd']):>11}  {nmr(row['round_nmr']):>11}")
    show(ctx, board, lines)


@click.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.pass_context
def results(ctx: click.Context, round_number: int) -> None:
    """Tournament ROUND's results: totals and every participant."""
    page = client_of(ctx).round_results(round_number)
    summary = page["round"]
    lines = [
        (f"round {summary['number']}: {summary['status']}; {page['n_participants']} participants, "
         f"{page['n_stakers']} stakers, controlling capital {page['controlling_capital']}"),
        summary.get("status_note") or "",
        (f"pools: {usd(summary['usd_staking_pool'])} staking pool, {usd(summary['usd_prize_pool'])} prize pool, "
         f"{nmr(summary['nmr_pool'])} NMR"),
        (f"USD paid out {usd(page['usd_paid'])}, NMR paid out {nmr(page['nmr_paid'])}, "
         f"burned {nmr(page['burned'])} NMR, staked {from_wei(page['staked_wei'])} NMR, "
         f"resolved {page.get('resolved_at') or '-'}"),
        (f"  {'#':>3}  {'data scientist':<42}  {'live logloss':>12}  {'val. logloss':>12}  {'round USD':>11}  "
         f"{'round NMR':>11}  {'consistency':>11}  why"),
    ]
    for p in page["participants"]:
        lines.append(f"  {p.get('rank') or '-':>3}  {(p.get('name') or p['address']):<42}  "
                     f"{fmt(p.get('live_logloss'), 6):>12}  {fmt(p.get('validation_logloss'), 6):>12}  "
                     f"{usd(p.get('round_usd')):>11}  {nmr(p.get('round_nmr')):>11}  "
                     f"{pct(p.get('consistency')):>11}  {p.get('why') or p.get('reason') or '-'}")
    if page.get("published_files"):
        lines.append("published: " + ", ".join(page["published_files"]))
    show(ctx, page, lines)


@click.command()
@click.argument("round_number", metavar="ROUND", type=int)
@click.option("--dir", "dest", type=click.Path(file_okay=False), default=None,
              help="Keep the published files here (default: a temporary folder).")
@click.pass_context
def verify(ctx: click.Context, round_number: int, dest: str | None) -> None:
    """Recompute ROUND's scores and settlement from its published files; check the chain."""
    report = client_of(ctx).verify(round_number, dest)
    # The round's state on chain: committed (challenge ends in ...), disputed, voided, settled.
    state = getattr(report, "state", "")
    lines = [f"round {round_number}: {state}"] if state else []
    lines += [f"round {round_number}: checked " + ", ".join(report.checked)]
    lines += [f"MISMATCH {m}" for m in report.mismatches]
    lines.append("verified: everything matches the chain" if report.ok else f"{len(report.mismatches)} mismatch(es)")
    show(ctx, {"ok": report.ok, "state": state, "checked": report.checked, "mismatches": report.mismatches},
         lines)
    if not report.ok:
        ctx.exit(1)


COMMANDS = (status, leaderboard, results, verify)
