"""The Rules page's view model: the current round's actual parameters and worked examples.

Every number on the page comes from the code that pays the round: the thresholds from
:mod:`client.core.money` and :mod:`client.core.scoring`, the pools and deadlines from the round's row
(copied from the escrow when it was funded), the whitepaper's auction example computed by
:func:`client.core.money.build.build_plan` itself and the prize table by
:func:`client.core.money.prizes.prize_shares`, the sealed rounds' example hashed by
:func:`client.core.predictions.canonical_hash`, and the rolling stake's three rounds each
paid by :func:`client.core.money.build.build_plan`.
So the rules a participant reads cannot drift from the rules that pay them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from app import store
from app.schedule import moment_text
from app.web.views import DECIMALS, round_summary
from client.core.money.build import build_plan
from client.core.money.policies import CORR_CAP, CORR_MULTIPLIER
from client.core.money.prizes import PRIZE_EXPONENT, PRIZE_TOP, prize_shares
from client.core.money.rules import CONSISTENCY_THRESHOLD, LN2
from client.core.money.stakes import ParticipantScore, Pools, Stake
from client.core.money.units import NMR, USD_UNIT, WAD, NmrAmount, UsdAmount
from client.core.predictions import canonical_hash, canonical_text, unrevealed_reason
from client.core.scoring.concordance import CONCORDANCE_LIMIT, N_CLUSTERS
from client.core.scoring.originality import CORRELATION_LIMIT, KS_LIMIT

# The 2017 whitepaper's worked auction (section 3.3): pool $3,000; (name, confidence, NMR
# staked, live logloss below ln 2).
WHITEPAPER_POOL = 3_000 * USD_UNIT
WHITEPAPER_BIDS = (
    ("WSW", "5", 10_000, False),
    ("XIRAX", "4", 2_000, True),
    ("PHIL", "1.5", 3_000, True),
    ("DAENRIS", "1", 5_000, False),
    ("ABRIOSI", "0.5", 300, True),
)
# The 2017 article's "Tournament 56 Results": the pools its six rows follow from.
ARTICLE_POOLS = Pools(usd_staking=0, usd_prize=3_603_030_000, nmr=14_412_130 * NMR // 1000)
PRIZE_TABLE_RANKS = (1, 2, 3, 4, 5, 6, 10, 50, 100)


def whitepaper_auction() -> list[dict[str, Any]]:
    """The whitepaper's example paid by our auction: one row per bid, highest confidence
    first, with the bid (s / c dollars), the outcome and the policy's own reason line."""
    good, bad = 0.69, 0.70  # live loglosses either side of ln 2
    stakes = [
        Stake(name, staked * NMR, int(Decimal(confidence) * WAD), order)
        for order, (name, confidence, staked, _) in enumerate(WHITEPAPER_BIDS)
    ]
    scores = {
        name: ParticipantScore(live_logloss=good if beats else bad, consistency=1.0, original=True,
                               concordant=True, corr=0.0)
        for name, _, _, beats in WHITEPAPER_BIDS
    }
    plan = build_plan("auction2017", stakes, scores, Pools(WHITEPAPER_POOL, 0, 0))
    rows = []
    for (name, confidence, staked, beats), stake, outcome in zip(WHITEPAPER_BIDS, stakes, plan.stakes, strict=True):
        rows.append({
            "name": name,
            "confidence": confidence,
            "stake_wei": NmrAmount(stake.amount),
            "bid_usd": UsdAmount(stake.amount * USD_UNIT // stake.confidence),
            "live_logloss": scores[name].live_logloss,
            "beats_ln2": beats,
            "burn_wei": NmrAmount(outcome.burn),
            "usd_reward": UsdAmount(outcome.usd_reward),
            "reason": outcome.reason,
        })
    return rows


def prize_table(pools: Pools | None) -> list[dict[str, Any]]:
    """Rank, share of the pools, and the prizes of selected ranks under this round's pools
    (``pools``; None without a round) and the article's Tournament 56."""
    shares = prize_shares(PRIZE_TOP, PRIZE_EXPONENT)

    def cut(pool: int, rank: int) -> int:
        share = shares[rank - 1]
        return pool * share.numerator // share.denominator

    return [
        {
            "rank": rank,
            "share_percent": f"{float(shares[rank - 1]) * 100:.3f}%",
            "prize_usd": UsdAmount(cut(pools.usd_prize, rank)) if pools else None,
            "prize_nmr": NmrAmount(cut(pools.nmr, rank)) if pools else None,
            "article_usd": UsdAmount(cut(ARTICLE_POOLS.usd_prize, rank)),
            "article_nmr": NmrAmount(cut(ARTICLE_POOLS.nmr, rank)),
        }
        for rank in PRIZE_TABLE_RANKS
    ]


# The Sealed rounds section's example: a three-row file, its hash, and two stakes on sealed
# files of $3,000's auction, one revealed (live logloss under ln 2), one never revealed.
SEALED_FILE = (("n3", 0.52), ("n1", 0.4871234), ("n2", 0.61))
SEALED_STAKES = (("ALICE", "0.5", 100, True), ("BOB", "0.5", 100, False))


def sealed_example(row: store.Round | None) -> dict[str, Any]:
    """The Sealed rounds section: a file's canonical text and the hash its owner commits
    to (:func:`client.core.predictions.canonical_hash`), the same file one digit off (a
    reveal the server refuses), and the auction paying a revealed stake and returning an
    unrevealed one (the plan's own outcomes), with the reason the results page gives."""
    frame = pd.DataFrame(SEALED_FILE, columns=["id", "probability"])
    changed = frame.assign(probability=frame["probability"].where(frame["id"] != "n2", 0.610001))
    stakes = [Stake(name, staked * NMR, int(Decimal(confidence) * WAD), order)
              for order, (name, confidence, staked, _) in enumerate(SEALED_STAKES)]
    revealed = ParticipantScore(live_logloss=0.69, consistency=1.0, original=True, concordant=True, corr=0.0)
    scores = {name: revealed if shown else None for name, _, _, shown in SEALED_STAKES}
    plan = build_plan("auction2017", stakes, scores, Pools(WHITEPAPER_POOL, 0, 0))
    deadline = moment_text(row.reveal_until) if row is not None and row.reveal_until else "the reveal deadline"
    return {
        "text": canonical_text(frame).decode(),
        "hash": canonical_hash(frame),
        "rows": len(frame),
        "changed_hash": canonical_hash(changed),
        "rows_table": [
            {"name": name, "revealed": shown, "stake_wei": NmrAmount(outcome.stake), "burn_wei": NmrAmount(outcome.burn),
             "usd_reward": UsdAmount(outcome.usd_reward),
             "reason": outcome.reason if shown else unrevealed_reason(deadline)}
            for (name, _, _, shown), outcome in zip(SEALED_STAKES, plan.stakes, strict=True)
        ],
    }


# The Rolling stakes section's example: 100 NMR staked once, on rolling, through three corr
# rounds whose NMR pools cover any reward; each round's live CORR, None for no file by the
# close. The live logloss is left at 0.70 (not below ln 2) so that no prize, which would go
# to the wallet anyway, crowds the example.
ROLLING_STAKE = 100 * NMR
ROLLING_CORRS = (0.1, -0.3, None)
ROLLING_POOLS = Pools(0, 0, 1_000 * NMR)


def rolling_example() -> dict[str, Any]:
    """The Rolling stakes section: each round's plan judges what the round before kept
    (stake - burn + NMR reward), which rolls on as the escrow's settle moves it: unless the
    plan releases the stake (no file scored) or nothing is kept, it goes to the wallet."""
    rows, amount, back = [], ROLLING_STAKE, 0
    for number, corr in enumerate(ROLLING_CORRS, start=1):
        score = None if corr is None else ParticipantScore(live_logloss=0.70, consistency=1.0, original=True,
                                                           concordant=True, corr=corr)
        plan = build_plan("corr", [Stake("ALICE", amount, WAD, 0)], {"ALICE": score}, ROLLING_POOLS,
                          multiplier=CORR_MULTIPLIER, cap=CORR_CAP)
        [outcome] = plan.stakes
        kept = outcome.stake - outcome.burn + outcome.nmr_reward
        rolls = kept != 0 and not outcome.release
        rows.append({"round": number, "corr": corr, "stake_wei": NmrAmount(outcome.stake),
                     "burn_wei": NmrAmount(outcome.burn), "nmr_reward_wei": NmrAmount(outcome.nmr_reward),
                     "kept_wei": NmrAmount(kept), "rolls_into": number + 1 if rolls else None, "reason": outcome.reason})
        if not rolls:
            back = kept
            break
        amount = kept
    return {"staked_wei": NmrAmount(ROLLING_STAKE), "nmr_pool_wei": NmrAmount(ROLLING_POOLS.nmr),
            "back_wei": NmrAmount(back), "rows": rows}


def rules_page() -> dict[str, Any]:
    """The rules with the current round's parameters (``round`` is None before the first
    round): pools, deadlines, policy, every threshold, the worked auction and the prizes,
    and the sealed and rolling examples."""
    row = store.current_round()
    pools = Pools(row.usd_staking_pool or 0, row.usd_prize_pool or 0, row.nmr_pool or 0) if row else None
    weight_sum = sum(rank ** -PRIZE_EXPONENT for rank in range(1, PRIZE_TOP + 1))
    return {
        "round": round_summary(row) if row else None,
        "decimals": DECIMALS,
        "thresholds": {
            "consistency": CONSISTENCY_THRESHOLD,
            "ln2": LN2,
            "originality_correlation": CORRELATION_LIMIT,
            "originality_ks": KS_LIMIT,
            "concordance_clusters": N_CLUSTERS,
            "concordance_ks": CONCORDANCE_LIMIT,
        },
        "prizes": {
            "top": PRIZE_TOP,
            "exponent": PRIZE_EXPONENT,
            "weight_sum": f"{weight_sum:.6f}",
            "table": prize_table(pools),
            "article_usd_pool": UsdAmount(ARTICLE_POOLS.usd_prize),
            "article_nmr_pool": NmrAmount(ARTICLE_POOLS.nmr),
        },
        "corr": {"multiplier": CORR_MULTIPLIER, "cap": CORR_CAP},
        "example": {"pool_usd": UsdAmount(WHITEPAPER_POOL), "rows": whitepaper_auction()},
        "sealed": sealed_example(row),
        "rolling": rolling_example(),
    }
