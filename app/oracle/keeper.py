"""The keeper: one loop that drives every round in flight to its end, as in 2017 when a
round opened every week and each resolved weeks later.

Each pass (:func:`tick`) opens a round when the schedule says one is due (``ROUND_EVERY``
after the newest opened, whatever state the earlier ones are in), then looks at every
round not yet finalized, expired or voided and takes its next step if it is due
(:func:`app.schedule.round_phase`): finish opening, close, resolve (plan, publish,
commit), settle once the challenge window is over, finalize, record a voided round, or
expire one past ``resolvesBy``. Every step is idempotent and journaled, so the keeper can
be stopped anywhere and started again later: it picks each round up where it stands.
A step that cannot go on says why once (the round's ``keeper_note``), is tried again
after a growing pause, and never holds up the other rounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app

from app import store
from app.chain import get_chain
from app.oracle.common import (
    NMR,
    OPERATOR_ERRORS,
    USD,
    OracleError,
    Reporter,
    timestamp,
)
from app.oracle.endings import expire_round, lapse_dispute, void_round
from app.oracle.opening import finish_opening, next_round_number, open_round
from app.oracle.publishing import commit_round
from app.oracle.resolving import close_round, plan_round
from app.oracle.settling import finalize_round, settle_round
from app.schedule import Phase, Schedule, duration_text, round_phase
from client.core.money.stakes import Pools

# A failed step waits this long before its next try, doubling up to the cap.
FIRST_PAUSE, LONGEST_PAUSE = 5, 600
# A plan amender (a rehearsal's hook, e.g. the demo's wrong plan): (round, plan) -> the plan to commit.
PlanAmender = Callable[[int, dict], dict | None]
STEPS = ("open", "close", "resolve", "commit", "lapse", "settle", "finalize", "void", "expire")


def phase_of(row: store.Round, view: dict | None, now: int, window: int) -> Phase:
    """Where the stored round stands, by the escrow's `view` of it."""
    return round_phase(row.status, Schedule.of(row), view, now, window)


def scheduled_pools() -> Pools:
    """The pools the schedule funds each round with (``ROUND_POOL_*`` in dollars and NMR)."""
    config = current_app.config
    return Pools(usd_staking=int(Decimal(config["ROUND_POOL_USD_STAKING"]) * USD),
                 usd_prize=int(Decimal(config["ROUND_POOL_USD_PRIZE"]) * USD),
                 nmr=int(Decimal(config["ROUND_POOL_NMR"]) * NMR))


def next_opening(now: int) -> int | None:
    """When the schedule opens the next round (chain time; None: the keeper opens none)."""
    every = int(current_app.config["ROUND_EVERY"])
    if every <= 0:
        return None
    newest = max(store.list_rounds(), key=lambda r: r.number, default=None)
    return now if newest is None else timestamp(newest.opened_at) + every


def sealed_by_schedule(number: int) -> bool:
    """Whether the schedule seals round `number`: N mod ``SEALED_EVERY`` is
    ``SEALED_OFFSET`` (``SEALED_EVERY`` 0: no round is sealed)."""
    every = int(current_app.config["SEALED_EVERY"])
    return every > 0 and number % every == int(current_app.config["SEALED_OFFSET"]) % every


def open_scheduled_round(report: Reporter) -> store.Round:
    """Opens the next round with the schedule's durations and pools, sealed if the
    schedule says so."""
    config = current_app.config
    staking, live = int(config["ROUND_STAKING_SECONDS"]), int(config["ROUND_LIVE_SECONDS"])
    resolution = int(config["ROUND_RESOLUTION_SECONDS"])
    number = next_round_number()
    return open_round(number=number, closes_in=staking, live_in=staking + live, resolves_in=staking + live + resolution,
                      pools=scheduled_pools(), sealed=sealed_by_schedule(number), report=report)


@dataclass
class Keeper:
    """The keeper's memory between passes: what it last said of each round (said once)
    and when a failed step may be tried again."""

    report: Reporter = print
    amend_plan: PlanAmender | None = None
    _said: dict[int, str] = field(default_factory=dict)  # round -> the state last reported
    # (round, step) -> (monotonic time of the next try, the pause, what its failure said)
    _retry_at: dict[tuple[int, str], tuple[float, float, str]] = field(default_factory=dict)

    def tick(self) -> list[Phase]:
        """One pass: open a round if one is due, then every round in flight takes its next
        due step. Returns each round's phase after the pass."""
        chain = get_chain()
        now = chain.now()
        due = next_opening(now)
        if due is not None and now >= due:
            self._attempt(0, "open", lambda: open_scheduled_round(self.report))
        window = chain.commit_lead()
        return [self._advance(row, chain.now(), window) for row in store.rounds_in_flight()]

    def _advance(self, row: store.Round, now: int, window: int) -> Phase:
        """Takes the round's due steps one after another (close, then resolve, ...) until
        one is not due yet, fails, or the round ended."""
        chain = get_chain()
        number = row.number
        for _ in range(len(STEPS)):
            view = chain.round(number) if row.status != "opening" else None
            phase = phase_of(row, view, chain.now(), window)
            if self._said.get(number) != phase.state:
                self._said[number] = phase.state
                self.report(f"round {number}: {phase.words}")
            if not phase.is_due(chain.now()) or not self._attempt(number, phase.action,
                                                                  lambda a=phase.action: self._take(number, a)):
                return phase
            row = store.get_round(number)
        return phase

    def _take(self, number: int, action: str) -> None:
        quiet = self.report
        if action not in STEPS:  # a phase this keeper does not know: said, never guessed at
            raise OracleError(f"round {number}: no step named {action!r}")
        if action == "open":
            finish_opening(number, quiet)
        elif action == "close":
            close_round(number, quiet)
        elif action == "resolve":
            document = plan_round(number, report=quiet)
            if self.amend_plan is not None and (amended := self.amend_plan(number, document)) is not None:
                store.save_plan(number, amended)
            commit_round(number, quiet)
        elif action == "commit":
            commit_round(number, quiet)
        elif action == "lapse":
            lapse_dispute(number, quiet)
        elif action == "settle":
            settle_round(number, quiet, wait_up_to=0)
        elif action == "finalize":
            finalize_round(number, quiet)
        elif action == "void":
            void_round(number, quiet)
        elif action == "expire":
            expire_round(number, quiet)

    def _attempt(self, number: int, action: str, step: Callable[[], object]) -> bool:
        """Runs a step unless it failed lately; a failure is said once (and kept as the
        round's ``keeper_note``) and paused. Returns whether the step ran and succeeded."""
        key = (number, action)
        retry_at, pause, said = self._retry_at.get(key, (0.0, FIRST_PAUSE / 2, ""))
        if time.monotonic() < retry_at:
            return False
        try:
            step()
        except OPERATOR_ERRORS as exc:
            pause = min(LONGEST_PAUSE, pause * 2)
            note = f"{action} cannot go on: {exc}"
            self._retry_at[key] = (time.monotonic() + pause, pause, note)
            if note != said:
                what = f"round {number}" if number else "the schedule"
                self.report(f"{what}: {note} (tried again in {duration_text(int(pause))}, said once)")
                if number and store.get_round(number) is not None:
                    store.set_keeper_note(number, note)
            return False
        if self._retry_at.pop(key, None) is not None and number:
            store.set_keeper_note(number, None)
        return True


def run(every: float | None = None, once: bool = False, report: Reporter = print,
        amend_plan: PlanAmender | None = None, keep_going: Callable[[], bool] = lambda: True) -> None:
    """The keeper's loop: a pass every `every` seconds (``KEEPER_TICK_SECONDS``) until
    stopped (or one pass with `once`). On a development chain, which mines only on demand,
    each pass mines an empty block so its clock reaches the deadlines."""
    keeper = Keeper(report=report, amend_plan=amend_plan)
    every = float(current_app.config["KEEPER_TICK_SECONDS"] if every is None else every)
    stopped_since: float | None = None  # when passes began to fail (the node or the database away)
    while keep_going():
        try:
            chain = get_chain()
            if chain.chain_id == 1337:
                chain.mine_empty_block()
            keeper.tick()
        except OPERATOR_ERRORS as exc:  # said once; every next pass tries again
            if stopped_since is None:
                stopped_since = time.monotonic()
                report(f"keeper: this pass stopped: {exc}; trying again every {every:g} s "
                       "(said once)")
        else:
            if stopped_since is not None:
                report(f"keeper: going on: a pass ran again after {time.monotonic() - stopped_since:.0f} s")
                stopped_since = None
        store.get_session().rollback()  # no stale reads between passes
        if once:
            return
        time.sleep(every)


def pipeline() -> list[dict]:
    """Every round in flight, oldest first, as the operator's ``status`` lists it: its
    state, the next step and when it is due (chain time), and what the keeper last said."""
    chain = get_chain()
    now, window = chain.now(), chain.commit_lead()
    rows = []
    for row in store.rounds_in_flight():
        view = chain.round(row.number) if row.status != "opening" else None
        phase = phase_of(row, view, now, window)
        rows.append({"round": row.number, "status": row.status, "state": phase.state, "words": phase.words,
                     "next": phase.action, "due_in": max(0, phase.due - now) if phase.due else 0,
                     "note": row.keeper_note})
    due = next_opening(now)
    if due is not None:
        rows.append({"round": None, "status": "scheduled", "state": "scheduled", "next": "open",
                     "words": "the next round opens on the schedule", "due_in": max(0, due - now), "note": None})
    return rows


def status(report: Reporter = print) -> list[dict]:
    """Reports :func:`pipeline`, one line a round."""
    rows = pipeline()
    if not rows:
        report("no round in flight, and the schedule opens none (ROUND_EVERY is 0): open one with `flask oracle open`")
    for entry in rows:
        name = f"round {entry['round']}" if entry["round"] else "next round"
        step = entry["next"] or "none (waiting on others)"
        when = "now" if not entry["due_in"] else f"in {duration_text(entry['due_in'])}"
        line = f"{name}: {entry['state']} — {entry['words']}; next step: {step}" + (f", due {when}" if entry["next"] else "")
        if entry["note"] and "cannot go on" in entry["note"]:
            line += f" (last: {entry['note']})"
        report(line)
    return rows


def run_round(number: int, report: Reporter = print, wait_up_to: float = 600) -> store.Round:
    """Drives one round to its end now, waiting out its challenge window (up to
    `wait_up_to` s): close, resolve (plan, publish, commit), settle, finalize; a round
    past its oracle deadline is expired instead (the escape-hatch path)."""
    row = store.get_round(number)
    if row is None:
        raise OracleError(f"round {number} is not known to this server; open it first")
    if row.status == "opening":
        finish_opening(number, report)
    close_round(number, report)
    row = store.get_round(number)
    chain = get_chain()
    if row.status in ("voided", "expired", "finalized"):
        report(f"round {number}: {row.status}")
        return row
    if chain.round(number)["voided"]:
        return void_round(number, report)
    if row.status != "settled" and chain.now() >= chain.round(number)["resolves_by"]:
        return expire_round(number, report)
    if row.status != "settled":
        plan_round(number, report=report)
        settle_round(number, report, wait_up_to=wait_up_to)
    return finalize_round(number, report)
