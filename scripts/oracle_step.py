"""Shared by the operator's brownie scripts: run one oracle step inside the app.

The scripts read the same configuration as the server (NMR_RPC_URL, NMR_DEPLOYMENTS_FILE,
NMR_ORACLE_PRIVATE_KEY or NMR_ORACLE_KEYSTORE, NMR_DATABASE_URL, NMR_DATA_DIR), so
`brownie run scripts/settle_round.py main 7` settles round 7 exactly as
`flask --app app oracle settle 7` does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from app import create_app
from app.oracle import OPERATOR_ERRORS


def run_step(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls an app.oracle step within an application context; an operator's error is
    printed as one sentence (exit status 1), not a traceback."""
    with create_app().app_context():
        try:
            return step(*args, **kwargs)
        except OPERATOR_ERRORS as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
