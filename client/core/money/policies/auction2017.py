"""The 2017 whitepaper's confidence auction, paid in USD (section 3.3).

A stake is a bid: ``s`` NMR at confidence ``c`` (WAD: 10**18 == 1.0 NMR per dollar) asks
``s / c`` dollars. Eligible stakes (original, concordant, consistency >=
``consistency_threshold``, finite live logloss) are ranked by confidence, highest first,
ties to the earlier stake. Walking down while the USD staking pool lasts: live logloss <
ln 2 -> stake back + ``min(bid, pool left)`` dollars; otherwise the whole stake is burned
and nothing is taken from the pool. Once the pool is depleted nobody else earns or loses:
stakes below, and ineligible stakes, come back with no prize.
"""

from __future__ import annotations

from client.core.money.book import Book, Judged, outcome, unscored
from client.core.money.reasons import causes
from client.core.money.rules import CONSISTENCY_THRESHOLD, beats_coin_flip
from client.core.money.stakes import Pools, Stake


def auction2017(
    stakes: list[Stake],
    book: Book,
    pools: Pools,
    *,
    consistency_threshold: float = CONSISTENCY_THRESHOLD,
) -> list[Judged]:
    """The auction's outcome of every stake (``stakes`` in stake order)."""
    judged: dict[str, Judged] = {}
    eligible = []
    for stake in stakes:
        score = book.scores.get(stake.model)
        if score is None:
            judged[stake.model] = unscored(stake)
        elif found := causes(score, consistency_threshold, book.label):
            reason = f"{'; '.join(found)}; stake back"
            judged[stake.model] = (outcome(stake, reason), f"{reason}, no prize")
        else:
            eligible.append(stake)
    left = pools.usd_staking
    for stake in sorted(eligible, key=lambda s: (-s.confidence, s.order, s.model)):
        logloss = book.scores[stake.model].live_logloss
        if pools.usd_staking == 0:
            judged[stake.model] = (outcome(stake, "no USD staking pool this round: stake back"), None)
        elif left == 0:
            judged[stake.model] = (outcome(stake, "below the pool cut: stake back"), None)
        elif bool(beats_coin_flip(logloss)):
            bid = stake.amount * book.usd_unit // stake.confidence
            reward = min(bid, left)
            left -= reward
            reason = f"in the money: stake back + {book.usd(reward)}"
            if reward < bid:
                reason += f" (bid {book.usd(bid)}, pool exhausted)"
            judged[stake.model] = (outcome(stake, reason, usd_reward=reward), None)
        else:
            reason = f"burned: live logloss {logloss:.4f} >= ln 2"
            judged[stake.model] = (outcome(stake, reason, burn=stake.amount), f"{reason}; no prize")
    return [judged[s.model] for s in stakes]
