"""Every page's round header: "Tournament N · 2D 9H 53M 17S remain", by the chain's clock.

The pages render it (a context processor in :mod:`app.web.pages`) and
``static/js/round_header.js`` keeps it live: it ticks each second from ``seconds_left`` and
asks ``GET /api/v1/rounds/current`` (its ``header``) every ``ROUND_HEADER_POLL_SECONDS`` and at zero,
so "closed — resolving" and then the results link arrive without a reload.

Deadlines are the escrow's (chain time). A development chain's clock runs ahead of this
computer's once a test or an operator moves it, so the header counts down from the chain's
latest block when that is ahead; the reading is refreshed in the background once per poll
interval and process, so no page waits for the node. A real chain's latest block is never
ahead.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, url_for

from app import store
from app.chain import reads
from app.schedule import duration_text

# What the header says of a round's status once its staking deadline has passed.
PHASES = {
    "open": "open",
    "closed": "resolving",
    "resolved": "resolved",
    "settled": "resolved",
    "finalized": "resolved",
    "expired": "resolved",
    "voided": "voided",  # a dispute upheld: nobody is paid or burned
}
PHASE_WORDS = {"resolving": "closed — resolving", "resolved": "resolved",
               "voided": "voided — every stake can be withdrawn"}
ENDED_PHASES = ("resolved", "voided")

_skew_lock = threading.Lock()
_skews: dict[str, tuple[float, int]] = {}  # RPC URL -> (monotonic time read, chain ahead by s)
_reading: set[str] = set()  # RPC URLs whose clock a background thread is reading


def chain_ahead_seconds() -> int:
    """How far the chain's clock runs ahead of this computer's (0 when behind or unknown).

    Never waits for the node: a reading older than one poll interval is refreshed by a
    background thread, and the page meanwhile uses the last one (a slow or hung node costs
    the header its correction, never a page its answer)."""
    if "chain" not in current_app.extensions:
        return 0
    url = str(current_app.config.get("RPC_URL"))
    ttl = current_app.config["ROUND_HEADER_POLL_SECONDS"]
    with _skew_lock:
        read_at, ahead = _skews.get(url, (None, 0))
        if (read_at is None or time.monotonic() - read_at >= ttl) and url not in _reading:
            _reading.add(url)
            threading.Thread(target=_read_chain_clock, args=(current_app._get_current_object(), url), daemon=True,
                             name="round-header-clock").start()  # fmt: skip
    return ahead


def _read_chain_clock(app: Flask, url: str) -> None:
    with app.app_context():
        now = reads.now()  # None when the node does not answer: the header goes uncorrected
    ahead = max(0, int(now) - int(time.time())) if now is not None else 0
    with _skew_lock:
        _skews[url] = (time.monotonic(), ahead)
        _reading.discard(url)


def round_header() -> dict[str, Any] | None:
    """The current round as the header shows it, or None before the first round.

    ``phase`` is ``open`` (counting down), ``resolving`` (closed, not yet resolved),
    ``resolved``, or the round's own status when it is one this header does not know
    (a newer state is shown as it is, never as open); ``previous`` is the newest resolved
    round before it, whose results the header links to while the next one runs."""
    row = store.current_round()
    if row is None:
        return None
    now = store.utcnow() + timedelta(seconds=chain_ahead_seconds())
    seconds_left = max(0, int((row.closes_at - now).total_seconds()))
    phase = PHASES.get(row.status, row.status)
    if phase == "open" and seconds_left == 0:
        phase = "resolving"
    return {
        "number": row.number,
        "status": row.status,
        "phase": phase,
        "phase_text": PHASE_WORDS.get(phase, phase),
        "seconds_left": seconds_left if phase == "open" else 0,
        "closes_at": row.closes_at,
        "round_url": url_for("pages.current_round"),
        "results_url": url_for("pages.round_results", number=row.number) if phase in ENDED_PHASES else None,
        "previous": _previous_resolved(row.number),
        "poll_seconds": current_app.config["ROUND_HEADER_POLL_SECONDS"],
    }


def _previous_resolved(number: int) -> dict[str, Any] | None:
    for row in store.list_rounds():
        if row.number < number and PHASES.get(row.status) == "resolved":
            return {"number": row.number, "results_url": url_for("pages.round_results", number=row.number)}
    return None


def remaining_text(seconds: int) -> str:
    """``2D 9H 53M 17S`` (the 2017 pages' countdown; :func:`app.schedule.duration_text`)."""
    return duration_text(seconds)
