"""The server's binding of the shared chain client (:mod:`client.core.chain`), in the
flaskr ``db.py`` shape: ``init_app(app)`` registers ``app.extensions["chain"]``, a
:class:`LazyChain` that connects with the oracle's key from config on first use, and
:func:`get_chain` returns it inside an application context. Deployment is
:mod:`app.chain.deploy`; the pages' and the API's reads, with their one failure policy,
:mod:`app.chain.reads`. Everything else (the Chain class, errors, signing) is imported
from the core directly.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from client.core.chain.contracts import Chain


def _log_chain(line: str) -> None:
    logging.getLogger("app.chain").warning(line)


class LazyChain:
    """Connects on first use, so the app starts (and pages render) while the node is down."""

    def __init__(self, config: dict):
        self._config = config
        self._chain: Chain | None = None

    def get(self) -> Chain:
        """The connected Chain, signing with the oracle's key (a ChainError if it cannot)."""
        if self._chain is None:
            self._chain = Chain.connect(
                self._config["RPC_URL"],
                self._config["DEPLOYMENTS_FILE"],
                private_key=self._config.get("ORACLE_PRIVATE_KEY") or None,
                keystore_file=self._config.get("ORACLE_KEYSTORE") or None,
                keystore_password=self._config.get("ORACLE_KEYSTORE_PASSWORD") or None,
                owner="oracle",
            )
        # Read at each use: the operator's settings hold from the next step on.
        config, sending = self._config, self._chain.sending
        sending.receipt_timeout = float(config.get("RECEIPT_TIMEOUT_SECONDS", 120))
        sending.confirmations = max(1, int(config.get("CONFIRMATIONS", 1)))
        cap = config.get("MAX_FEE_GWEI")
        sending.max_fee_gwei = float(cap) if cap not in (None, "") else None
        sending.stuck_after = float(config.get("STUCK_SECONDS", 20))
        sending.say = _log_chain  # a journaled step hears it in its report instead (app.oracle.journal)
        return self._chain

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def init_app(app: Any) -> None:
    """Registers ``app.extensions["chain"]`` (lazy)."""
    app.extensions["chain"] = LazyChain(app.config)


def get_chain() -> Chain:
    """The app's chain (inside an application context)."""
    return current_app.extensions["chain"].get()
