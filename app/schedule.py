"""A round's place in its life, from the server's record and the escrow's view (pure: no
Flask, no web3), for the keeper, the operator's status and the pages alike.

open -> live (staking over, waiting for the live targets) -> resolving (plan, publish,
commit) -> committed (the challenge window) -> settling -> settled -> finalized; side
exits: disputed -> voided (upheld), or back to settling (rejected, or no ruling within the
ruling period: the dispute lapses), or past ``resolvesBy`` unsettled -> expired (the
escape hatch).
Times are chain timestamps (seconds); the chain's clock decides every deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FINAL = ("finalized", "expired", "voided")


def duration_text(seconds: int) -> str:
    """``2D 9H 53M 17S``: the 2017 pages' countdown form, used for every duration."""
    days, rest = divmod(max(0, int(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}D {hours}H {minutes}M {secs}S"


def moment_text(moment: datetime) -> str:
    """``2026-11-25 02:30:05 UTC``: a deadline to the second, as reasons and rules name it."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass(frozen=True)
class Phase:
    """Where a round stands: ``state`` (one word), ``words`` (a sentence for people),
    ``action`` (the keeper's next step, None when it waits on someone else or the round
    ended) and ``due`` (the chain time it is due; None: now, or never when no action)."""

    state: str
    words: str
    action: str | None
    due: int | None = None

    def is_due(self, now: int) -> bool:
        """Whether the keeper should take :attr:`action` at chain time `now`."""
        return self.action is not None and (self.due is None or now >= self.due)


@dataclass(frozen=True)
class Schedule:
    """A round's deadlines as chain timestamps (``live_until`` defaults to the close)."""

    closes_at: int
    live_until: int
    resolves_by: int

    @classmethod
    def of(cls, row: Any) -> Schedule:
        """The deadlines of a stored round (aware datetimes ``closes_at``, ``live_until``
        or None, ``resolves_by``)."""
        closes = int(row.closes_at.timestamp())
        live = int(row.live_until.timestamp()) if row.live_until else closes
        return cls(closes, live, int(row.resolves_by.timestamp()))


def round_phase(status: str, schedule: Schedule, view: Mapping[str, Any] | None, now: int,
                commit_lead: int) -> Phase:
    """The round's phase from its stored `status` and the escrow's `view` (``Chain.round``;
    None when the chain was not read: the stored status alone speaks). `commit_lead` is
    the least time before resolvesBy a commit needs (``Chain.commit_lead``)."""
    if status in FINAL:
        return Phase(status, _ENDED[status], None)
    if status == "opening":
        return Phase("opening", "being opened: its creation or funding is not confirmed yet", "open")
    if view is not None and view["voided"]:
        return Phase("voided", "voided on chain: a dispute was upheld", "void")
    if view is not None and view["finalized"]:
        return Phase("settled", "finalized on chain", "finalize")
    left = schedule.resolves_by - now
    deadline = f"the oracle's deadline in {duration_text(left)}"
    if status == "open" and now < schedule.closes_at:
        return Phase("open", f"open: staking closes in {duration_text(schedule.closes_at - now)}", "close",
                     schedule.closes_at)
    settled_all = status == "settled"
    if left <= 0 and not settled_all:
        return Phase("expiring", "past the oracle's deadline unsettled: finalized on the escape-hatch path", "expire")
    if settled_all:
        return Phase("settled", "every stake settled and the prizes paid: finalize returns the unspent pools",
                     "finalize")
    committed = view is not None and view["committed"]
    if not committed:
        if now < schedule.live_until:
            return Phase("live", f"live data until {duration_text(schedule.live_until - now)} from now",
                         "resolve", schedule.live_until)
        if now + commit_lead >= schedule.resolves_by:
            return Phase("late", f"too late to commit before the oracle's deadline; expires in {duration_text(left)}",
                         "expire", schedule.resolves_by)
        if status == "resolved":
            return Phase("resolving", f"resolved: its results are being committed; {deadline}", "commit")
        return Phase("resolving", f"live data known: being scored and resolved; {deadline}", "resolve")
    if view["disputed"]:
        ruling_ends = view["ruling_ends_at"]
        if now < ruling_ends:
            # Said once: the phase stays the same until the ruling, or until it is due to lapse.
            return Phase("disputed", f"disputed by {view['disputer']}: waits for the guardian's ruling for "
                         f"{duration_text(ruling_ends - now)}, then the dispute lapses", "lapse", ruling_ends)
        return Phase("lapsing", f"no ruling on {view['disputer']}'s dispute within the ruling period: it lapses "
                     "(the bond goes back) and the committed results settle", "lapse")
    ends = view["challenge_ends_at"]
    if now < ends:
        return Phase("committed", f"challenge ends in {duration_text(ends - now)}", "settle", ends)
    if view["batches_settled"] or view["prizes_paid"]:
        posted = f"{view['batches_settled']} of {view['batch_count'] - 1} batches posted"
        return Phase("settling", f"settling ({posted}); {deadline}", "settle")
    return Phase("settling", f"challenge window over: settlement starts; {deadline}", "settle")


_ENDED = {
    "finalized": "finalized: every stake settled, the prizes paid, the unspent pools back with the funder",
    "expired": "expired: the oracle's deadline passed unsettled; every unsettled stake is withdrawable in full",
    "voided": "voided: a dispute was upheld; every stake is withdrawable in full",
}
