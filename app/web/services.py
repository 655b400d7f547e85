"""What the blueprints call: uploads (validate, store, measure), rate limits, dataset files.

An accepted upload also schedules the Performance panel's originality and concordance
(:mod:`app.web.performance`, in a background thread).

Kept out of the views so pages and the JSON API share one implementation. Uploaded files
are stored under ``DATA_DIR/uploads/round-N/<random>.csv`` as the canonical text that the
hash covers (``sha256(file) == hash``); the uploader's file name is only recorded.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from flask import current_app

from app import paths, store
from app.errors import ApiError
from app.web import performance
from app.web.round_data import NewestRoundCache
from client.core.money.rules import LN2, consistency
from client.core.predictions import (
    PredictionValidator,
    ValidationResult,
    canonical_text,
)
from client.core.scoring.metrics import logloss, numerai_corr

DATASET_FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class RoundFrame:
    """A round's tournament rows prepared once per process: validator and validation targets."""

    validator: PredictionValidator
    validation_positions: np.ndarray
    validation_targets: np.ndarray
    validation_eras: np.ndarray


def _prepare(tournament: pd.DataFrame) -> RoundFrame:
    validation = (tournament["data_type"] == "validation").to_numpy()
    return RoundFrame(
        validator=PredictionValidator(tournament["id"].astype(str), current_app.config["MAX_UPLOAD_BYTES"]),
        validation_positions=np.flatnonzero(validation),
        validation_targets=tournament.loc[validation, "target"].to_numpy(dtype=np.float64),
        validation_eras=tournament.loc[validation, "era"].astype(str).to_numpy(),
    )


_round_frames = NewestRoundCache(_prepare)


def round_frame(round_row: store.Round) -> RoundFrame:
    """The prepared tournament rows of a round (cached per dataset file version)."""
    frame = _round_frames.get(round_row)
    if frame is None:
        raise ApiError(503, f"round {round_row.number}'s dataset is not available on this server yet")
    return frame


def validation_metrics(frame: RoundFrame, probabilities: np.ndarray) -> dict[str, Any]:
    """Validation logloss, per-era logloss and CORR, and consistency of one accepted file."""
    p = probabilities[frame.validation_positions]
    eras = list(dict.fromkeys(frame.validation_eras))
    per_era = []
    for era in eras:
        rows = frame.validation_eras == era
        era_logloss = float(logloss(p[rows][None, :], frame.validation_targets[rows])[0])
        era_corr = float(numerai_corr(p[rows][None, :], frame.validation_targets[rows])[0])
        per_era.append({"era": era, "logloss": era_logloss, "corr": era_corr})
    return {
        "validation_logloss": float(logloss(p[None, :], frame.validation_targets)[0]),
        "consistency": consistency([e["logloss"] for e in per_era]),
        "validation_corr": float(np.mean([e["corr"] for e in per_era])) if per_era else None,
        "per_era": per_era,
        "ln2": LN2,
    }


class RateLimiter:
    """A sliding window of event times per key, in this process's memory."""

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float) -> float:
        """Record an event for ``key``; returns 0 if allowed, else seconds until allowed."""
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - window:
                events.popleft()
            if len(events) >= limit:
                return max(events[0] + window - now, 0.1)
            events.append(now)
            return 0.0

    def reset(self) -> None:
        """Forget every window (tests)."""
        with self._lock:
            self._events.clear()


upload_limiter = RateLimiter()


@dataclass(frozen=True)
class UploadOutcome:
    """An accepted or rejected upload: the validation result, the model it was for
    (:func:`app.store.model_dict`) and, if accepted, the row."""

    result: ValidationResult
    submission: store.Submission | None
    model: dict[str, Any] | None = None


def open_round_or_error(number: int) -> store.Round:
    """The round if it takes uploads now, else an ApiError saying why not."""
    round_row = store.get_round(number)
    if round_row is None:
        raise ApiError(404, f"round {number} does not exist")
    if not round_row.accepts_uploads():
        current = store.current_round()
        hint = f"; round {current.number} is open" if current is not None and current.accepts_uploads() else ""
        raise ApiError(409, f"round {number} is closed to uploads (status {round_row.status}){hint}")
    return round_row


def wallet_model(address: str, reference: Any) -> dict[str, Any]:
    """The model of wallet ``address`` that ``reference`` (a name or key; None: model 0)
    names, or a 400 listing the wallet's models."""
    try:
        return store.resolve_model(address, reference)
    except store.UnknownModel as exc:
        raise ApiError(400, str(exc)) from None


def add_model(address: str, name: Any) -> dict[str, Any]:
    """Register model ``name`` for wallet ``address`` (:func:`app.store.add_model`); a bad
    name is a 400, a taken one (or one too many models) a 409, each saying what to do."""
    try:
        return store.add_model(address, name, cap=current_app.config["MODELS_PER_WALLET"])
    except (store.NameTaken, store.ModelCapReached) as exc:
        raise ApiError(409, str(exc)) from None
    except store.StoreError as exc:
        raise ApiError(400, str(exc)) from None


def set_display_name(address: str, name: str | None) -> store.User:
    """Set or clear wallet ``address``'s display name (:func:`app.store.set_display_name`):
    a name reading like a taken one is a 409, an unusable one a 400, each saying why."""
    try:
        return store.set_display_name(address, name)
    except store.NameTaken as exc:
        raise ApiError(409, str(exc)) from None
    except store.StoreError as exc:
        raise ApiError(400, str(exc)) from None


def upload_predictions(number: int, address: str, raw: bytes, filename: str, model: Any = None) -> UploadOutcome:
    """Validate an upload by wallet ``address`` for its model ``model`` (a name or key;
    None: model 0) to round ``number`` and keep it if accepted.

    Order matters: the round is checked first, then the model, then the rate limit (per
    wallet; it counts attempts, accepted or not), then the file. Rejected files leave no
    trace in the database.
    """
    round_row = open_round_or_error(number)
    if round_row.sealed:
        raise ApiError(409, sealed_refusal(number))
    chosen, frame, result = validate_upload(round_row, address, raw, filename, model)
    if not result.ok:
        return UploadOutcome(result=result, submission=None, model=chosen)
    submission = keep_file(number, frame, result, lambda path, metrics: store.save_submission(
        number, chosen["key"], stored_path=str(path), original_filename=shown_filename(filename),
        file_hash=result.hash, file_format=result.format or "csv", rows=result.rows, metrics=metrics))
    return UploadOutcome(result=result, submission=submission, model=chosen)


def validate_upload(round_row: store.Round, address: str, raw: bytes, filename: str,
                    model: Any) -> tuple[dict[str, Any], RoundFrame, ValidationResult]:
    """The model ``model`` of wallet ``address`` names (a 400 if none), the attempt counted
    (a 429 past the limit), and the file validated against the round: (model, the
    round's frame, the result). Nothing is stored."""
    chosen = wallet_model(address, model)
    count_upload(address)
    frame = round_frame(round_row)
    return chosen, frame, frame.validator.validate(raw, shown_filename(filename))


def sealed_refusal(number: int) -> str:
    """Why a whole file is refused by a sealed round before its close, and what to do."""
    return (f"round {number} is sealed: until it closes only a file's hash and shape may reach the server, never "
            "the file. Upload with the nmr client (nmr upload FILE): it hashes the file on your machine, sends "
            "the hash and row count, and reveals the file after the close (nmr reveal)")


def count_upload(address: str) -> None:
    """Count one upload attempt of ``address`` (accepted or not), or a 429 saying when
    to try again."""
    config = current_app.config
    wait = upload_limiter.hit(address, config["UPLOAD_RATE_LIMIT"], config["UPLOAD_RATE_WINDOW"])
    if wait:
        raise ApiError(
            429,
            f"upload limit reached ({config['UPLOAD_RATE_LIMIT']} per {config['UPLOAD_RATE_WINDOW']} s); "
            f"try again in {wait:.0f} s",
            retry_after=int(wait) + 1,
        )


def keep_file(number: int, frame: RoundFrame, result: ValidationResult,
              record: Callable[[Path, dict[str, Any]], store.Submission]) -> store.Submission:
    """Store an accepted file's canonical text and measure it; ``record(path, metrics)``
    writes its row (the file is removed again if that fails). Schedules the Performance
    panel's originality and concordance."""
    metrics = validation_metrics(frame, result.frame["probability"].to_numpy())
    path = _store_file(number, canonical_text(result.frame))
    try:
        submission = record(path, metrics)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    performance.schedule(number)
    return submission


def shown_filename(filename: str | None) -> str:
    """The uploader's file name for messages and records only (never for paths)."""
    name = (filename or "predictions").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:120]
    return name or "predictions"


def _store_file(number: int, body: bytes) -> Path:
    """Write ``body`` under a server-chosen random name in the round's uploads folder."""
    path = paths.uploads_dir(number) / f"{secrets.token_hex(16)}.csv"
    write_atomically(path, body)
    return path


def write_atomically(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` so that readers see the old file or the whole new one,
    never a part: a uniquely named temporary file beside it, then a rename (concurrent
    writers of one path each rename their own file; the last one wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(body)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def dataset_path(number: int, file_format: str) -> Path:
    """The round's dataset file in ``file_format``, or an ApiError."""
    if file_format not in DATASET_FORMATS:
        raise ApiError(400, f"unknown dataset format {file_format!r}; use csv or parquet")
    round_row = store.get_round(number)
    if round_row is None:
        raise ApiError(404, f"round {number} does not exist")
    path = round_row.dataset_csv_path if file_format == "csv" else round_row.dataset_parquet_path
    if not path or not Path(path).is_file():
        raise ApiError(404, f"round {number} has no {file_format} dataset on this server")
    return Path(path)


def published_files(number: int) -> list[str]:
    """Relative paths of the round's published files, as its manifest lists them (empty
    until the oracle publishes)."""
    manifest = paths.published_dir(number) / "manifest.json"
    if not manifest.is_file():
        return []
    return ["manifest.json", *sorted(json.loads(manifest.read_text()))]
