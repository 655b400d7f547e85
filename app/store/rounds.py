"""Rounds (schedule, dataset files, pools, status) and the submissions uploaded to them.

Submissions belong to a model: the functions taking a participant take its model key
(a bare address is the wallet's model 0, ``<address>-<n>`` model n; :func:`split_key`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.db import get_session
from app.models import (
    FINAL_STATUSES,
    REASON_MAX_CHARS,
    ROUND_STATUSES,
    Round,
    Submission,
    utcnow,
)
from app.store.accounts import add_user
from app.store.errors import (
    ROUND_NUMBER_MAX,
    StoreError,
    check_amount,
    check_choice,
    is_round_number,
    require_round,
    split_key,
)

ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def create_round(
    number: int,
    *,
    closes_at: datetime,
    resolves_by: datetime,
    dataset_paths: Mapping[str, Any] | None = None,
    policy: str = "auction2017",
    usd_staking_pool: int = 0,
    usd_prize_pool: int = 0,
    nmr_pool: int = 0,
    funder: str | None = None,
    opened_at: datetime | None = None,
    live_until: datetime | None = None,
    reveal_until: datetime | None = None,
    status: str = "open",
) -> Round:
    """Record a new round. ``dataset_paths`` is what ``RoundDataset.write`` returns.

    Pools: ``usd_staking_pool`` and ``usd_prize_pool`` in USD units (1e-6 dollar),
    ``nmr_pool`` in NMR wei; ``funder`` is the address that paid them in.
    ``live_until``: when the live targets are known (None: at the close).
    ``reveal_until``: the round is sealed, its files revealed after the close until then
    (no later than the live targets; None: not sealed)."""
    check_choice("round status", status, ROUND_STATUSES)
    if not is_round_number(number):
        raise StoreError(f"round number must be an integer from 1 to {ROUND_NUMBER_MAX:,}, not {number!r}")
    if closes_at >= resolves_by:
        raise StoreError("closes_at must be before resolves_by")
    if live_until is not None and not closes_at <= live_until < resolves_by:
        raise StoreError("live_until must fall between closes_at and resolves_by")
    if reveal_until is not None and not closes_at < reveal_until <= (live_until or closes_at):
        raise StoreError("a sealed round's reveal_until must fall after closes_at and no later than live_until")
    pools = _pools(usd_staking_pool=usd_staking_pool, usd_prize_pool=usd_prize_pool,
                   nmr_pool=nmr_pool or 0)  # fmt: skip
    session = get_session()
    if session.get(Round, number) is not None:
        raise StoreError(f"round {number} already exists")
    paths = dict(dataset_paths or {})
    row = Round(
        number=number,
        status=status,
        opened_at=opened_at or utcnow(),
        closes_at=closes_at,
        resolves_by=resolves_by,
        dataset_csv_path=str(paths["csv"]) if paths.get("csv") else None,
        dataset_parquet_path=str(paths["parquet"]) if paths.get("parquet") else None,
        funder=_funder(funder),
        policy=policy,
        live_until=live_until,
        sealed=reveal_until is not None,
        reveal_until=reveal_until,
        **pools,
    )
    session.add(row)
    session.commit()
    return row


def set_round_funding(
    number: int,
    *,
    usd_staking_pool: int | None = None,
    usd_prize_pool: int | None = None,
    nmr_pool: int | None = None,
    funder: str | None = None,
) -> Round:
    """Record the round's pools as funded (whole amounts, not increments; None leaves a
    pool as it is) and who funded them."""
    given = {"usd_staking_pool": usd_staking_pool, "usd_prize_pool": usd_prize_pool, "nmr_pool": nmr_pool}
    pools = _pools(**{k: v for k, v in given.items() if v is not None})
    checked_funder = _funder(funder)
    row = require_round(number)
    for key, value in pools.items():
        setattr(row, key, value)
    if checked_funder is not None:
        row.funder = checked_funder
    get_session().commit()
    return row


def _pools(**amounts: Any) -> dict[str, int]:
    return {key: check_amount(key, value) for key, value in amounts.items()}


def _funder(funder: str | None) -> str | None:
    if funder is not None and not ADDRESS.fullmatch(funder):
        raise StoreError(f"funder must be a 0x-prefixed 20-byte hex address, not {funder!r}")
    return funder


def get_round(number: int) -> Round | None:
    """The round, or None (also for a number no round can have, e.g. 0 or 10**25)."""
    return get_session().get(Round, number) if is_round_number(number) else None


def list_rounds(status: str | None = None) -> list[Round]:
    """All rounds (or those in ``status``, one of ``ROUND_STATUSES``), newest first."""
    query = select(Round).order_by(Round.number.desc())
    if status is not None:
        query = query.where(Round.status == check_choice("round status", status, ROUND_STATUSES))
    return list(get_session().scalars(query))


def current_round() -> Round | None:
    """The newest round taking uploads, else the newest open one (its close passed, the
    oracle has not marked it), else the newest round of any status, else None."""
    session = get_session()
    newest_open = select(Round).where(Round.status == "open").order_by(Round.number.desc())
    taking = session.scalar(newest_open.where(Round.closes_at > utcnow()))
    return taking or session.scalar(newest_open) or session.scalar(select(Round).order_by(Round.number.desc()))


def rounds_in_flight() -> list[Round]:
    """Every round not yet finalized, expired or voided, oldest first: the keeper's work."""
    query = select(Round).where(Round.status.not_in(FINAL_STATUSES)).order_by(Round.number)
    return list(get_session().scalars(query))


def set_round_status(number: int, status: str, *, resolved_at: datetime | None = None) -> Round:
    """Move a round to ``status`` (one of ``ROUND_STATUSES``)."""
    check_choice("round status", status, ROUND_STATUSES)
    row = require_round(number)
    row.status = status
    if resolved_at is not None:
        row.resolved_at = resolved_at
    get_session().commit()
    return row


CHAIN_TOTAL_COLUMNS = ("paid_usd", "paid_nmr", "burned_nmr", "returned_usd", "returned_nmr")


def record_chain_totals(number: int, *, unsettled_stakes: int, **totals: int) -> Round:
    """Record what the escrow paid, burned and returned for the round (read from the chain
    when it ended): every one of :data:`CHAIN_TOTAL_COLUMNS`, in token units."""
    if set(totals) != set(CHAIN_TOTAL_COLUMNS):
        raise StoreError(f"chain totals must be exactly {', '.join(CHAIN_TOTAL_COLUMNS)}")
    checked = _pools(**totals)
    row = require_round(number)
    for key, value in checked.items():
        setattr(row, key, value)
    row.unsettled_stakes = int(unsettled_stakes)
    get_session().commit()
    return row


def set_keeper_note(number: int, note: str | None) -> Round:
    """Record why the keeper's step for the round cannot go on (None: it went on)."""
    row = require_round(number)
    row.keeper_note = None if note is None else note[:REASON_MAX_CHARS]
    get_session().commit()
    return row


def record_dispute(number: int, disputer: str, upheld: bool, reward: int) -> Round:
    """Record the guardian's ruling on the round's dispute (from the chain's event)."""
    checked = _funder(disputer)
    row = require_round(number)
    row.disputer, row.dispute_upheld = checked, bool(upheld)
    row.dispute_reward = check_amount("dispute reward", reward)
    get_session().commit()
    return row


def disputes_by(address: str) -> list[Round]:
    """The rounds `address` disputed and the guardian ruled on, newest first."""
    query = select(Round).where(Round.disputer == address).order_by(Round.number.desc())
    return list(get_session().scalars(query))


def set_published_files(number: int, names: list[str]) -> Round:
    """Record the names of the files published for the round (relative to its folder)."""
    row = require_round(number)
    row.published_files = sorted(str(name) for name in names)
    get_session().commit()
    return row


# --- submissions -------------------------------------------------------------------------


def _of_model(key: str) -> tuple:
    """The WHERE clauses selecting the rows of model ``key``."""
    address, number = split_key(key)
    return Submission.address == address, Submission.model_number == number


def current_submission(round_number: int, key: str) -> Submission | None:
    """The current submission of model ``key`` (an address: its model 0) to the round, or None."""
    query = select(Submission).where(Submission.round_number == round_number, *_of_model(key),
                                     Submission.superseded_at.is_(None))  # fmt: skip
    return get_session().scalar(query)


def save_submission(
    round_number: int,
    key: str,
    *,
    stored_path: str,
    original_filename: str,
    file_hash: str,
    file_format: str,
    rows: int,
    metrics: Mapping[str, Any],
) -> Submission:
    """Record an accepted upload as model ``key``'s current submission, superseding only
    that model's previous one (in one transaction)."""
    address, number = split_key(key)
    add_user(address)
    session = get_session()
    now = utcnow()
    previous = current_submission(round_number, key)
    if previous is not None:
        previous.superseded_at = now
        session.flush()  # the partial unique index sees the old row retired first
    row = Submission(
        round_number=round_number,
        address=address,
        model_number=number,
        stored_path=stored_path,
        original_filename=original_filename[:255],
        hash=file_hash,
        file_format=file_format,
        rows=rows,
        metrics=dict(metrics),
        created_at=now,
    )
    session.add(row)
    session.commit()
    return row


def set_submission_metrics(submission_id: int, **metrics: Any) -> None:
    """Merge ``metrics`` (JSON-serialisable) into a submission's metrics, e.g. the
    Performance panel's originality and concordance computed after its upload."""
    session = get_session()
    row = session.get(Submission, submission_id)
    if row is None:
        return
    row.metrics = {**(row.metrics or {}), **metrics}
    session.commit()


def get_submission(submission_id: int) -> Submission | None:
    """One submission by id (current or superseded)."""
    return get_session().get(Submission, submission_id)


def list_submissions(round_number: int) -> list[Submission]:
    """The round's current submissions (one per model), oldest upload first."""
    query = (
        select(Submission)
        .where(Submission.round_number == round_number, Submission.superseded_at.is_(None))
        .order_by(Submission.created_at, Submission.id)
    )
    return list(get_session().scalars(query))


def submission_by_hash(round_number: int, key: str, file_hash: str) -> Submission | None:
    """The newest upload of model ``key`` to the round with this hash (current or older):
    how the oracle finds the file a stake committed to."""
    query = (
        select(Submission)
        .where(Submission.round_number == round_number, *_of_model(key), Submission.hash == file_hash)
        .order_by(Submission.id.desc())
    )
    return get_session().scalar(query)


def user_submissions(key: str) -> list[Submission]:
    """Model ``key``'s current submissions, newest round first."""
    query = (
        select(Submission)
        .where(*_of_model(key), Submission.superseded_at.is_(None))
        .order_by(Submission.round_number.desc())
    )
    return list(get_session().scalars(query))


def wallet_submissions(address: str) -> list[Submission]:
    """The current submissions of every model of wallet ``address``, newest round first,
    then by model number."""
    query = (
        select(Submission)
        .where(Submission.address == split_key(address)[0], Submission.superseded_at.is_(None))
        .order_by(Submission.round_number.desc(), Submission.model_number)
    )
    return list(get_session().scalars(query))
