"""How models scored and what they earned: ``submissionScores`` (one entry per metric
per scored round, with the round's money), ``accountLeaderboard`` and ``v2Leaderboard``,
``pendingModelPayouts``, ``v2RoundModelPerformances`` and a profile's
``dailyModelPerformances``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from app import reports, store
from app.reports import numerapi as numerapi_reports
from app.web import views
from app.web.graphql.common import (
    PAYOUT_METRIC,
    RESOLVED_STATUSES,
    SETTLED_STATUSES,
    _check_tournament,
    _models,
    _nmr,
    _rounds,
    _signed_in,
    _usd,
    profile_type,
    query,
)
from app.web.numerapi_models import model_of
from client.core.scoring import STORED_METRICS

# numerapi's displayName of a stored metric, where it differs: "logloss" is the live one.
SCORE_NAMES = {"live_logloss": "logloss"}
LOWER_IS_BETTER = frozenset({"live_logloss", "validation_logloss"})
# (displayName, Score attribute, higher is better), in the store's order.
SCORE_METRICS = tuple((SCORE_NAMES.get(field, field), field, field not in LOWER_IS_BETTER) for field in STORED_METRICS)
# The round metrics also kept per era (Score.era_scores), by the era entry's key: each
# era's entries carry the round metric's displayName, so a client reads both alike.
ERA_METRIC_OF = {"live_logloss": "logloss", "corr": "corr", "mmc": "mmc", "fnc": "fnc"}
# (displayName, era entry key, higher is better), in the store's order.
ERA_METRICS = tuple((name, ERA_METRIC_OF[field], higher) for name, field, higher in SCORE_METRICS if field in ERA_METRIC_OF)


@query.field("submissionScores")
def resolve_submission_scores(
    _obj: Any,
    info: GraphQLResolveInfo,
    modelId: str,
    displayName: str | None = None,
    resolved: bool | None = None,
    tournament: int | None = None,
    lastNRounds: int | None = None,
    **_ignored: Any,
) -> list[dict[str, Any]]:
    """One entry per metric per scored round of the model, newest round first.

    Three queries whatever the number of rounds: the model's scores, the rounds, and every
    score of those rounds (for the percentiles)."""
    _check_tournament(tournament)
    scores = store.user_scores(model_of(modelId))
    if lastNRounds is not None:
        scores = scores[:lastNRounds]
    rounds = _rounds(info)
    if resolved is not None:
        scores = [s for s in scores if (rounds[s.round_number].status in RESOLVED_STATUSES) == resolved]
    entries = []
    for score, row, round_scores in _scored_rounds(info, scores):
        money = _money(reports.score_view(score))
        for metric in _metric_scores(score, round_scores, row):
            if displayName is not None and displayName != metric["displayName"]:
                continue
            entries.append(
                {
                    "roundId": str(row.number),
                    "submissionId": str(score.submission_id) if score.submission_id else None,
                    "roundNumber": row.number,
                    "roundResolveTime": views.iso(row.resolves_by),
                    "roundScoreTime": views.iso(row.resolved_at),
                    "roundCloseStakingTime": views.iso(row.closes_at),
                    "resolveDate": views.iso(row.resolved_at),
                    "resolved": row.status in RESOLVED_STATUSES,
                    **metric,
                    **money,
                }
            )
    return entries


def _scored_rounds(info: GraphQLResolveInfo, scores: list[store.Score]) -> list[tuple[store.Score, store.Round, list[store.Score]]]:
    """Each of a model's ``scores`` with its round and every score of that round (for
    percentiles and ranks): two queries whatever the number of rounds."""
    rounds = _rounds(info)
    scores_by_round = store.scores_of_rounds(s.round_number for s in scores)
    return [(score, rounds[score.round_number], scores_by_round[score.round_number]) for score in scores]


def _metric_scores(score: store.Score, round_scores: list[store.Score], row: store.Round) -> list[dict[str, Any]]:
    """One entry per stored metric of a round's score: value, percentile in the round,
    numerapi's displayName and the round's scoring date."""
    entries = []
    for name, attribute, higher_is_better in SCORE_METRICS:
        value = getattr(score, attribute)
        others = [getattr(s, attribute) for s in round_scores if getattr(s, attribute) is not None]
        entries.append({"displayName": name, "value": value, "date": views.iso(row.resolved_at),
                        "percentile": _percentile(value, others, higher_is_better)})
    return entries


def _money(view: dict[str, Any]) -> dict[str, Any]:
    """A score's money and reason in GraphQL field names (dollars and NMR as exact strings)."""
    return {
        "roundUsd": _usd(view["round_usd"]),
        "roundNmr": _nmr(view["round_nmr"]),
        "burnedNmr": _nmr(view["burned"]),
        "stakeNmr": _nmr(view["stake_wei"]),
        "prizeRank": view["prize_rank"],
        "reason": view["reason"],
    }


def _percentile(value: float | None, values: list[float], higher_is_better: bool) -> float | None:
    """Share of the round's scores this one equals or beats (1.0 = best)."""
    if value is None or not values:
        return None
    beaten = sum((v <= value) if higher_is_better else (v >= value) for v in values)
    return beaten / len(values)


@query.field("accountLeaderboard")
def resolve_account_leaderboard(
    _obj: Any, _info: Any, limit: int, offset: int, tournament: int | None = None
) -> list[dict[str, Any]]:
    """The leaderboard of the newest scored round, in Numerai's field names plus ours."""
    _check_tournament(tournament)
    board = reports.leaderboard()
    rows = board["rows"][max(offset, 0) : max(offset, 0) + max(limit, 0)]
    return [
        {
            "rank": r["rank"],
            "username": r["key"],
            "displayName": r["name"],
            "address": r["address"],
            "round": board["round"],
            "nmrStaked": _nmr(r["stake_wei"]),
            "v2Corr20": r["corr"],
            "corrV4": r["corr"],
            "fncV4": r["fnc"],
            "mmc": r["mmc"],
            "liveLogloss": r["live_logloss"],
            "validationLogloss": r["validation_logloss"],
            "consistency": r["consistency"],
            "originality": r["originality"],
            "concordance": r["concordance"],
            "roundNmr": _nmr(r["net_nmr"]),
            "roundUsd": _usd(r["round_usd"]),
            "careerUsd": _usd(r["career_usd"]),
            "careerNmr": _nmr(r["career_nmr"]),
            "reason": r["reason"],
            "returnAllTimeNmr": _nmr(r["career_nmr"]),
        }
        for r in rows
    ]


@query.field("pendingModelPayouts")
def resolve_pending_model_payouts(
    _obj: Any, info: GraphQLResolveInfo, tournament: int | None = None
) -> dict[str, list]:
    """Each of my models' payout per resolved round: settled on chain (``actual``) or still
    to be posted (``pending``); USD as ``payoutValue``, net NMR as ``payoutNmr``. Expired
    rounds paid nothing by plan and are left out."""
    _check_tournament(tournament)
    payouts: dict[str, list] = {"actual": [], "pending": []}
    for model in _models(info, _signed_in("read")):
        _add_payouts(payouts, info, model["key"], model["name"])
    return payouts


def _add_payouts(payouts: dict[str, list], info: GraphQLResolveInfo, key: str, name: str) -> None:
    """Model ``key``'s resolved rounds into ``payouts`` (see :func:`resolve_pending_model_payouts`)."""
    for score in reports.account_results(key)["scores"]:
        if score["round_status"] not in RESOLVED_STATUSES or score["round_status"] == "expired":
            continue  # not scored yet, or never paid (the oracle missed its deadline)
        row = _rounds(info)[score["round"]]
        money = _money(score)
        payouts["actual" if row.status in SETTLED_STATUSES else "pending"].append({
            "roundId": str(row.number),
            "roundNumber": row.number,
            "roundResolveTime": views.iso(row.resolved_at),
            "modelId": key,
            "modelName": name,
            "modelDisplayName": name,
            "payoutNmr": _nmr(score["net_nmr"]),
            "payoutValue": money["roundUsd"],
            "currencySymbol": "$",
            **{field: money[field] for field in ("roundUsd", "roundNmr", "burnedNmr", "reason")},
        })


@query.field("v2RoundModelPerformances")
def resolve_round_model_performances(
    _obj: Any, info: GraphQLResolveInfo, modelId: str, tournament: int
) -> list[dict[str, Any]]:
    """Per scored round of the model (newest first): the stake at risk, every stored
    metric (``submissionScores``), each live era's logloss, CORR, MMC and FNC
    (``intraRoundSubmissionScores``, :func:`_era_scores`), and the round's NMR payout on
    the metric the round pays on, pending until settled on chain."""
    _check_tournament(tournament)
    performances = []
    for score, row, round_scores in _scored_rounds(info, store.user_scores(model_of(modelId))):
        money = _money(reports.score_view(score))
        settled = row.status in SETTLED_STATUSES
        pays_on = PAYOUT_METRIC.get(row.policy)
        metrics = _metric_scores(score, round_scores, row)
        for metric in metrics:
            paid = metric["displayName"] == pays_on and row.status in RESOLVED_STATUSES
            metric.update(day=None, payoutPending=money["roundNmr"] if paid and not settled else None,
                          payoutSettled=money["roundNmr"] if paid and settled else None)
        performances.append({
            "roundNumber": row.number,
            "roundOpenTime": views.iso(row.opened_at),
            "roundResolveTime": views.iso(row.resolves_by),
            "roundResolved": row.status in RESOLVED_STATUSES,
            "roundTarget": "target",
            "roundPayoutFactor": None,  # the auction pays bids and prizes, not a factor
            "atRisk": money["stakeNmr"],
            "payoutMultipliers": [{"id": f"{row.number}-{row.policy}", "scoreConfigId": row.policy, "name": row.policy,
                                   "displayName": pays_on, "multiplier": None}],
            "submissionScores": metrics,
            "intraRoundSubmissionScores": _era_scores(score, round_scores, row),
            **{key: money[key] for key in ("roundUsd", "roundNmr", "burnedNmr", "reason")},
        })
    return performances


def _era_scores(score: store.Score, round_scores: list[store.Score], row: store.Round) -> list[dict[str, Any]]:
    """The round's live eras in order (``day`` 1, 2, ...), each with one entry per
    :data:`ERA_METRICS` metric: its value and percentile among the round's scores of that
    era. A score resolved before the per-era CORR, MMC and FNC were kept has only its
    ``per_era`` logloss (every scored era: which were live was not kept)."""
    date = views.iso(row.resolved_at)
    if score.era_scores is None:
        return [{"date": date, "day": day, "era": era, "displayName": "logloss", "value": value, "percentile": None}
                for day, (era, value) in enumerate((score.per_era or {}).items(), start=1)]  # fmt: skip
    values: dict[tuple[str, str], list[float]] = {}  # (era, metric) -> the round's values
    for other in round_scores:
        for era in other.era_scores or []:
            for _name, metric, _higher in ERA_METRICS:
                if era.get(metric) is not None:
                    values.setdefault((era["era"], metric), []).append(era[metric])
    live = [era for era in score.era_scores if era.get("data_type") == "live"]
    return [
        {"date": date, "day": day, "era": era["era"], "displayName": name, "value": era.get(metric),
         "percentile": _percentile(era.get(metric), values.get((era["era"], metric), []), higher)}
        for day, era in enumerate(live, start=1) for name, metric, higher in ERA_METRICS
    ]  # fmt: skip


@query.field("v2Leaderboard")
def resolve_v2_leaderboard(_obj: Any, _info: Any, limit: int, offset: int) -> list[dict[str, Any]]:
    """The newest scored round's leaderboard with 20-round reputations: ``corr20Rep``,
    ``mmcRep`` and ``fncRep`` are the plain means of CORR, MMC and FNC over the model's
    last 20 scored rounds. TC, BMC, CORJ60, FNC v3 and returns are not computed here (null)."""
    board = reports.leaderboard()
    rows = board["rows"][max(offset, 0) : max(offset, 0) + max(limit, 0)]
    reputation = numerapi_reports.reputations(board["round"]) if rows else {}
    entries = []
    for r in rows:
        rep = reputation.get(r["key"], {})
        entries.append({
            "rank": r["rank"],
            "username": r["key"],
            "displayName": r["name"],
            "nmrStaked": _nmr(r["stake_wei"]),
            "corr20Rep": rep.get("corr"),
            "corr20V2Rep": rep.get("corr"),
            "mmcRep": rep.get("mmc"),
            "fncRep": rep.get("fnc"),
            "team": False,
            "liveLogloss": r["live_logloss"],
            "consistency": r["consistency"],
            "careerUsd": _usd(r["career_usd"]),
            "careerNmr": _nmr(r["career_nmr"]),
        })
    return entries



@profile_type.field("dailyModelPerformances")
def resolve_daily_performances(key: str, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """One entry per scored round, newest first (scores are made once a round, not daily):
    the round's CORR, MMC, FNC and live logloss, each with the model's rank in the round.
    TC and FNC v3 are not computed here (null)."""
    entries = []
    for score, row, others in _scored_rounds(info, store.user_scores(key)):
        entries.append({
            "roundNumber": score.round_number,
            "date": views.iso(row.resolved_at),
            **{f"{metric}Rep": getattr(score, metric) for metric in numerapi_reports.REPUTATION_METRICS},
            **{f"{metric}Rank": numerapi_reports.rank_in_round(key, others, metric)
               for metric in numerapi_reports.REPUTATION_METRICS},
            "logloss": score.live_logloss,
            "loglossRank": numerapi_reports.rank_in_round(key, others, "live_logloss", higher_is_better=False),
        })
    return entries
