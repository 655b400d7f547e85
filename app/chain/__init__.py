"""The server's binding of the shared chain client (:mod:`client.core.chain`), in the
flaskr ``db.py`` shape: ``init_app(app)`` registers ``app.extensions["chain"]``, a
:class:`LazyChain` that connects with the oracle's key from config on first use, and
:func:`get_chain` returns it inside an application context. Deployment is
:mod:`app.chain.deploy`. Everything else (the Chain class, errors, signing) is imported
from the core directly.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError


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
        return self._chain

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def init_app(app: Any) -> None:
    """Registers ``app.extensions["chain"]`` (lazy)."""
    app.extensions["chain"] = LazyChain(app.config)


def get_chain() -> Chain:
    """The app's chain (inside an application context)."""
    return current_app.extensions["chain"].get()


def round_chain_state(number: int, disputes: bool = True) -> dict[str, Any] | None:
    """Round `number` as the escrow holds it, for the pages and the API; None when the
    chain does not answer (the pages still render, saying so).

    ``state`` in words; the figures the escrow counts as tokens move: ``usd_paid`` (the
    staking auction's and the prizes' dollars), ``nmr_paid`` (rewards, prizes and a
    disputer's reward), ``burned``, ``n_stakers`` and ``staked_wei`` (every position, as
    stakes arrive); ``disputed`` (ever: the disputer stays named after a ruling),
    ``dispute_open``, ``voided``; with `disputes`, ``dispute`` is the dispute's record:
    who, the bond, the ruling, the reward and both transactions."""
    from client.core.money.settlement import round_state

    try:
        chain = get_chain()
        view = chain.round(number)
        now = chain.now()
        ever_disputed = int(view["disputer"], 16) != 0
        dispute = _dispute_record(chain, number) if disputes and ever_disputed else None
    except (ChainError, KeyError):  # no chain configured, or the node is down
        return None
    return {"state": round_state(view, now), "exists": view["exists"], "committed": view["committed"],
            "challenge_ends_at": view["challenge_ends_at"] or None, "disputed": ever_disputed,
            "dispute_open": view["disputed"], "disputer": view["disputer"] if ever_disputed else None,
            "voided": view["voided"], "finalized": view["finalized"],
            "dataset_digest": view["dataset_digest"], "results_digest": view["results_digest"],
            "usd_paid": view["usd_staking_paid"] + view["usd_prize_paid"], "nmr_paid": view["nmr_paid"],
            "burned": view["total_burned"], "n_stakers": view["staker_count"], "staked_wei": view["total_staked"],
            "dispute": dispute}


def _dispute_record(chain: Chain, number: int) -> dict[str, Any]:
    """The round's dispute from its events: disputer, bond, ruling and reward (NMR wei)."""
    record: dict[str, Any] = {"disputer": None, "bond": chain.dispute_bond(), "disputed_tx": None,
                              "ruling": "awaiting the guardian's ruling", "upheld": None, "reward": 0, "ruling_tx": None}
    for event in chain.dispute_records(number):
        if event["event"] == "disputed":
            record.update(disputer=event["disputer"], disputed_tx=event["tx_hash"])
        else:
            record.update(upheld=event["upheld"], reward=event["reward"], ruling_tx=event["tx_hash"],
                          ruling="upheld: the round is void, the bond back with a reward from the NMR pool"
                          if event["upheld"] else "rejected: the bond was burned")
    return record
