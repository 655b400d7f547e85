"""Account commands: ``nmr account`` (my account as the server sees it), ``nmr models``
(list, ``add NAME``), ``nmr login`` (Sign-In with Ethereum) and ``nmr token create``."""

from __future__ import annotations

import click

from client.commands.output import balances_line, client_of, nmr, show, usd


@click.command()
@click.pass_context
def account(ctx: click.Context) -> None:
    """My account as the server sees it: balances, career USD and NMR, and every round's
    stake, burn, round USD, round NMR and why."""
    page = client_of(ctx).account()
    chain = page.get("chain") or {}
    lines = [f"account {page['address']}" + (f" ({page['display_name']})" if page.get("display_name") else "")]
    if chain.get("available"):
        lines.append("balances " + balances_line(page["address"], chain, int(chain.get("usd_decimals") or 6)))
    else:
        lines.append(f"balances: {chain.get('message') or 'unavailable'}")
    lines.append(f"career USD {usd(page['career_usd'])}, career NMR {nmr(page['career_nmr'])}")
    for score in page.get("scores") or []:
        lines.append(f"  round {score['round']}: stake {nmr(score['stake_wei'])} NMR, burned {nmr(score['burned'])}, "
                     f"round USD {usd(score['round_usd'])}, round NMR {nmr(score['round_nmr'])}; "
                     f"why: {score.get('why') or score.get('reason') or '-'}")
    show(ctx, page, lines)


@click.group(invoke_without_command=True)
@click.option("--address", default=None, help="Another wallet (default: mine).")
@click.pass_context
def models(ctx: click.Context, address: str | None) -> None:
    """My wallet's models (number, name, key); `nmr models add NAME` registers one."""
    if ctx.invoked_subcommand is not None:
        return
    listed = client_of(ctx).models(address)
    show(ctx, {"models": listed}, [f"{'#':>3}  {'name':<42}  key"] + [
        f"{m['number']:>3}  {m['name']!s:<42}  {m['key']}" for m in listed])


@models.command("add")
@click.argument("name")
@click.pass_context
def models_add(ctx: click.Context, name: str) -> None:
    """Register a new model of my wallet named NAME (letters, digits, _ and -)."""
    created = client_of(ctx).add_model(name)
    show(ctx, created, [f"model {created['number']} {created['name']} added: key {created['key']}",
                        f"upload to it: nmr upload FILE --model {created['name']}"])


@click.command()
@click.pass_context
def login(ctx: click.Context) -> None:
    """Sign in with my wallet (SIWE) to check the key and the server agree."""
    address = client_of(ctx).login()
    show(ctx, {"address": address}, [f"signed in as {address}"])


@click.group()
def token() -> None:
    """API tokens for scripts."""


@token.command("create")
@click.option("--name", default="", help="A label for the token.")
@click.option("--only-token", is_flag=True, help="Print only the secret (for export NMR_API_TOKEN=$(...)).")
@click.pass_context
def token_create(ctx: click.Context, name: str, only_token: bool) -> None:
    """Create an API token (signed in with my wallet); printed once."""
    created = client_of(ctx).create_token(name)
    show(ctx, created, [created["token"]] if only_token else [
        f"token {created['public_id']} created; it is shown only now:",
        created["token"],
        "use it as: export NMR_API_TOKEN=<token>",
    ])


COMMANDS = (account, models, login, token)
