"""Sealed rounds (docs/sealed.md): the commitment before the close and the reveal after.

Until a sealed round closes, a data scientist sends only a file's canonical hash and its
shape (rows, columns), which the client computes on its own machine. The server checks
that shape against the round and records a commitment: a submission row with the hash
and the shape and no file (:mod:`app.store.sealed`). Stakes commit to that hash as they
do to any upload's.

From the close (by the chain's clock, which closes the staking) until the round's
``reveal_until`` the owner reveals the file. The server validates it as it validates an
upload, checks that its canonical hash is one this model committed to, and only then
stores it and measures it: validation metrics now, originality and concordance in the
background (:mod:`app.web.performance`). A file that hashes to no commitment is refused
and changes nothing. A file not revealed by the deadline scores as missing
(:func:`app.oracle.resolving.scored_files`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import store
from app.chain import reads
from app.errors import ApiError
from app.models import utcnow
from app.schedule import duration_text, moment_text
from app.web.round_header import chain_ahead_seconds
from app.web.services import (
    UploadOutcome,
    count_upload,
    keep_file,
    open_round_or_error,
    round_frame,
    shown_filename,
    validate_upload,
    wallet_model,
)
from client.core.predictions import ValidationResult, parse_commitment, shape_problems

REVEALING_WHILE = ("open", "closed")  # an "open" round the oracle has not yet marked closed


class _RevealedMeanwhile(Exception):
    """Another request revealed the same commitment first."""


def commit_predictions(number: int, address: str, body: dict[str, Any]) -> UploadOutcome:
    """Record a commitment of wallet ``address``'s model (``body["model"]``, a name or key;
    default model 0) to round ``number``: ``body`` is ``{"hash", "rows", "columns",
    "filename"}``. A commitment whose shape no acceptable file has is refused (422),
    like a file, and leaves no trace."""
    round_row = open_round_or_error(number)
    if not round_row.sealed:
        raise ApiError(409, f"round {number} is not sealed: upload the file itself (POST "
                            f"/api/v1/rounds/{number}/submissions, or nmr upload FILE)")
    commitment, problems = parse_commitment(body)
    if commitment is None:
        raise ApiError(400, "send the commitment as JSON: " + "; ".join(problems), problems=problems)
    chosen = wallet_model(address, _model(body.get("model")))
    count_upload(address)
    problems = shape_problems(commitment, len(round_frame(round_row).validator.expected))
    result = ValidationResult(problems=problems, hash=commitment.hash, format=store.SEALED_FORMAT,
                              rows=commitment.rows, columns=commitment.columns)
    if problems:
        return UploadOutcome(result=result, submission=None, model=chosen)
    raw_name = body.get("filename")
    submission = store.commit_submission(
        number, chosen["key"], original_filename=shown_filename(raw_name if isinstance(raw_name, str) else None),
        file_hash=commitment.hash, rows=commitment.rows, columns=commitment.columns)
    return UploadOutcome(result=result, submission=submission, model=chosen)


def revealing_round(number: int) -> store.Round:
    """Round ``number`` if it takes reveals now (by the chain's clock), else the 4xx of
    :func:`reveal_refusal`; asked before the request's file is read."""
    round_row = store.get_round(number)
    if round_row is None:
        raise ApiError(404, f"round {number} does not exist")
    refusal = reveal_refusal(round_row, _chain_now())
    if refusal:
        raise ApiError(*refusal)
    return round_row


def reveal_predictions(round_row: store.Round, address: str, raw: bytes, filename: str,
                       model: Any = None) -> UploadOutcome:
    """Reveal a file of wallet ``address``'s model ``model`` in sealed round ``round_row``
    (:func:`revealing_round`): validated as an upload is (its problems: a 422, nothing
    stored), then matched by its canonical hash to one of the model's commitments in the
    round (none: a 409 naming both hashes, nothing stored), then stored and measured.
    Revealing a file already revealed answers with it again."""
    number = round_row.number
    chosen, frame, result = validate_upload(round_row, address, raw, filename, model)
    if not result.ok:
        return UploadOutcome(result=result, submission=None, model=chosen)
    commitment = store.submission_by_hash(number, chosen["key"], result.hash)
    if commitment is None:
        raise ApiError(409, _mismatch(number, chosen, result.hash), file_hash=result.hash)
    if not commitment.awaiting_reveal:
        return UploadOutcome(result=result, submission=commitment, model=chosen)

    def record(path: Any, metrics: dict[str, Any]) -> store.Submission:
        revealed = store.reveal_submission(commitment.id, stored_path=str(path), file_format=result.format or "csv",
                                           metrics=metrics)
        if revealed is None:
            raise _RevealedMeanwhile
        return revealed

    try:
        submission = keep_file(number, frame, result, record)
    except _RevealedMeanwhile:
        submission = store.get_submission(commitment.id)
    return UploadOutcome(result=result, submission=submission, model=chosen)


def reveal_refusal(row: store.Round, now: int) -> tuple[int, str] | None:
    """Why round ``row`` takes no reveal at chain time ``now``, with the HTTP status (409:
    not sealed, or not closed yet; 410: reveals ended), or None: it takes them."""
    if not row.sealed or row.reveal_until is None:
        return 409, f"round {row.number} is not sealed: its files were uploaded whole, there is nothing to reveal"
    closes, until = _timestamp(row.closes_at), _timestamp(row.reveal_until)
    if now < closes:
        return 409, (f"round {row.number} is still open: reveal your file after it closes at "
                     f"{moment_text(row.closes_at)} (in {duration_text(closes - now)}), until "
                     f"{moment_text(row.reveal_until)}; before the close only its hash and shape may reach the server")
    if now >= until or row.status not in REVEALING_WHILE:
        return 410, (f"reveals for round {row.number} ended at {moment_text(row.reveal_until)}: a sealed file not "
                     "revealed by then scores as missing, its stake released without reward")
    return None


def reveal_window(row: store.Round, address: str | None = None, now: int | None = None) -> dict[str, Any] | None:
    """What the pages and the API say of a sealed round (None for an open book): reveals
    from ``reveal_from`` (the close) until ``reveal_until``, whether they are
    ``accepted`` now, a ``note`` in words and, for a signed-in wallet, the models whose
    files ``awaiting`` reveal (``key``, ``model_number``, ``hash``, ``rows``)."""
    if not row.sealed or row.reveal_until is None:
        return None
    now = int(utcnow().timestamp()) + chain_ahead_seconds() if now is None else now
    closes, until = _timestamp(row.closes_at), _timestamp(row.reveal_until)
    if now < closes:
        note = (f"Sealed: until the close only each file's hash and shape reach the server. Reveal your file "
                f"after the close, by {moment_text(row.reveal_until)}.")
    elif now < until and row.status in REVEALING_WHILE:
        note = f"Sealed: reveals are accepted until {moment_text(row.reveal_until)} (in {duration_text(until - now)})."
    else:
        note = (f"Sealed: reveals ended at {moment_text(row.reveal_until)}; a file not revealed by then scores as "
                "missing, its stake released without reward.")
    awaiting = [{"key": s.model_key, "model_number": s.model_number or 0, "hash": s.hash, "rows": s.rows}
                for s in store.awaiting_reveal(row.number, address)] if address else []
    return {"reveal_from": row.closes_at, "reveal_until": row.reveal_until,
            "accepted": closes <= now < until and row.status in REVEALING_WHILE, "note": note, "awaiting": awaiting}


def _chain_now() -> int:
    """The chain's time: the close is the escrow's, so is the reveal deadline."""
    now = reads.now()
    if now is None:
        raise ApiError(503, "the chain's clock did not answer, so the server cannot tell whether reveals are open; "
                            "try again in a moment")
    return now


def _mismatch(number: int, chosen: dict[str, Any], file_hash: str) -> str:
    committed = store.current_submission(number, chosen["key"])
    said = f"its commitment is {committed.hash}" if committed is not None else "it committed to no file there"
    return (f"this file hashes to {file_hash}, which model {chosen['name']} never committed to in round {number} "
            f"({said}); reveal the very file you sealed. Nothing was stored")


def _model(raw: Any) -> str | None:
    """The commitment's ``model`` (a name or key; None: model 0), bounded."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str) or len(raw) > 120:
        raise ApiError(400, '"model" must be one of your model names or keys (at most 120 characters)')
    return raw.strip()


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())
