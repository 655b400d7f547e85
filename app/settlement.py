"""From scored files and on-chain stakes to a settlement plan (pure: no Flask, no web3).

The oracle (``resolve_round``) and ``verify`` both call :func:`compute_settlement`, so a
verifier holding only the published files recomputes exactly what the oracle posted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from app.payout import PlanEntry, StakeEntry, StakerScore, build_plan
from app.scoring import RoundScores, score_round_full


@dataclass(frozen=True)
class StakeOnChain:
    """What the chain says about one stake (see app.chain.StakeRecord)."""

    staker: str
    amount: int
    confidence: int
    status: str
    submission_hash: str
    order: int


@dataclass(frozen=True)
class Settlement:
    """The scores of every submission and the plan for every active stake."""

    scores: RoundScores | None
    staker_scores: dict[str, StakerScore | None]
    plan: list[PlanEntry]


def compute_settlement(
    tournament: pd.DataFrame,
    live_targets: pd.Series,
    predictions: Mapping[str, pd.Series],
    stakes: Sequence[StakeOnChain],
    policy: str,
    budget: int,
) -> Settlement:
    """Scores `predictions` (participant -> probabilities by id, earliest first), weighting
    the meta-model by stake, and plans every active stake under `policy`. A stake with no
    scored file (its hash matched no accepted file) gets ``None``: returned in full."""
    by_staker = {s.staker: s for s in stakes}
    scores = None
    if predictions:
        weights = {name: by_staker[name].amount for name in predictions if name in by_staker}
        scores = score_round_full(tournament, live_targets, dict(predictions), stakes=weights or None)
    summary = scores.summary if scores is not None else pd.DataFrame()
    staker_scores = {
        s.staker: staker_score(summary.loc[s.staker]) if s.staker in summary.index else None for s in stakes
    }
    entries = [StakeEntry(s.staker, s.amount, s.confidence, s.order) for s in stakes if s.status == "active"]
    return Settlement(scores, staker_scores, build_plan(policy, entries, staker_scores, budget))


def staker_score(row: pd.Series) -> StakerScore:
    """The payout policy's view of one scored submission."""
    return StakerScore(
        live_logloss=float(row["live_logloss"]), consistency=float(row["consistency"]),
        original=bool(row["original"]), concordant=bool(row["concordant"]), corr=float(row["corr"]),
    )
