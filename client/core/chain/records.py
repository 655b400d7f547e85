"""What the chain says about one stake, as plain data (no web3): the settlement
(:mod:`app.settlement`) and ``verify`` read it without talking to a node."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StakeOnChain:
    """One staker's position in a round (:meth:`client.core.chain.contracts.Chain.stake_records`):
    amount (wei), confidence (WAD), status, the hash their latest Staked event committed
    and ``order``, the position of their first stake (the auction's tie-break)."""

    staker: str
    amount: int
    confidence: int
    status: str
    submission_hash: str
    order: int
