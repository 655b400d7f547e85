"""The 2017 Performance panel's two slow figures, computed soon after each upload.

Originality (against the round's earlier current submissions) and concordance (the
submission's validation / test / live distributions per feature cluster) are
:mod:`client.core.scoring`'s own functions, the ones the oracle scores the round with; only the
live targets are missing, and neither needs them. An upload schedules
:func:`refresh_round` in a background thread (:func:`schedule`): it scores every current
submission of the round at once, so when an earlier participant replaces a file, the
others' originality follows. Concordance does not depend on the other files and is
computed once per submission. Uploads arriving while it runs make it run once more, not
once each. The results are merged into each submission's metrics as ``performance``.
A sealed round's files count from their reveal after the close, which schedules it too.

Once the round resolves, the oracle's scores are the word and nothing here runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from flask import Flask, current_app

from app import store
from app.web.round_data import NewestRoundCache
from client.core.scoring.concordance import (
    CONCORDANCE_LIMIT,
    concordance_fractions,
    feature_clusters,
)
from client.core.scoring.ks import as_fraction
from client.core.scoring.originality import originality

SCORED_WHILE = ("open", "closed")


@dataclass(frozen=True)
class RoundRows:
    """A round's tournament rows as the two checks need them: ids, splits, k-means clusters."""

    ids: pd.Index
    splits: np.ndarray
    clusters: np.ndarray


_runs_lock = threading.Lock()
_runs: dict[tuple[str, int], bool] = {}  # (database, round) -> run once more after this one


def _prepare(tournament: pd.DataFrame) -> RoundRows:
    features = tournament[[c for c in tournament.columns if str(c).startswith("feature")]].to_numpy(np.float64)
    return RoundRows(
        ids=pd.Index(tournament["id"].astype(str)),
        splits=tournament["data_type"].astype(str).to_numpy(),
        clusters=feature_clusters(features),
    )


_round_rows = NewestRoundCache(_prepare)


def round_rows(row: store.Round) -> RoundRows | None:
    """The round's tournament rows with their k-means clusters (cached per dataset file
    version), or None without a dataset."""
    return _round_rows.get(row)


def probabilities(submission: store.Submission, ids: pd.Index) -> np.ndarray | None:
    """A stored file's probabilities in tournament row order (None if unreadable or partial)."""
    try:
        frame = pd.read_csv(submission.stored_path, dtype={"id": str})
    except (OSError, ValueError):
        return None
    values = frame.set_index("id")["probability"].reindex(ids).to_numpy(np.float64)
    return None if np.isnan(values).any() else values


def refresh_round(number: int) -> int:
    """Originality and concordance of every current submission of round ``number`` into its
    metrics; returns how many submissions changed."""
    row = store.get_round(number)
    if row is None or row.status not in SCORED_WHILE:
        return 0
    rows = round_rows(row)
    if rows is None:
        return 0
    submissions, columns = [], []
    for submission in store.list_submissions(number):
        if submission.awaiting_reveal:
            continue  # sealed: no file here until its reveal, which runs this again
        values = probabilities(submission, rows.ids)
        if values is not None:
            submissions.append(submission)
            columns.append(values)
    if not submissions:
        return 0
    original, similar_to = originality(columns)
    known = [(s.metrics or {}).get("performance") or {} for s in submissions]
    missing = [i for i, old in enumerate(known) if "concordance" not in old]
    fresh = dict(zip(missing, concordance_fractions([columns[i] for i in missing], rows.splits, rows.clusters),
                     strict=True)) if missing else {}  # fmt: skip
    names = store.display_names(s.model_key for s in submissions)
    changed = 0
    for i, submission in enumerate(submissions):
        like = submissions[similar_to[i]].model_key if similar_to[i] >= 0 else None
        panel = {
            "original": bool(original[i]),
            "similar_to": like,
            "similar_to_name": names.get(like, like) if like else None,
            "compared_with": i,
            **(_concordance(fresh[i]) if i in fresh else {k: known[i][k] for k in ("concordance", "concordant")}),
        }
        if panel != known[i]:
            store.set_submission_metrics(submission.id, performance=panel)
            changed += 1
    return changed


def _concordance(fraction: Any) -> dict[str, Any]:
    if fraction is None:
        return {"concordance": None, "concordant": None}
    return {"concordance": float(fraction), "concordant": fraction < as_fraction(CONCORDANCE_LIMIT)}


def schedule(number: int) -> None:
    """Run :func:`refresh_round` for ``number`` in a background thread (once more if one runs)."""
    app = current_app._get_current_object()
    key = (str(app.config["DATABASE_URL"]), number)
    with _runs_lock:
        if key in _runs:
            _runs[key] = True
            return
        _runs[key] = False
    threading.Thread(target=_run, args=(app, number, key), name=f"performance-round-{number}", daemon=True).start()


def _run(app: Flask, number: int, key: tuple[str, int]) -> None:
    while True:
        try:
            with app.app_context():
                refresh_round(number)
        except Exception:  # a failed refresh leaves the panel saying "computing"; the next upload retries
            app.logger.warning("performance panel: round %s not refreshed", number, exc_info=True)
        with _runs_lock:
            if not _runs.get(key):
                _runs.pop(key, None)
                return
            _runs[key] = False


def idle(number: int, database_url: str) -> bool:
    """True when no refresh of the round runs or waits (tests wait on it)."""
    with _runs_lock:
        return (database_url, number) not in _runs


def panel(metrics: dict[str, Any] | None, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Performance panel of my current submission (None without one): validation
    logloss and consistency from its upload, originality and concordance from
    :func:`refresh_round` (``pending`` until then) and, once the oracle has scored the
    round, its live logloss and its verdicts. The ``*_text`` lines are what the page shows."""
    if metrics is None:
        return None
    computed = metrics.get("performance") or {}
    view = {
        "validation_logloss": metrics.get("validation_logloss"),
        "consistency": metrics.get("consistency"),
        "live_logloss": None,
        "pending": "original" not in computed,
        "original": computed.get("original"),
        "similar_to_name": computed.get("similar_to_name"),
        "concordance": computed.get("concordance"),
        "concordant": computed.get("concordant"),
    }
    if result is not None and result.get("live_logloss") is not None:
        view.update(live_logloss=result["live_logloss"], original=result.get("originality"),
                    concordant=result.get("concordance"), pending=False)  # fmt: skip
    view["originality_text"] = _originality_text(view)
    view["concordance_text"] = _concordance_text(view)
    return view


def _originality_text(view: dict[str, Any]) -> str:
    if view["pending"]:
        return "computing…"
    if view["original"] is None:
        return "–"
    if view["original"]:
        return "original"
    return "not original" + (f": like {view['similar_to_name']}" if view["similar_to_name"] else "")


def _concordance_text(view: dict[str, Any]) -> str:
    if view["pending"]:
        return "computing…"
    if view["concordant"] is None:
        return "–"
    value = view["concordance"]
    if value is None:
        return "concordant" if view["concordant"] else "not concordant"
    if view["concordant"]:
        return f"concordant (mean KS {value:.4f} < {CONCORDANCE_LIMIT})"
    return f"not concordant (mean KS {value:.4f} ≥ {CONCORDANCE_LIMIT})"
