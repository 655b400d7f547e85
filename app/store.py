"""Persistence: tables and the functions the web app and the oracle call.

Every function works in the current app context's session (:func:`app.db.get_session`) and
commits its own unit of work, so the oracle can call them from a Flask CLI command and the
web app from a request. Wei amounts are Python ints, stored as decimal strings (exact on
SQLite and PostgreSQL alike). Times are timezone-aware UTC datetimes.

The oracle's calls, in round order::

    create_round(n, closes_at=..., resolves_by=..., dataset_paths={"csv": p, "parquet": p},
                 reward_budget_wei=..., policy="auction2017")
    set_round_status(n, "closed")
    list_submissions(n)                 -> current submissions (stored_path, hash, address ...)
    save_scores(n, rows)                -> replaces the round's scores (see ScoreRow keys)
    set_round_status(n, "resolved", resolved_at=..., live_targets_path=...)
    save_plan(n, plan)                  -> plan id
    record_batch(n, i, tx_hash, status) -> idempotent per (round, batch index)
    set_round_status(n, "settled" / "finalized", **settle_info)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.db import get_session

ROUND_STATUSES = ("open", "closed", "resolved", "settled", "finalized")
BATCH_STATUSES = ("pending", "sent", "confirmed", "failed")
TOKEN_SEPARATOR = "$"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Wei(TypeDecorator):
    """A non-negative or negative integer amount of wei, stored as a decimal string."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> str | None:
        return None if value is None else str(int(value))

    def process_result_value(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else int(value)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class User(Base):
    """A wallet address (checksummed) and an optional display name; nothing else."""

    __tablename__ = "users"
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """An API token: the public id is shown, the secret only once; we keep its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SiweNonce(Base):
    """A Sign-In with Ethereum nonce: single use, short-lived."""

    __tablename__ = "siwe_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Round(Base):
    """A tournament round and where its dataset files are."""

    __tablename__ = "rounds"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolves_by: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dataset_csv_path: Mapped[str | None] = mapped_column(String(500))
    dataset_parquet_path: Mapped[str | None] = mapped_column(String(500))
    reward_budget_wei: Mapped[int] = mapped_column(Wei, default=0)
    policy: Mapped[str] = mapped_column(String(32), default="auction2017")
    settle_info: Mapped[dict] = mapped_column(JSON, default=dict)

    def accepts_uploads(self, now: datetime | None = None) -> bool:
        """True while the round is open and its close time has not passed."""
        return self.status == "open" and (now or utcnow()) < self.closes_at


class Submission(Base):
    """One uploaded prediction file. Only one row per (round, address) is current
    (``superseded_at`` NULL); older uploads stay, so a stake on an older hash can be found."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(
            "uq_current_submission",
            "round_number",
            "address",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    address: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    stored_path: Mapped[str] = mapped_column(String(500))
    original_filename: Mapped[str] = mapped_column(String(255))
    hash: Mapped[str] = mapped_column(String(66), index=True)
    file_format: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Score(Base):
    """The oracle's result for one participant of one round."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("round_number", "address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    address: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    live_logloss: Mapped[float | None] = mapped_column(Float)
    validation_logloss: Mapped[float | None] = mapped_column(Float)
    consistency: Mapped[float | None] = mapped_column(Float)
    originality: Mapped[bool | None] = mapped_column(Boolean)
    concordance: Mapped[bool | None] = mapped_column(Boolean)
    corr: Mapped[float | None] = mapped_column(Float)
    mmc: Mapped[float | None] = mapped_column(Float)
    fnc: Mapped[float | None] = mapped_column(Float)
    per_era: Mapped[dict] = mapped_column(JSON, default=dict)
    stake_wei: Mapped[int] = mapped_column(Wei, default=0)
    confidence: Mapped[str | None] = mapped_column(String(80))
    burn_wei: Mapped[int] = mapped_column(Wei, default=0)
    reward_wei: Mapped[int] = mapped_column(Wei, default=0)


class SettlementPlan(Base):
    """A payout plan as the oracle computed it (the JSON it posts and publishes)."""

    __tablename__ = "settlement_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    plan_json: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SettlementBatch(Base):
    """One settle() transaction of a plan; (round, batch index) is unique, so resumable."""

    __tablename__ = "settlement_batches"
    __table_args__ = (UniqueConstraint("round_number", "batch_index"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    batch_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StoreError(ValueError):
    """A store call that cannot be done as asked (unknown round, bad status ...)."""


# --- users and identity ----------------------------------------------------------------


def get_user(address: str) -> User | None:
    """The user with this checksummed address, or None."""
    return get_session().get(User, address)


def ensure_user(address: str) -> User:
    """The user with this checksummed address, created on first sign-in."""
    user = _add_user(address)
    get_session().commit()
    return user


def _add_user(address: str) -> User:
    """The user row, added to the session (not committed) when new."""
    session = get_session()
    user = session.get(User, address)
    if user is None:
        user = User(address=address)
        session.add(user)
        session.flush()  # no ORM relationships: insert the user before rows that reference it
    return user


def set_display_name(address: str, display_name: str | None) -> User:
    """Set (or clear, with None/empty) a user's display name."""
    user = ensure_user(address)
    user.display_name = display_name or None
    get_session().commit()
    return user


def display_names(addresses: Iterable[str]) -> dict[str, str]:
    """Map each address to its display name, or a shortened address when it has none."""
    addresses = list(set(addresses))
    if not addresses:
        return {}
    rows = get_session().execute(select(User.address, User.display_name).where(User.address.in_(addresses)))
    names = {a: n for a, n in rows if n}
    return {a: names.get(a) or f"{a[:6]}…{a[-4:]}" for a in addresses}


def _secret_digest(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(address: str, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``address``; returns (row, ``"PUBLIC$SECRET"``). The secret is not kept."""
    _add_user(address)
    public_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(public_id=public_id, secret_hash=_secret_digest(secret), address=address, name=name)
    session = get_session()
    session.add(token)
    session.commit()
    return token, f"{public_id}{TOKEN_SEPARATOR}{secret}"


def verify_api_token(presented: str) -> str | None:
    """The address owning ``"PUBLIC$SECRET"``, or None if unknown, wrong or revoked."""
    public_id, sep, secret = presented.partition(TOKEN_SEPARATOR)
    if not sep or not public_id or not secret:
        return None
    token = get_session().scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, _secret_digest(secret)):
        return None
    return token.address


def list_api_tokens(address: str) -> list[ApiToken]:
    """The live tokens of ``address`` (secrets are never returned)."""
    query = select(ApiToken).where(ApiToken.address == address, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    return list(get_session().scalars(query))


def revoke_api_token(address: str, public_id: str) -> bool:
    """Revoke one of ``address``'s own tokens; False if it has no such live token."""
    session = get_session()
    token = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None or token.address != address or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.commit()
    return True


def create_nonce(ttl_seconds: int) -> SiweNonce:
    """A fresh sign-in nonce valid for ``ttl_seconds``; expired unused nonces are swept."""
    session = get_session()
    now = utcnow()
    session.execute(delete(SiweNonce).where(SiweNonce.expires_at < now - timedelta(days=1)))
    row = SiweNonce(nonce=secrets.token_hex(12), created_at=now, expires_at=now + timedelta(seconds=ttl_seconds))
    session.add(row)
    session.commit()
    return row


def get_nonce(nonce: str) -> SiweNonce | None:
    """The nonce row, or None."""
    return get_session().get(SiweNonce, nonce)


def consume_nonce(nonce: str) -> bool:
    """Mark a nonce used; False if it was already used (a concurrent replay lost the race)."""
    session = get_session()
    row = session.get(SiweNonce, nonce, with_for_update=True)
    if row is None or row.used_at is not None:
        session.rollback()
        return False
    row.used_at = utcnow()
    session.commit()
    return True


# --- rounds ------------------------------------------------------------------------------


def create_round(
    number: int,
    *,
    closes_at: datetime,
    resolves_by: datetime,
    dataset_paths: Mapping[str, Any] | None = None,
    reward_budget_wei: int = 0,
    policy: str = "auction2017",
    opened_at: datetime | None = None,
    status: str = "open",
) -> Round:
    """Record a new round. ``dataset_paths`` is what ``RoundDataset.write`` returns."""
    if status not in ROUND_STATUSES:
        raise StoreError(f"unknown round status {status!r}; use one of {', '.join(ROUND_STATUSES)}")
    if closes_at >= resolves_by:
        raise StoreError("closes_at must be before resolves_by")
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
        reward_budget_wei=int(reward_budget_wei),
        policy=policy,
        settle_info={},
    )
    session.add(row)
    session.commit()
    return row


def get_round(number: int) -> Round | None:
    """The round, or None."""
    return get_session().get(Round, number)


def list_rounds() -> list[Round]:
    """All rounds, newest first."""
    return list(get_session().scalars(select(Round).order_by(Round.number.desc())))


def current_round() -> Round | None:
    """The newest open round, else the newest round of any status, else None."""
    session = get_session()
    open_round = session.scalar(select(Round).where(Round.status == "open").order_by(Round.number.desc()))
    return open_round or session.scalar(select(Round).order_by(Round.number.desc()))


def set_round_status(number: int, status: str, *, resolved_at: datetime | None = None, **settle_info: Any) -> Round:
    """Move a round to ``status``; extra keyword arguments are merged into ``settle_info``
    (JSON-serialisable values: tx hashes, totals as strings, published file names ...)."""
    if status not in ROUND_STATUSES:
        raise StoreError(f"unknown round status {status!r}; use one of {', '.join(ROUND_STATUSES)}")
    session = get_session()
    row = session.get(Round, number)
    if row is None:
        raise StoreError(f"round {number} does not exist")
    row.status = status
    if resolved_at is not None:
        row.resolved_at = resolved_at
    if settle_info:
        row.settle_info = {**(row.settle_info or {}), **settle_info}
    session.commit()
    return row


# --- submissions -------------------------------------------------------------------------


def current_submission(round_number: int, address: str) -> Submission | None:
    """``address``'s current submission to the round, or None."""
    query = select(Submission).where(
        Submission.round_number == round_number, Submission.address == address, Submission.superseded_at.is_(None)
    )
    return get_session().scalar(query)


def save_submission(
    round_number: int,
    address: str,
    *,
    stored_path: str,
    original_filename: str,
    file_hash: str,
    file_format: str,
    rows: int,
    metrics: Mapping[str, Any],
) -> Submission:
    """Record an accepted upload as ``address``'s current submission, superseding only
    that address's previous one (in one transaction)."""
    _add_user(address)
    session = get_session()
    now = utcnow()
    previous = current_submission(round_number, address)
    if previous is not None:
        previous.superseded_at = now
        session.flush()  # the partial unique index sees the old row retired first
    row = Submission(
        round_number=round_number,
        address=address,
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


def get_submission(submission_id: int) -> Submission | None:
    """One submission by id (current or superseded)."""
    return get_session().get(Submission, submission_id)


def list_submissions(round_number: int) -> list[Submission]:
    """The round's current submissions (one per address), oldest upload first."""
    query = (
        select(Submission)
        .where(Submission.round_number == round_number, Submission.superseded_at.is_(None))
        .order_by(Submission.created_at, Submission.id)
    )
    return list(get_session().scalars(query))


def submission_by_hash(round_number: int, address: str, file_hash: str) -> Submission | None:
    """The newest upload of ``address`` to the round with this hash (current or older):
    how the oracle finds the file a stake committed to."""
    query = (
        select(Submission)
        .where(Submission.round_number == round_number, Submission.address == address, Submission.hash == file_hash)
        .order_by(Submission.id.desc())
    )
    return get_session().scalar(query)


def user_submissions(address: str) -> list[Submission]:
    """``address``'s current submissions, newest round first."""
    query = (
        select(Submission)
        .where(Submission.address == address, Submission.superseded_at.is_(None))
        .order_by(Submission.round_number.desc())
    )
    return list(get_session().scalars(query))


# --- scores, plans, batches --------------------------------------------------------------

SCORE_FIELDS = (
    "submission_id", "live_logloss", "validation_logloss", "consistency", "originality", "concordance",
    "corr", "mmc", "fnc", "per_era", "stake_wei", "confidence", "burn_wei", "reward_wei",
)  # fmt: skip


def save_scores(round_number: int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Replace the round's scores. Each row needs ``address`` and may carry any of
    ``SCORE_FIELDS`` (wei as ints, ``per_era`` as ``{era: value}``). When
    ``submission_id`` is missing, the address's current submission is linked. Returns the count."""
    session = get_session()
    if session.get(Round, round_number) is None:
        raise StoreError(f"round {round_number} does not exist")
    session.execute(delete(Score).where(Score.round_number == round_number))
    count = 0
    for row in rows:
        unknown = set(row) - set(SCORE_FIELDS) - {"address"}
        if unknown:
            session.rollback()
            raise StoreError(f"unknown score field(s): {', '.join(sorted(unknown))}")
        values = {k: row[k] for k in SCORE_FIELDS if k in row}
        if values.get("submission_id") is None:
            current = current_submission(round_number, row["address"])
            values["submission_id"] = current.id if current else None
        _add_user(row["address"])
        if values.get("confidence") is not None:
            values["confidence"] = str(values["confidence"])
        session.add(Score(round_number=round_number, address=row["address"], **values))
        count += 1
    session.commit()
    return count


def round_scores(round_number: int) -> list[Score]:
    """The round's scores, best live logloss first (unscored last)."""
    query = select(Score).where(Score.round_number == round_number)
    return sorted(get_session().scalars(query), key=_score_order)


def _score_order(score: Score) -> tuple:
    return (score.live_logloss is None, score.live_logloss if score.live_logloss is not None else 0.0, score.address)


def user_scores(address: str) -> list[Score]:
    """``address``'s scores over all rounds, newest round first."""
    query = select(Score).where(Score.address == address).order_by(Score.round_number.desc())
    return list(get_session().scalars(query))


def career_wei(addresses: Iterable[str] | None = None) -> dict[str, int]:
    """Net NMR (rewards minus burns, in wei) per address over all rounds."""
    query = select(Score.address, Score.reward_wei, Score.burn_wei)
    if addresses is not None:
        query = query.where(Score.address.in_(list(addresses)))
    totals: dict[str, int] = {}
    for address, reward, burn in get_session().execute(query):
        totals[address] = totals.get(address, 0) + (reward or 0) - (burn or 0)
    return totals


def save_plan(round_number: int, plan: Mapping[str, Any]) -> int:
    """Store a settlement plan (JSON-serialisable; wei as strings); returns its id."""
    session = get_session()
    if session.get(Round, round_number) is None:
        raise StoreError(f"round {round_number} does not exist")
    row = SettlementPlan(round_number=round_number, plan_json=dict(plan))
    session.add(row)
    session.commit()
    return row.id


def latest_plan(round_number: int) -> dict | None:
    """The newest stored plan of the round, or None."""
    query = select(SettlementPlan).where(SettlementPlan.round_number == round_number).order_by(SettlementPlan.id.desc())
    row = get_session().scalar(query)
    return None if row is None else row.plan_json


def record_batch(round_number: int, batch_index: int, tx_hash: str | None, status: str) -> SettlementBatch:
    """Create or update the batch (round, index): safe to call again when resuming."""
    if status not in BATCH_STATUSES:
        raise StoreError(f"unknown batch status {status!r}; use one of {', '.join(BATCH_STATUSES)}")
    session = get_session()
    row = session.scalar(
        select(SettlementBatch).where(
            SettlementBatch.round_number == round_number, SettlementBatch.batch_index == batch_index
        )
    )
    if row is None:
        row = SettlementBatch(round_number=round_number, batch_index=batch_index)
        session.add(row)
    row.tx_hash = tx_hash or row.tx_hash
    row.status = status
    session.commit()
    return row


def list_batches(round_number: int) -> list[SettlementBatch]:
    """The round's settlement batches in index order."""
    query = select(SettlementBatch).where(SettlementBatch.round_number == round_number)
    return list(get_session().scalars(query.order_by(SettlementBatch.batch_index)))


# --- views for pages and the API ---------------------------------------------------------


def leaderboard(round_number: int | None = None) -> dict[str, Any]:
    """Ranked rows of a scored round (default: the newest round with scores), each with
    rank, address, name, live/validation logloss, consistency, originality, concordance,
    corr, mmc, round and career NMR (wei)."""
    session = get_session()
    if round_number is None:
        round_number = session.scalar(select(func.max(Score.round_number)))
    if round_number is None:
        return {"round": None, "rows": []}
    scores = round_scores(round_number)
    names = display_names(s.address for s in scores)
    careers = career_wei(s.address for s in scores)
    rows = [
        {
            "rank": rank,
            "address": s.address,
            "name": names[s.address],
            **score_view(s),
            "career_nmr_wei": careers.get(s.address, 0),
        }
        for rank, s in enumerate(scores, start=1)
    ]
    return {"round": round_number, "rows": rows}


def score_view(s: Score) -> dict[str, Any]:
    """A score row as pages and the API show it (round NMR = reward - burn, in wei)."""
    return {
        "live_logloss": s.live_logloss,
        "validation_logloss": s.validation_logloss,
        "consistency": s.consistency,
        "originality": s.originality,
        "concordance": s.concordance,
        "corr": s.corr,
        "mmc": s.mmc,
        "fnc": s.fnc,
        "stake_wei": s.stake_wei or 0,
        "confidence": s.confidence,
        "burn_wei": s.burn_wei or 0,
        "reward_wei": s.reward_wei or 0,
        "round_nmr_wei": (s.reward_wei or 0) - (s.burn_wei or 0),
    }


UNSCORED: dict[str, Any] = {
    key: None
    for key in (
        "live_logloss", "validation_logloss", "consistency", "originality", "concordance", "corr", "mmc",
        "fnc", "stake_wei", "confidence", "burn_wei", "reward_wei", "round_nmr_wei",
    )
}  # fmt: skip


def round_results(number: int) -> dict[str, Any] | None:
    """"Tournament N results": totals and per-participant rows, or None for an unknown round."""
    row = get_round(number)
    if row is None:
        return None
    submissions = list_submissions(number)
    scores = round_scores(number)
    by_address = {s.address: s for s in scores}
    names = display_names([s.address for s in submissions] + list(by_address))
    participants = []
    for sub in submissions:
        score = by_address.pop(sub.address, None)
        participants.append(
            {
                "address": sub.address,
                "name": names[sub.address],
                "hash": sub.hash,
                "submitted_at": sub.created_at,
                "validation_logloss_at_upload": (sub.metrics or {}).get("validation_logloss"),
                **(score_view(score) if score else UNSCORED),
            }
        )
    for score in by_address.values():  # scored without a current submission (should not happen)
        participants.append({"address": score.address, "name": names[score.address], **score_view(score)})
    participants.sort(key=lambda p: (p.get("live_logloss") is None, p.get("live_logloss") or 0.0))
    stakers = [s for s in scores if (s.stake_wei or 0) > 0]
    return {
        "round": row,
        "participants": participants,
        "n_participants": len(participants),
        "n_stakers": len(stakers),
        "staked_wei": sum(s.stake_wei for s in stakers),
        "paid_wei": sum(s.reward_wei or 0 for s in scores),
        "burned_wei": sum(s.burn_wei or 0 for s in scores),
        "batches": list_batches(number),
    }
