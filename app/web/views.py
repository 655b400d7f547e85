"""View models: one dict per page, rendered by the pages and returned by the JSON API.

Keeping one function per page is what makes the API mirror the pages exactly. Values are
plain Python (ints for wei, aware datetimes); :func:`jsonable` turns them into JSON-safe
values (wei as decimal strings, times as ISO 8601 with ``Z``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from app import store
from app.web import charts
from app.web.services import published_files

WEI_PER_NMR = Decimal(10) ** 18


def round_summary(row: store.Round) -> dict[str, Any]:
    """The fields of a round every page shows."""
    return {
        "number": row.number,
        "status": row.status,
        "opened_at": row.opened_at,
        "closes_at": row.closes_at,
        "resolves_by": row.resolves_by,
        "resolved_at": row.resolved_at,
        "accepts_uploads": row.accepts_uploads(),
        "reward_budget_wei": row.reward_budget_wei or 0,
        "policy": row.policy,
        "datasets": {
            "csv": bool(row.dataset_csv_path),
            "parquet": bool(row.dataset_parquet_path),
        },
    }


def submission_view(sub: store.Submission) -> dict[str, Any]:
    """A submission as its owner sees it."""
    return {
        "id": sub.id,
        "round": sub.round_number,
        "hash": sub.hash,
        "original_filename": sub.original_filename,
        "format": sub.file_format,
        "rows": sub.rows,
        "created_at": sub.created_at,
        "metrics": sub.metrics or {},
    }


def current_round_page(address: str | None) -> dict[str, Any]:
    """Current round: number, close time, downloads, and my current submission."""
    row = store.current_round()
    if row is None:
        return {"round": None, "my_submission": None}
    mine = store.current_submission(row.number, address) if address else None
    return {
        "round": round_summary(row),
        "n_submissions": len(store.list_submissions(row.number)),
        "my_submission": submission_view(mine) if mine else None,
    }


def past_rounds_page() -> dict[str, Any]:
    """Every round, newest first, with its totals."""
    rounds = []
    for row in store.list_rounds():
        results = store.round_results(row.number)
        rounds.append(
            {
                **round_summary(row),
                "n_participants": results["n_participants"],
                "n_stakers": results["n_stakers"],
                "staked_wei": results["staked_wei"],
                "paid_wei": results["paid_wei"],
                "burned_wei": results["burned_wei"],
            }
        )
    return {"rounds": rounds}


def round_results_page(number: int) -> dict[str, Any] | None:
    """"Tournament N results", or None for an unknown round."""
    results = store.round_results(number)
    if results is None:
        return None
    participants = [{k: v for k, v in p.items()} for p in results["participants"]]
    return {
        "round": round_summary(results["round"]),
        "n_participants": results["n_participants"],
        "n_stakers": results["n_stakers"],
        "staked_wei": results["staked_wei"],
        "paid_wei": results["paid_wei"],
        "burned_wei": results["burned_wei"],
        "participants": participants,
        "published_files": published_files(number),
        "settlement_batches": [
            {"index": b.batch_index, "tx_hash": b.tx_hash, "status": b.status} for b in results["batches"]
        ],
    }


def leaderboard_page(round_number: int | None = None) -> dict[str, Any]:
    """The leaderboard of a scored round (default the newest)."""
    return store.leaderboard(round_number)


def chain_info(address: str) -> dict[str, Any]:
    """Balances (and stakes) read from chain through ``app.extensions["chain"]``.

    The chain extension (``app/chain.py``) is optional. When present it provides
    ``balances(address) -> {"nmr_wei": int, "eth_wei": int}`` and, optionally,
    ``stakes(address) -> [{"round": int, "amount_wei": int, "confidence": str,
    "submission_hash": str, "settled": bool}, ...]``. Any failure shows as unavailable.
    """
    chain = current_app.extensions.get("chain")
    if chain is None:
        return {"available": False, "message": "chain unavailable"}
    try:
        balances = chain.balances(address)
        stakes = chain.stakes(address) if hasattr(chain, "stakes") else None
    except Exception:
        current_app.logger.warning("chain read failed for the account page", exc_info=True)
        return {"available": False, "message": "chain unavailable (the node did not answer)"}
    return {
        "available": True,
        "nmr_wei": int(balances.get("nmr_wei", 0)),
        "eth_wei": int(balances.get("eth_wei", 0)),
        "stakes": stakes,
    }


def account_page(address: str) -> dict[str, Any]:
    """My name, submissions, scores and stakes (DB), balances (chain) and per-era charts."""
    user = store.get_user(address)
    submissions = store.user_submissions(address)
    scores = store.user_scores(address)
    latest = submissions[0] if submissions else None
    per_era = (latest.metrics or {}).get("per_era", []) if latest else []
    return {
        "address": address,
        "display_name": user.display_name if user else None,
        "chain": chain_info(address),
        "submissions": [submission_view(s) for s in submissions],
        "scores": [
            {"round": s.round_number, **store.score_view(s), "per_era": s.per_era or {}} for s in scores
        ],
        "career_nmr_wei": store.career_wei([address]).get(address, 0),
        "tokens": [
            {"public_id": t.public_id, "name": t.name, "created_at": t.created_at}
            for t in store.list_api_tokens(address)
        ],
        "chart_round": latest.round_number if latest else None,
        "chart_svg": charts.era_bar_chart(
            [e["era"] for e in per_era], [e["logloss"] for e in per_era], baseline=charts.LN2,
            title="Validation logloss per era (lower is better; line = ln 2)",
        ) if per_era else None,
    }


def format_nmr(wei: int | str | None, places: int = 4) -> str:
    """Wei as NMR with ``places`` decimals (exact, no float)."""
    if wei is None:
        return "–"
    value = (Decimal(int(wei)) / WEI_PER_NMR).quantize(Decimal(1).scaleb(-places))
    return f"{value:,.{places}f}"


def jsonable(value: Any, key: str = "") -> Any:
    """JSON-safe copy: wei (keys ending ``_wei``) as strings, datetimes as ISO ``...Z``."""
    if isinstance(value, dict):
        return {k: jsonable(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, key) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if key.endswith("_wei") and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def iso(moment: datetime | None) -> str | None:
    """``2026-11-25T02:30:00Z`` (UTC, seconds)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
