"""What a plan is made from: the round's stakes, the scores they are judged on, and the
pools, as plain typed records (no web3, no pandas)."""

from __future__ import annotations

from dataclasses import dataclass

from client.core.models import split_model_key


def is_uint(value: object) -> bool:
    """A non-negative int that is not a bool: the only thing an amount may be."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class Stake:
    """One model's position in a round, as the chain holds it
    (:meth:`client.core.chain.contracts.Chain.stake_records`).

    ``model`` is the model key (the wallet's address for its model 0, ``<address>-<n>``
    for its model n); ``amount`` in wei; ``confidence`` in WAD (a uint64 on chain:
    1 .. 2**64 - 1); ``order`` smaller for earlier stakes (block number * 10**6 + log
    index: the auction's tie-break); ``status`` active, withdrawn or settled; the hash
    its latest Staked event committed.
    """

    model: str
    amount: int
    confidence: int
    order: int
    status: str = "active"
    submission_hash: str = ""

    @property
    def wallet(self) -> str:
        """The wallet that staked."""
        return split_model_key(self.model)[0]

    @property
    def model_number(self) -> int:
        """Which of the wallet's models the stake backs (0: its first or only one)."""
        return split_model_key(self.model)[1]


@dataclass(frozen=True)
class Pools:
    """A round's three pools, funded in advance: USD units, USD units, NMR wei."""

    usd_staking: int
    usd_prize: int
    nmr: int

    def __post_init__(self) -> None:
        for name in ("usd_staking", "usd_prize", "nmr"):
            value = getattr(self, name)
            if not is_uint(value):
                raise ValueError(f"the {name} pool must be a non-negative int in token units, got {value!r}")


@dataclass(frozen=True)
class ParticipantScore:
    """The scores of the file a participant is judged on (a row of the scoring summary).

    ``similar_to`` is the participant whose earlier file made this one unoriginal.
    """

    live_logloss: float
    consistency: float
    original: bool
    concordant: bool
    corr: float
    similar_to: str | None = None
