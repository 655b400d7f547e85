"""The token, the USD stablecoin and the escrow on one chain: :class:`Chain`, built.

A :class:`Chain` holds the three contracts (from a deployments record: the file
``scripts/deploy.py`` writes, a published ``chain.json``, or the server's
``GET /api/v1/chain``) and optionally a local signing key. This module's job is the
connection: the constructors (:meth:`Chain.connect`, :meth:`Chain.read_only`,
:meth:`Chain.from_public_info`), the deployment record, and its public description
(:meth:`Chain.public_info`). The rest is one module a job:

- :mod:`~client.core.chain.reads`: views, balances, stakes and event scans, each scan
  from the deployment block (``from_block``);
- :mod:`~client.core.chain.writes`: each role's transactions (stake, approve, fund,
  create, commit, settle, pay prizes, dispute, rule, finalize).

The escrow keys a stake by (round, wallet, model number); every method takes and gives
the model key of :mod:`client.core.models` instead (the wallet's address for its model
0), so only the chain client splits a key into the two and joins them back from events.
Prizes stay per wallet: :meth:`Chain.pay_prizes` sums a wallet's models' prizes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web3 import Web3

from client.core.chain.abi import ERC20_ABI
from client.core.chain.connection import answering, connect
from client.core.chain.errors import ChainError, ErrorDecoder
from client.core.chain.messages import public_table
from client.core.chain.reads import (
    ROUND_FIELDS,
    SETTLE_GAS_BASE,
    SETTLE_GAS_PER_STAKER,
    STAKE_STATUS,
    ZERO_ADDRESS,
)
from client.core.chain.signing import load_signer
from client.core.chain.transactions import Sending
from client.core.chain.writes import ChainWrites

__all__ = ["ROUND_FIELDS", "SETTLE_GAS_BASE", "SETTLE_GAS_PER_STAKER", "STAKE_STATUS", "USD_DECIMALS_LOCAL",
           "ZERO_ADDRESS", "Chain"]

USD_DECIMALS_LOCAL = 6


class Chain(ChainWrites):
    """The token and escrow contracts on one chain, with an optional signing key whose
    `owner` ("oracle", "funder" or "staker") names it in errors."""

    def __init__(self, w3: Web3, deployments: dict[str, Any], signer: Any | None = None, owner: str = "oracle"):
        self.w3 = w3
        self.deployments = deployments
        self.signer = signer
        self.owner = owner
        # How a write waits for its receipt (the operator's settings on the server).
        self.sending = Sending()
        self.token = w3.eth.contract(
            address=deployments["NumeraireToken"]["address"], abi=deployments["NumeraireToken"]["abi"]
        )
        self.escrow = w3.eth.contract(
            address=deployments["TournamentEscrow"]["address"], abi=deployments["TournamentEscrow"]["abi"]
        )
        usd = deployments["USD"]
        self.usd = w3.eth.contract(address=usd["address"], abi=usd.get("abi") or ERC20_ABI)
        self.usd_decimals = int(usd.get("decimals", USD_DECIMALS_LOCAL))
        self.from_block = int(deployments.get("deployed_at_block", 0))
        self.decoder = ErrorDecoder(self._abis(), self.usd_decimals)

    @classmethod
    def connect(cls, rpc_url: str, deployments_file: str | Path, private_key: str | None = None,
                keystore_file: str | Path | None = None, keystore_password: str | None = None,
                timeout: float = 30, owner: str = "oracle") -> Chain:
        """Connects to `rpc_url` and loads the contracts of a deployments file, signing as
        `owner` with a raw key or a keystore; raises ChainError if it cannot."""
        path = Path(deployments_file)
        if not path.is_file():
            raise ChainError(
                f"no deployments file at {path}: deploy the contracts first "
                "(`make run` does, or `brownie run scripts/deploy.py`), or set NMR_DEPLOYMENTS_FILE"
            )
        deployments = json.loads(path.read_text())
        w3 = connect(rpc_url, deployments.get("chain_id"), record=str(path), timeout=timeout)
        escrow = deployments["TournamentEscrow"]["address"]
        with answering(f"the chain at {rpc_url}"):
            deployed = w3.eth.get_code(escrow)
        if not deployed:
            raise ChainError(f"no escrow contract at {escrow} on {rpc_url}: redeploy")
        return cls(w3, deployments, load_signer(private_key, keystore_file, keystore_password, owner), owner)

    @classmethod
    def read_only(cls, rpc_url: str, deployments: dict[str, Any], timeout: float = 30) -> Chain:
        """A Chain without a key from a deployments record (e.g. a published chain.json)."""
        return cls(connect(rpc_url, deployments["chain_id"], record="the record", timeout=timeout), deployments)

    @classmethod
    def from_public_info(cls, info: dict[str, Any], rpc_url: str | None = None, signer: Any | None = None,
                         private_key: str | None = None, keystore_file: str | Path | None = None,
                         password: str | None = None, timeout: float = 30) -> Chain:
        """A staker's Chain from ``GET /api/v1/chain`` (addresses, ABIs and the deployment
        block its event scans start at), talking to `rpc_url` (default: the one the server
        publishes) and signing with a local key: a `signer` from :func:`load_signer`, a
        raw `private_key` or a `keystore_file`."""
        url = rpc_url or info.get("rpc_url")
        if not url:
            raise ChainError("the server publishes no RPC URL; set one (NMR_RPC_URL)")
        deployments = {"chain_id": int(info["chain_id"]), "deployed_at_block": int(info.get("deployed_at_block") or 0),
                       "treasury": info.get("treasury"), "NumeraireToken": info["token"], "USD": info["usd"],
                       "TournamentEscrow": info["escrow"]}
        w3 = connect(url, deployments["chain_id"], record="the tournament", timeout=timeout)
        if signer is None:
            signer = load_signer(private_key, keystore_file, password, owner="staker")
        return cls(w3, deployments, signer, owner="staker")

    def _abis(self) -> list[list[dict[str, Any]]]:
        return [self.deployments["NumeraireToken"]["abi"], self.deployments["TournamentEscrow"]["abi"], self.usd.abi]

    @property
    def chain_id(self) -> int:
        return int(self.deployments["chain_id"])

    def public_info(self, public_rpc_url: str | None = None) -> dict[str, Any]:
        """What a wallet page or the client needs: chain id, RPC, addresses and ABIs, and
        the revert-message table (``errors``, ``error_formatters``: see
        :mod:`client.core.chain.messages`), the stake statuses ``getStake`` answers, and the
        block the contracts were deployed at (every event scan starts there)."""
        return {
            "chain_id": self.chain_id,
            "rpc_url": public_rpc_url,
            "deployed_at_block": self.from_block,
            "stake_statuses": list(STAKE_STATUS),
            "treasury": self.deployments.get("treasury"),
            "token": {"address": self.token.address, "abi": self.deployments["NumeraireToken"]["abi"]},
            "usd": {"address": self.usd.address, "abi": self.usd.abi, "decimals": self.usd_decimals,
                    "symbol": self.deployments["USD"].get("symbol", "USD")},
            "escrow": {"address": self.escrow.address, "abi": self.deployments["TournamentEscrow"]["abi"]},
            **public_table(self._abis()),
        }
