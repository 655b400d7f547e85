"""The rounds and their data: ``listDatasets``, ``dataset``, ``rounds``, the Round
fields (times, status, pools) and each round's ``roundScoreConfigs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import url_for

from app import store
from app.errors import ApiError
from app.web import views
from app.web.graphql.common import (
    PAYOUT_METRIC,
    RESOLVED_STATUSES,
    SETTLED_STATUSES,
    _check_tournament,
    _nmr,
    _round_or_current,
    _usd,
    query,
    round_type,
)
from app.web.graphql.rules import TOURNAMENT


@query.field("listDatasets")
def resolve_list_datasets(_obj: Any, _info: Any, round: int | None = None, tournament: int | None = None) -> list[str]:
    """The round's dataset file names (default the current round)."""
    _check_tournament(tournament)
    return [Path(p).name for p in _dataset_files(_round_or_current(round)).values()]


@query.field("dataset")
def resolve_dataset(
    _obj: Any, _info: Any, filename: str, round: int | None = None, tournament: int | None = None
) -> str:
    """The URL serving dataset file ``filename`` of the round (default the current round)."""
    _check_tournament(tournament)
    row = _round_or_current(round)
    for file_format, path in _dataset_files(row).items():
        if Path(path).name == filename:
            return url_for("api.dataset", number=row.number, file_format=file_format, _external=True)
    names = ", ".join(Path(p).name for p in _dataset_files(row).values()) or "none"
    raise ApiError(404, f"round {row.number} has no dataset {filename!r}; listDatasets lists {names}")


def _dataset_files(row: store.Round) -> dict[str, str]:
    """The round's dataset paths by format (only those it has)."""
    paths = {"csv": row.dataset_csv_path, "parquet": row.dataset_parquet_path}
    return {file_format: path for file_format, path in paths.items() if path}


@query.field("rounds")
def resolve_rounds(
    _obj: Any,
    _info: Any,
    tournament: int | None = None,
    number: int | None = None,
    target: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[store.Round | None]:
    """Rounds, newest first; ``number: 0`` is the current round (``[null]`` when none)."""
    _check_tournament(tournament)
    if number == 0:
        return [store.current_round()]
    rows = store.list_rounds() if number is None else [r for r in [store.get_round(number)] if r]
    if target not in (None, "target"):
        rows = []
    if status is not None:
        rows = [r for r in rows if _round_status(r) == status]
    return rows[:limit] if limit is not None else rows


def _round_status(row: store.Round) -> str:
    """Numerai's RoundStatus for one of our rounds."""
    if row.accepts_uploads():
        return "OPEN"
    return "RESOLVED" if row.status in RESOLVED_STATUSES else "RESOLVING"


@round_type.field("id")
def resolve_round_id(row: store.Round, _info: Any) -> str:
    return str(row.number)


round_type.set_field("tournament", lambda _row, _info: TOURNAMENT)
round_type.set_field("target", lambda _row, _info: "target")
round_type.set_field("openTime", lambda row, _info: views.iso(row.opened_at))
round_type.set_field("closeTime", lambda row, _info: views.iso(row.closes_at))
round_type.set_field("closeStakingTime", lambda row, _info: views.iso(row.closes_at))
round_type.set_field("scoreTime", lambda row, _info: views.iso(row.resolved_at))
round_type.set_field("resolveTime", lambda row, _info: views.iso(row.resolves_by))
round_type.set_field("resolvedGeneral", lambda row, _info: row.status in RESOLVED_STATUSES)
round_type.set_field("resolvedStaking", lambda row, _info: row.status in SETTLED_STATUSES)
round_type.set_field("rewardBudgetNmr", lambda row, _info: _nmr(row.nmr_pool or 0))
round_type.set_field("usdStakingPool", lambda row, _info: _usd(row.usd_staking_pool or 0))
round_type.set_field("usdPrizePool", lambda row, _info: _usd(row.usd_prize_pool or 0))
round_type.set_field("nmrPool", lambda row, _info: _nmr(row.nmr_pool or 0))


@round_type.field("roundScoreConfigs")
def resolve_score_configs(row: store.Round, _info: Any) -> list[dict[str, Any]]:
    """The one score a round pays on: live logloss (auction2017) or CORR (corr policy)."""
    return [
        {
            "id": f"{row.number}-{row.policy}",
            "scoreConfigId": row.policy,
            "roundNumberStart": row.number,
            "roundNumberEnd": row.number,
            "name": row.policy,
            "displayName": PAYOUT_METRIC.get(row.policy, row.policy),
            "isCanonScore": True,
            "isPayout": True,
            "scoringStart": views.iso(row.closes_at),
            "scoringEnd": views.iso(row.resolved_at),
        }
    ]
