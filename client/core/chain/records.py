"""What the chain says about one stake, as plain data (no web3): the settlement
(:mod:`app.settlement`) and ``verify`` read it without talking to a node."""

from __future__ import annotations

from dataclasses import dataclass

from client.core.models import split_model_key


@dataclass(frozen=True)
class StakeOnChain:
    """One model's position in a round (:meth:`client.core.chain.contracts.Chain.stake_records`):
    ``staker`` is the model key (the wallet's address for its model 0), then amount (wei),
    confidence (WAD), status, the hash its latest Staked event committed and ``order``, the
    position of its first stake (the auction's tie-break)."""

    staker: str
    amount: int
    confidence: int
    status: str
    submission_hash: str
    order: int

    @property
    def address(self) -> str:
        """The wallet that staked."""
        return split_model_key(self.staker)[0]

    @property
    def model(self) -> int:
        """Which of the wallet's models the stake backs (0: its first or only one)."""
        return split_model_key(self.staker)[1]
