"""From scored files, on-chain stakes and a round's pools to a settlement plan, and from
a plan to the batches the oracle commits (pure: no Flask, no web3).

The oracle (``resolve_round``) and ``verify`` both call :func:`compute_settlement` and
:func:`~client.core.money.batches.committed_batches`, so a verifier holding only the published files recomputes
exactly the batch hashes the oracle committed, before any of them is posted.

Participants are model keys (:mod:`client.core.models`): a stake, a score and a prize
belong to one model of a wallet. The settle entries stay per model; the prize list the
escrow takes is per wallet (:func:`~client.core.money.batches.wallet_prizes`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from client.core.money.build import build_plan
from client.core.money.plan import Plan
from client.core.money.stakes import ParticipantScore, Pools, Stake
from client.core.scoring import RoundScores, score_round_full


@dataclass(frozen=True)
class Settlement:
    """The scores of every submission, each participant's view of them, and the plan.

    ``participant_scores`` is in scoring order (earliest file first), then the stakers
    whose committed hash matched no scored file, as None.
    """

    scores: RoundScores | None
    participant_scores: dict[str, ParticipantScore | None]
    plan: Plan


def pools_on_chain(view: Mapping[str, Any]) -> Pools:
    """The pools the escrow holds for a round (``Chain.round``'s view): the ones that bind,
    for the oracle's plan and for verify's replay alike."""
    return Pools(usd_staking=view["usd_staking_pool"], usd_prize=view["usd_prize_pool"], nmr=view["nmr_pool"])


def compute_settlement(
    tournament: pd.DataFrame,
    live_targets: pd.Series,
    predictions: Mapping[str, pd.Series],
    stakes: Sequence[Stake],
    policy: str,
    pools: Pools,
    names: Mapping[str, str] | None = None,
) -> Settlement:
    """Scores `predictions` (participant -> probabilities by id, earliest first), weighting
    the meta-model by stake, and plans every active stake and the round's prizes under
    `policy` with `pools`; `names` are display names for the reasons. A stake with no
    scored file (its hash matched no accepted file) gets ``None``: returned in full."""
    by_model = {s.model: s for s in stakes}
    scores = None
    if predictions:
        weights = {name: by_model[name].amount for name in predictions if name in by_model}
        scores = score_round_full(tournament, live_targets, dict(predictions), stakes=weights or None)
    summary = scores.summary if scores is not None else pd.DataFrame()
    participant_scores: dict[str, ParticipantScore | None] = {
        name: participant_score(summary.loc[name]) for name in predictions
    }
    for s in stakes:
        participant_scores.setdefault(s.model, None)
    active = [s for s in stakes if s.status == "active"]
    plan = build_plan(policy, active, participant_scores, pools, names=names)
    return Settlement(scores, participant_scores, plan)


def participant_score(row: pd.Series) -> ParticipantScore:
    """The payout's view of one scored submission (a row of client.core.scoring's summary)."""
    similar_to = row.get("similar_to")
    return ParticipantScore(
        live_logloss=float(row["live_logloss"]),
        consistency=float(row["consistency"]),
        original=bool(row["original"]),
        concordant=bool(row["concordant"]),
        corr=float(row["corr"]),
        similar_to=str(similar_to) if isinstance(similar_to, str) else None,
    )
