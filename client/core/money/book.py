"""What every payout policy reads (the round's scores, names and dollar unit) and the
shape of its answer per stake."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from client.core.money.plan import StakeOutcome
from client.core.money.reasons import NO_SCORE
from client.core.money.stakes import ParticipantScore, Stake
from client.core.money.units import format_usd

Scores = Mapping[str, "ParticipantScore | None"]

# A policy's answer per stake: the outcome, and the whole reason line when the stake's own
# reason already says why there is no prize (None: the prize's reason is appended).
Judged = tuple[StakeOutcome, "str | None"]


@dataclass(frozen=True)
class Book:
    """The scores (scoring order), display names and the dollar unit of one round."""

    scores: Scores
    label: Callable[[str], str]
    usd_unit: int

    def usd(self, units: int) -> str:
        """Dollars as a reason writes them: ``$500``, ``$1,267.58``."""
        return format_usd(units, self.usd_unit, cents=False)


def outcome(stake: Stake, reason: str, *, burn: int = 0, usd_reward: int = 0, nmr_reward: int = 0,
            release: bool = False) -> StakeOutcome:
    """The outcome of `stake`: nothing burned or paid unless said."""
    return StakeOutcome(stake.model, stake.amount, burn, usd_reward, nmr_reward, reason, release)


def unscored(stake: Stake) -> Judged:
    """A stake whose hash matched no scored file: returned whole to the wallet (a rolling
    position stops rolling: there was nothing to commit it to), no prize."""
    reason = f"{NO_SCORE}: stake back"
    return outcome(stake, reason, release=True), f"{reason}, no prize"
