"""The round pages' view models: the current round, the past rounds, one round's
results and the leaderboard, each one dict per page that the pages render and the JSON
API returns as it is (so the API mirrors the pages exactly)."""

from __future__ import annotations

from typing import Any

from app import reports, store
from app.chain import reads
from app.schedule import Schedule, duration_text, round_phase
from app.web import performance, round_header, sealed
from app.web.formatting import DECIMALS, absolute
from app.web.services import UploadOutcome, published_files
from client.core.money import rules
from client.core.money.units import NmrAmount, UsdAmount

# Statuses whose scores (and reasons) are the oracle's final word.
RESOLVED_STATUSES = ("resolved", "settled", "finalized", "expired")
# Stored statuses whose settle batches may be on chain (a rolled stake's StakeSettled).
SETTLING_STATUSES = ("settling", "settled", "finalized")

def status_note(row: store.Round) -> str:
    """One sentence on where the round stands (the results page's first line)."""
    closes, due = absolute(row.closes_at), absolute(row.resolves_by)
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
            f"the Stake page, or the command nmr withdraw {row.number}), nobody else is burned or paid, and the pools "
            "went back to the funder."
        )
    if row.status == "voided":
        return ("A dispute against the oracle's results was upheld, so this round was voided: no staker is paid "
                f"or burned, every stake can be withdrawn at once (Withdraw on the Stake page, or the command nmr withdraw "
                f"{row.number}), "
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
        "usd_staking_pool": UsdAmount(row.usd_staking_pool or 0),
        "usd_prize_pool": UsdAmount(row.usd_prize_pool or 0),
        "nmr_pool": NmrAmount(row.nmr_pool or 0),
        "funder": row.funder,
        "policy": row.policy,
        # Sealed: files revealed after the close until reveal_until (docs/sealed.md).
        "sealed": bool(row.sealed),
        "reveal_until": row.reveal_until,
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
        # A sealed round's commitment: the server holds its hash and shape, not the file.
        "awaiting_reveal": sub.awaiting_reveal,
        "revealed_at": sub.revealed_at,
    }

def upload_view(outcome: UploadOutcome, round_number: int) -> tuple[dict[str, Any], int]:
    """An upload's outcome as the pages and the API show it, with its HTTP status: 201 with
    the hash and validation metrics, or 422 with the problems; ``model`` says which model
    it was for (``key``, ``name``, ``number``)."""
    result = outcome.result
    model = {k: outcome.model[k] for k in ("key", "name", "number")} if outcome.model else None
    if outcome.submission is None:
        return {"accepted": False, "round": round_number, "model": model, "problems": result.problems}, 422
    row = store.get_round(round_number)
    return {"accepted": True, **submission_view(outcome.submission), "model": model, "notes": result.notes,
            "sealed": sealed.reveal_window(row) if row is not None else None}, 201

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
        # A sealed file's panel waits for its reveal: the server has nothing to measure.
        "performance": performance.panel(mine.metrics if mine and not mine.awaiting_reveal else None, my_result),
        "sealed": sealed.reveal_window(row, address),
        "header": round_header.round_header(),  # what every page's header polls for
        # The other rounds in flight (waiting for live data, committed, settling ...).
        "in_flight": rounds_in_flight(skip=row.number),
    }

def _my_result(number: int, key: str) -> dict[str, Any] | None:
    for score in store.round_scores(number):
        if score.model_key == key:
            return reports.score_view(score)
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

def why(participant: dict[str, Any], status: str, rolled_into: int | None = None) -> str:
    """The participant's one-line reason, or why there is none yet; a stake that rolled on
    says where its NMR went (the chain's word: the plan says "stake back")."""
    if participant.get("reason"):
        if rolled_into:
            return f"{participant['reason']}; rolled into tournament {rolled_into} (the chain)"
        return participant["reason"]
    if status == "expired":
        return "not scored: the oracle's deadline passed first" + (
            "; the whole stake is yours to withdraw" if participant.get("stake_wei") else "")
    if status not in RESOLVED_STATUSES:
        return "not scored yet: the round resolves after it closes"
    return "not scored"

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

def round_results_page(number: int, read_chain: bool = True, address: str | None = None) -> dict[str, Any] | None:
    """"Tournament N results", or None for an unknown round; ``sealed`` says how a sealed
    round takes reveals and, for a signed-in `address`, which of its files await one.

    Every amount says where it comes from. ``usd_paid``, ``nmr_paid`` and ``burned`` are
    the chain's: copied from the escrow when the round ended, read from it (``chain``)
    while it is in flight, None when the chain did not answer (``paid_source`` says
    which). ``planned`` is the plan's (the participants' rows), shown as planned, never as
    paid. An open round's ``n_stakers`` and ``staked_wei`` are the escrow's too.
    With `read_chain` False (the round list), an in-flight round is not read."""
    results = reports.round_results(number)
    if results is None:
        return None
    row = results["round"]
    # One rank per row, the prize rank: the place among the eligible by live logloss, as the
    # plan ranks them (its reason says "rank 2 of 3"); an ineligible row has none, its Why says why.
    eligible = [p["key"] for p in results["participants"]
                if rules.is_controlling(p.get("originality"), p.get("concordance"), p.get("consistency"),
                                        p.get("live_logloss"))]
    prize_ranks = {key: place for place, key in enumerate(eligible, start=1)}
    rolled = reads.rolled_into(number) if read_chain and row.status in SETTLING_STATUSES else {}
    participants = []
    for p in results["participants"]:
        participants.append({
            **p,
            "rank": prize_ranks.get(p["key"]),
            "validation_logloss": p["validation_logloss"] if p.get("validation_logloss") is not None
            else p.get("validation_logloss_at_upload"),
            "why": why(p, row.status, rolled.get(p["key"])),
            "rolled_into": rolled.get(p["key"]),
        })  # fmt: skip
    ended = row.status in store.FINAL_STATUSES
    recorded = reports.chain_totals(row)
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
        "sealed": sealed.reveal_window(row, address),
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