"""``nmr``: the tournament from a shell (``python -m client`` or ``bin/nmr``).

Configuration comes from the environment (options win): ``NMR_API_URL`` (the server,
default http://127.0.0.1:8000), ``NMR_API_TOKEN`` (an API token), ``NMR_PRIVATE_KEY`` or
``NMR_KEYSTORE`` (a keystore file; its password from ``NMR_KEYSTORE_PASSWORD`` or a
prompt), ``NMR_RPC_URL`` (override the chain RPC the server publishes) and
``NMR_SEALED_DIR`` (where sealed files wait for their reveal, default ~/.nmr/sealed).
Keys sign here; only signatures and signed transactions leave this machine.

A wallet may run several models (``nmr models``, ``nmr models add NAME``); ``upload``,
``stake`` and ``withdraw`` take ``--model NAME`` (a model's name or key; default the
wallet's first model, so a single-model wallet never names one).

This module's job is the entry point (``client.cli:main``): the ``main`` group, its
options, the client it builds, and every failure turned into one message and exit status
1. The commands themselves live in :mod:`client.commands`, one module per group.
"""

from __future__ import annotations

import os
from typing import Any

import click

from client.api import NumeraireClient
from client.commands import account, data, rounds, staking
from client.errors import NumeraireError
from client.settings import DEFAULT_API_URL


def _prompt_password() -> str:
    return click.prompt("keystore password", hide_input=True, err=True)


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
        rpc_url=rpc_url, progress=not quiet and not as_json, sealed_dir=os.environ.get("NMR_SEALED_DIR"),
    )


for _command in (*data.COMMANDS, *staking.COMMANDS, *account.COMMANDS, *rounds.COMMANDS):
    main.add_command(_command)
