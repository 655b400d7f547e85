"""Shared by the operator's brownie scripts: run one oracle step inside the app.

The scripts read the same configuration as the server (NMR_RPC_URL, NMR_DEPLOYMENTS_FILE,
NMR_ORACLE_PRIVATE_KEY or NMR_ORACLE_KEYSTORE, NMR_DATABASE_URL, NMR_DATA_DIR), so
`brownie run scripts/settle_round.py main 7` settles round 7 exactly as
`flask --app app oracle settle 7` does.
"""

from __future__ import annotations

from typing import Any, Callable

from app import create_app


def run_step(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls an app.oracle step within an application context."""
    with create_app().app_context():
        return step(*args, **kwargs)
