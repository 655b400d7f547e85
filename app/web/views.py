"""View models: one dict per page, rendered by the pages and returned by the JSON API.

Keeping one function per page is what makes the API mirror the pages exactly. Values are
plain Python (ints for token amounts, aware datetimes); :func:`jsonable` turns them into
JSON-safe values (amounts as decimal strings of the token's base unit, times as ISO 8601
with ``Z``). Amounts are NMR in wei (18 decimals) and USD in units of 1e-6 dollar (the
stablecoin's 6 decimals); which key holds which is :data:`app.store.AMOUNT_UNITS`.
The formatters live in :mod:`app.web.formatting` (imported here for the older callers).

Why one module past ~350 lines: one view function per page, so the JSON API mirrors the
pages exactly; the split into view modules per page is issue 25's (each module one job).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eth_utils import is_address, to_checksum_address

from app import store
from app.chain import reads
from app.schedule import Schedule, duration_text, round_phase
from app.web import charts, performance, round_header
from app.web.formatting import (  # noqa: F401  (re-exported: views.format_nmr etc.)
    DECIMALS,
    day,
    format_nmr,
    format_percent,
    format_units,
    format_usd,
    iso,
)
from app.web.services import UploadOutcome, published_files

# Amount keys of these views beyond the store's: balances, what a finalized round returned
# to its funder, and the Rules page's examples.
VIEW_AMOUNT_KEYS = store.AMOUNT_KEYS | {
    "usd_units", "usd_returned", "nmr_returned", "bid_usd", "pool_usd", "article_usd", "article_nmr",
    "article_usd_pool", "article_nmr_pool", "reward", "bond",
}  # fmt: skip
# Statuses whose scores (and reasons) are the oracle's final word.
RESOLVED_STATUSES = ("resolved", "settled", "finalized", "expired")


def status_note(row: store.Round) -> str:
    """One sentence on where the round stands (the results page's first line)."""
    closes, due = iso(row.closes_at), iso(row.resolves_by)
    if row.status == "opening":
        return "This tournament is being opened on chain; uploads start once its creation is confirmed."
    if row.status == "open":
        return f"This tournament is open: uploads and stakes close at {closes}."
    if row.status == "closed":
        return f"Staking closed at {closes}; the oracle scores and resolves the round by {due}."
    if row.status == "resolved":
        return "This tournament has resolved; its payouts are being posted on chain."
    if row.status == "settled":
        return "This tournament has resolved and paid out on chain."
    if row.status == "finalized":
        return "This tournament has resolved and paid out; its books are closed and unspent pools went back to the funder."
    if row.status == "expired":
        return (
            f"The oracle's deadline ({due}) passed before this round was settled, so it was finalized on the "
            "escape-hatch path: every staker not settled by then takes the whole stake back alone (Withdraw on "
            "the Stake page, or `nmr withdraw N`), nobody else is burned or paid, and the pools went back to the funder."
        )
    if row.status == "voided":
        return ("A dispute against the oracle's results was upheld, so this round was voided: no staker is paid "
                "or burned, every stake can be withdrawn at once (Withdraw on the Stake page, or nmr withdraw N), "
                "the disputer was paid a reward from the NMR pool and the rest of the pools went back to the funder.")
    return f"Status: {row.status}."


def round_summary(row: store.Round) -> dict[str, Any]:
    """The fields of a round every page shows, with its three pools."""
    return {
        "number": row.number,
        "status": row.status,
        "status_note": status_note(row),
        "opened_at": row.opened_at,
        "closes_at": row.closes_at,
        "resolves_by": row.resolves_by,
        "resolved_at": row.resolved_at,
        "accepts_uploads": row.accepts_uploads(),
        "usd_staking_pool": row.usd_staking_pool or 0,
        "usd_prize_pool": row.usd_prize_pool or 0,
        "nmr_pool": row.nmr_pool or 0,
        "funder": row.funder,
        "policy": row.policy,
        "datasets": {
            "csv": bool(row.dataset_csv_path),
            "parquet": bool(row.dataset_parquet_path),
        },
    }


def submission_view(sub: store.Submission) -> dict[str, Any]:
    """A submission as its owner sees it (``model``: its model key, ``model_number``)."""
    return {
        "id": sub.id,
        "model": sub.model_key,
        "model_number": sub.model_number or 0,
        "round": sub.round_number,
        "hash": sub.hash,
        "original_filename": sub.original_filename,
        "format": sub.file_format,
        "rows": sub.rows,
        "created_at": sub.created_at,
        "metrics": sub.metrics or {},
    }


def upload_view(outcome: UploadOutcome, round_number: int) -> tuple[dict[str, Any], int]:
    """An upload's outcome as the pages and the API show it, with its HTTP status: 201 with
    the hash and validation metrics, or 422 with the problems; ``model`` says which model
    it was for (``key``, ``name``, ``number``)."""
    result = outcome.result
    model = {k: outcome.model[k] for k in ("key", "name", "number")} if outcome.model else None
    if outcome.submission is None:
        return {"accepted": False, "round": round_number, "model": model, "problems": result.problems}, 422
    return {"accepted": True, **submission_view(outcome.submission), "model": model, "notes": result.notes}, 201


def models_with_submissions(address: str, round_number: int | None) -> list[dict[str, Any]]:
    """Every model of the wallet (:func:`app.store.list_models`, model 0 first), each with
    ``submission``: its current file in round ``round_number`` (``round``, ``hash``,
    ``filename``, ``rows``) or None."""
    current = {s.model_number or 0: s for s in store.list_submissions(round_number)
               if s.address == address} if round_number is not None else {}  # fmt: skip
    return [
        {**model, "submission": ({"round": sub.round_number, "hash": sub.hash, "filename": sub.original_filename,
                                  "rows": sub.rows} if (sub := current.get(model["number"])) else None)}
        for model in store.list_models(address)
    ]  # fmt: skip


def current_round_page(address: str | None) -> dict[str, Any]:
    """Current round: number, close time, pools, downloads, my submission with its
    Performance panel and, once the round is resolved, my result (round USD, round NMR,
    why); ``header`` is every page's round header (:mod:`app.web.round_header`)."""
    row = store.current_round()
    if row is None:
        return {"round": None, "my_submission": None, "my_result": None, "performance": None, "header": None,
                "models": models_with_submissions(address, None) if address else []}  # fmt: skip
    mine = store.current_submission(row.number, address) if address else None
    my_result = _my_result(row.number, address) if address else None
    return {
        "round": round_summary(row),
        # The signed-in wallet's models, each with its current file here (the upload form's choice).
        "models": models_with_submissions(address, row.number) if address else [],
        "n_submissions": len(store.list_submissions(row.number)),
        "my_submission": submission_view(mine) if mine else None,
        "my_result": my_result,
        "performance": performance.panel(mine.metrics if mine else None, my_result),
        "header": round_header.round_header(),  # what every page's header polls for
        # The other rounds in flight (waiting for live data, committed, settling ...).
        "in_flight": rounds_in_flight(skip=row.number),
    }


def _my_result(number: int, key: str) -> dict[str, Any] | None:
    for score in store.round_scores(number):
        if score.model_key == key:
            return store.score_view(score)
    return None


def past_rounds_page() -> dict[str, Any]:
    """Every round, newest first, with its state in words (by the chain, for a round in
    flight) and its totals: paid from the chain, planned from the plan."""
    phases = {entry["number"]: entry for entry in rounds_in_flight()}
    rounds = []
    for row in store.list_rounds():
        results = round_results_page(row.number, read_chain=row.status not in store.FINAL_STATUSES)
        keys = ("n_participants", "n_stakers", "controlling_capital", "staked_wei", "usd_paid", "nmr_paid",
                "burned", "paid_source", "planned", "planned_unpaid")
        phase = phases.get(row.number)
        rounds.append({**results["round"], **{key: results[key] for key in keys},
                       "state": phase["state"] if phase else row.status,
                       "state_words": phase["words"] if phase else None})
    return {"rounds": rounds}


def why(participant: dict[str, Any], status: str) -> str:
    """The participant's one-line reason, or why there is none yet."""
    if participant.get("reason"):
        return participant["reason"]
    if status == "expired":
        return "not scored: the oracle's deadline passed first" + (
            "; the whole stake is yours to withdraw" if participant.get("stake_wei") else "")
    if status not in RESOLVED_STATUSES:
        return "not scored yet: the round resolves after it closes"
    return "not scored"


def _account_why(score: dict[str, Any]) -> str:
    line = why(score, score["round_status"])
    if score["round_status"] == "expired" and score.get("stake_wei"):
        line += " (the round expired unsettled: unless the oracle settled your stake before its deadline, withdraw it on the Stake page)"
    return line


def rounds_in_flight(skip: int | None = None) -> list[dict[str, Any]]:
    """Every round not yet ended (but `skip`), newest first, with its phase by the chain:
    ``state``, ``words`` ("live data until 1D 2H ...", "challenge ends in ...") and
    ``seconds_left`` until its next step. Without a chain, the stored status speaks."""
    clock = reads.clock()
    now, window = clock or (int(store.utcnow().timestamp()), 0)
    rows = []
    for row in reversed(store.rounds_in_flight()):
        if row.number == skip:
            continue
        view = reads.round_view(row.number) if clock is not None and row.status != "opening" else None
        phase = round_phase(row.status, Schedule.of(row), view, now, window)
        rows.append({"number": row.number, "status": row.status, "state": phase.state, "words": phase.words,
                     "seconds_left": max(0, phase.due - now) if phase.due else 0,
                     "time_left": duration_text(phase.due - now) if phase.due and phase.due > now else None})
    return rows


def round_results_page(number: int, read_chain: bool = True) -> dict[str, Any] | None:
    """"Tournament N results", or None for an unknown round.

    Every amount says where it comes from. ``usd_paid``, ``nmr_paid`` and ``burned`` are
    the chain's: copied from the escrow when the round ended, read from it (``chain``)
    while it is in flight, None when the chain did not answer (``paid_source`` says
    which). ``planned`` is the plan's (the participants' rows), shown as planned, never as
    paid. An open round's ``n_stakers`` and ``staked_wei`` are the escrow's too.
    With `read_chain` False (the round list), an in-flight round is not read."""
    results = store.round_results(number)
    if results is None:
        return None
    row = results["round"]
    ranks = store.shared_ranks([p["live_logloss"] for p in results["participants"] if p["live_logloss"] is not None])
    participants = []
    for position, p in enumerate(results["participants"]):
        participants.append({
            **p,
            "rank": ranks[position] if position < len(ranks) else None,
            "validation_logloss": p["validation_logloss"] if p.get("validation_logloss") is not None
            else p.get("validation_logloss_at_upload"),
            "why": why(p, row.status),
        })  # fmt: skip
    ended = row.status in store.FINAL_STATUSES
    recorded = store.chain_totals(row)
    chain = reads.round_chain_state(number, disputes=ended or row.status != "open") if read_chain else None
    paid_keys = ("usd_paid", "nmr_paid", "burned")
    if recorded is not None:
        paid, source = {key: recorded[key] for key in paid_keys}, "recorded from the chain when the round ended"
    elif chain is not None:
        paid, source = {key: chain[key] for key in paid_keys}, "read from the chain now"
    else:
        paid, source = dict.fromkeys(paid_keys), "the chain did not answer"
    planned = {key: results[key] for key in paid_keys}
    stakers = (chain["n_stakers"], chain["staked_wei"]) if chain else (results["n_stakers"], results["staked_wei"])
    return {
        "round": round_summary(row),
        # An open or closed round has no results yet: its page is "Tournament N".
        "heading": f"Tournament {number} results" if row.status in RESOLVED_STATUSES else f"Tournament {number}",
        "decimals": DECIMALS,
        "resolved_at": results["resolved_at"],
        "n_participants": results["n_participants"],
        "controlling_capital": results["controlling_capital"],
        "n_stakers": stakers[0],
        "staked_wei": stakers[1],
        "stakes_source": "chain" if chain else "scores",
        **paid,
        "paid_source": source,
        "planned": planned,
        # The plan's amounts not yet on chain: shown "planned: ... (not yet paid)".
        "planned_unpaid": not ended and any(planned[key] for key in paid_keys),
        "on_chain": recorded,
        "participants": participants,
        "published_files": published_files(number),
        # The escrow's word on the round: committed, challenge ends in ..., disputed, voided.
        "chain_state": chain,
        "dispute": chain["dispute"] if chain else None,
        "transactions": [
            {"kind": t.kind, "position": t.position, "what": store.transaction_label(t.kind, t.position),
             "tx_hash": t.tx_hash, "status": t.status}
            for t in results["transactions"]
        ],
    }


def leaderboard_page(round_number: int | None = None) -> dict[str, Any]:
    """The leaderboard of a scored round (default the newest): rank, name, live logloss,
    career USD, consistency, originality, concordance, career NMR, and the round's own."""
    board = store.leaderboard(round_number)
    return {**board, "decimals": DECIMALS}


def chain_info(address: str) -> dict[str, Any]:
    """The wallet's balances and stakes from the chain (:func:`app.chain.reads.wallet`)."""
    return reads.wallet(address)


EMPTY_RESULTS = {"scores": [], "career_usd": 0, "career_nmr": 0}


def token_rows(address: str) -> list[dict[str, Any]]:
    """The wallet's live API tokens as pages list them: public id, name, scopes, created
    (never a secret)."""
    return [{"public_id": t.public_id, "name": t.name, "scopes": t.scope_list, "created_at": t.created_at}
            for t in store.list_api_tokens(address)]  # fmt: skip


def account_page(address: str) -> dict[str, Any]:
    """My name, balances (chain), my models (each with its current file in the current
    round and its career), submissions, per-round results of every model with their
    reason, the wallet's career USD and NMR (all models), tokens and the per-era chart of
    my latest upload."""
    user = store.get_user(address)
    current = store.current_round()
    models = models_with_submissions(address, current.number if current else None)
    submissions = store.wallet_submissions(address)
    chain = chain_info(address)
    scores = []
    by_model = store.wallet_results(address)
    for model in models:
        results = by_model.get(model["key"]) or EMPTY_RESULTS
        model.update(career_usd=results["career_usd"], career_nmr=results["career_nmr"])
        scores += [{**score, "model": model["key"], "model_name": model["name"], "model_number": model["number"],
                    "why": _account_why(score)} for score in results["scores"]]  # fmt: skip
    scores.sort(key=lambda score: (-score["round"], score["model_number"]))
    latest = max(submissions, key=lambda s: (s.created_at, s.id)) if submissions else None
    per_era = (latest.metrics or {}).get("per_era", []) if latest else []
    return {
        "address": address,
        "display_name": user.display_name if user else None,
        "decimals": DECIMALS,
        "chain": chain,
        "models": models,
        "submissions": [submission_view(s) for s in submissions],
        "scores": scores,
        "rounds": account_rounds(submissions, scores, chain.get("stakes") or [], models),
        "career_usd": sum(model["career_usd"] for model in models),
        "career_nmr": sum(model["career_nmr"] for model in models),
        "tokens": token_rows(address),
        "in_flight": rounds_in_flight(),
        # Disputes this wallet raised and the guardian ruled on: the bond back with a reward, or burned.
        "disputes": [{"round": r.number, "upheld": r.dispute_upheld, "reward": r.dispute_reward or 0,
                      "bond_burned": not r.dispute_upheld} for r in store.disputes_by(address)],
        "chart_round": latest.round_number if latest else None,
        "chart_svg": charts.era_bar_chart(
            [e["era"] for e in per_era], [e["logloss"] for e in per_era], baseline=charts.LN2,
            title="Validation logloss per era (lower is better; line = ln 2)",
        ) if per_era else None,
    }


def model_page(reference: str) -> dict[str, Any] | None:
    """A model's public page (``/models/<key>``), or None when no model has that key: the
    model (``key``, ``name``, ``number``, ``wallet``), its rounds newest first (every
    :func:`app.store.score_view` key, ``per_era``, ``why``), its current submissions
    (hash, rows, validation metrics) and career USD and NMR."""
    try:
        address, number = store.split_key(reference)
    except store.StoreError:
        return None
    if not is_address(address):
        return None
    address = to_checksum_address(address)
    model = next((m for m in store.list_models(address) if m["number"] == number), None)
    if model is None or not (number or store.get_user(address)):
        return None
    results = store.account_results(model["key"])
    scores = [{**score, "model": model["key"], "why": _account_why(score)} for score in results["scores"]]
    return {
        "model": model,
        "models": [model],
        "decimals": DECIMALS,
        "scores": scores,
        "submissions": [submission_view(s) for s in store.user_submissions(model["key"])],
        "career_usd": results["career_usd"],
        "career_nmr": results["career_nmr"],
    }


def account_rounds(submissions: list[store.Submission], scores: list[dict[str, Any]],
                   stakes: list[dict[str, Any]], models: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One row per round and model I took part with, newest round first, then by model:
    the model (``model``, ``model_name``, ``model_number``), my submission, my stake (the
    chain's, else the oracle's record), the outcome, why, round USD and round NMR."""
    names = {model["number"]: (model["key"], model["name"]) for model in models or []}
    by_round: dict[tuple[int, int], dict[str, Any]] = {}

    def row(number: int, model: int) -> dict[str, Any]:
        key, name = names.get(model, (None, None))
        return by_round.setdefault((number, model), {
            "round": number, "model": key, "model_name": name, "model_number": model, "submission": None,
            "stake_wei": 0, "confidence": None, "stake_status": None, "score": None})  # fmt: skip

    for submission in submissions:
        row(submission.round_number, submission.model_number or 0)["submission"] = submission_view(submission)
    for score in scores:
        entry = row(score["round"], score.get("model_number") or 0)
        entry["score"] = score
        # The score keeps the confidence as the escrow does (wei, 1e18 = 1); shown as the chain's rows are.
        confidence = score.get("confidence")
        entry["stake_wei"] = score.get("stake_wei") or 0
        entry["confidence"] = f"{int(confidence) / 10**18:g}" if str(confidence or "").isdigit() else confidence
    for stake in stakes:
        entry = row(int(stake["round"]), int(stake.get("model") or 0))
        entry["stake_wei"], entry["confidence"] = int(stake["amount_wei"]), stake.get("confidence")
        entry["stake_status"] = stake.get("status") or ("settled" if stake.get("settled") else "active")
    table = []
    for number, model in sorted(by_round, key=lambda k: (-k[0], k[1])):
        entry = by_round[(number, model)]
        score = entry.pop("score")
        table.append({**entry, "outcome": _outcome(score, entry), "why": score["why"] if score else
                      "not scored yet: the round resolves after it closes",
                      "round_usd": score["round_usd"] if score else 0, "round_nmr": score["round_nmr"] if score else 0,
                      "burned": score["burned"] if score else 0})  # fmt: skip
    return table


def _outcome(score: dict[str, Any] | None, entry: dict[str, Any]) -> str:
    """A short line: live logloss and what became of the stake."""
    if score is None or score.get("live_logloss") is None:
        return "open" if entry["stake_status"] in (None, "active") else entry["stake_status"]
    parts = [f"live logloss {score['live_logloss']:.6f}"]
    if score.get("burned"):
        parts.append(f"burned {format_nmr(score['burned'])} NMR")
    elif entry["stake_wei"]:
        parts.append("stake back")
    return " · ".join(parts)


def is_amount_key(key: str) -> bool:
    """Whether a view key holds a token amount (sent as a decimal string in JSON)."""
    return key in VIEW_AMOUNT_KEYS or key.endswith("_wei")


def jsonable(value: Any, key: str = "") -> Any:
    """JSON-safe copy: amounts as decimal strings, datetimes as ISO ``...Z``."""
    if isinstance(value, dict):
        return {k: jsonable(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, key) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if is_amount_key(key) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value
