"""Tables: the column types and the tables of the tournament's database.

One job past ~350 lines: every table is declared here, and only here, because the schema
is created and migrated from this one module (:mod:`app.db`); splitting it by table would
spread one schema over files that must all be imported before ``create_all``.

Tables apart from queries: this module imports nothing of the app (no session, no Flask),
so :mod:`app.db` can create the schema from it and :mod:`app.store` can query it without
an import circle.

A participant is a model: a wallet's model 0 (implicit, named by the wallet's display
name) or one it registered (:class:`Model`, numbered from 1). Submissions and scores
carry ``(address, model_number)``; their ``model_key`` is the one string the oracle,
payout, pages and numerapi key them by: the address for model 0, ``<address>-<n>`` else
(:mod:`client.core.models`).

Amounts are Python ints in the token's base unit: NMR in wei (18 decimals), USD in units
of 1e-6 dollar (the stablecoin's 6 decimals). `app.columns.Wei` stores them as decimal strings,
exact on SQLite and PostgreSQL alike at any size. Times are timezone-aware UTC datetimes.

A column added to a table that already existed before (on a database created by an older
version) must be nullable or carry a ``server_default``: :func:`app.db.add_missing_columns`
adds it to existing files on start.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.columns import Address, UTCDateTime, Wei, amount_column
from client.core.models import SEPARATOR

# "expired": the oracle's deadline passed before the round was settled; it is finalized on
# the escape-hatch path (stakers withdraw their whole stake, the pools go back).
# voided: a dispute of the committed results was upheld; every stake came back in full.
# "opening": stored, its dataset written, but createRound or its funding not yet confirmed
# (the keeper resumes it); "open" takes uploads and stakes until closesAt.
ROUND_STATUSES = ("opening", "open", "closed", "resolved", "settled", "finalized", "expired", "voided")
# The statuses a round ends in; every other is "in flight" and the keeper takes its next step.
FINAL_STATUSES = ("finalized", "expired", "voided")
# What the chain answered to an oracle transaction: refused (not sent; the escrow said why),
# reverted (mined, failed), unknown (sent, no answer yet: resumed by a rerun, never "failed"),
# unsent (the node did not answer; nothing was sent).
TRANSACTION_STATUSES = ("pending", "sent", "confirmed", "refused", "reverted", "unknown", "unsent")
# The oracle's (and the funder's) transactions of a round, in the order a round sends them;
# a kind sent more than once per round (the settle batches) numbers them by ``position``.
TRANSACTION_KINDS = ("create", "mint", "fund", "commit", "settle", "prizes", "finalize")
REASON_MAX_CHARS = 300


def key_of(address: str, number: int) -> str:
    """The model key of model ``number`` of ``address``: the address itself for model 0."""
    return address if not number else f"{address}{SEPARATOR}{number}"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class User(Base):
    """A wallet address (checksummed) and an optional display name; nothing else."""

    __tablename__ = "users"
    address: Mapped[str] = mapped_column(Address, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The number the wallet's newest model took: raised by one UPDATE per new model, which
    # locks the row, so two adds at once take two numbers (never the same max + 1).
    models_numbered: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Model(Base):
    """A model a wallet registered beside its implicit model 0: numbered from 1 in the order
    registered, named uniquely across all wallets (case-blind, the index on ``lower(name)``).
    Model 0 has no row: its name is the wallet's display name (or address)."""

    __tablename__ = "models"
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        """The model key (``<address>-<number>``)."""
        return key_of(self.address, self.number)


Index("uq_model_name", func.lower(Model.name), unique=True)


SKELETON_MAX = 400  # NFKC may widen a character (a ligature to its letters); 40 such fit


class NameClaim(Base):
    """One name of the one namespace of display names and model names, keyed by its
    skeleton (app.names: case and look-alike letters folded), so no two names that read
    alike can exist. (address, 0) is a display name, (address, n) model n's name."""

    __tablename__ = "name_claims"
    __table_args__ = (UniqueConstraint("address", "number", name="uq_name_claim_model"),)
    skeleton: Mapped[str] = mapped_column(String(SKELETON_MAX), primary_key=True)
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))


class ApiToken(Base):
    """An API token: the public id is shown, the secret only once; we keep its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), index=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    # What the token may do, space-separated (app.access.SCOPES). Tokens made before scopes
    # existed were advertised with both, so the column's default gives them both.
    scopes: Mapped[str] = mapped_column(String(64), default="upload read", server_default="upload read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def scope_list(self) -> list[str]:
        """The scopes, in their canonical order."""
        return self.scopes.split()


class SiweNonce(Base):
    """A Sign-In with Ethereum nonce: single use, short-lived."""

    __tablename__ = "siwe_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client: Mapped[str | None] = mapped_column(String(64), index=True)  # who asked (rate limit)


class WebSession(Base):
    """A signed-in browser session. The cookie carries a random session id; the row keeps
    only its SHA-256 (``id``), so the server can end it (logout, log out everywhere)."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What signed in: "browser", "nmr" (the command line) or "script" (app.auth.session_client);
    # None for sessions older than the column.
    client: Mapped[str | None] = mapped_column(String(16))


class UploadTicket(Base):
    """One numerapi upload (app/web/numerapi_upload.py): for one model (``address``,
    ``model_number``; :attr:`model_key`) and round, short
    lived, PUT once (``put_at``) and submitted once (``used_at``). ``id`` is the SHA-256 of
    the secret in the URL."""

    __tablename__ = "upload_tickets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(Address, index=True)
    model_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    round_number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    put_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def model_key(self) -> str:
        """The key of the model the upload is for (the address for model 0)."""
        return key_of(self.address, self.model_number or 0)


class Round(Base):
    """A tournament round: its schedule, dataset files, pools and payout policy.

    Schedule: uploads and stakes until ``closes_at``; the live targets are known at
    ``live_until`` (None: at the close), after which the oracle resolves it, before
    ``resolves_by`` (the escrow's deadline).
    The pools are what the funder paid into the escrow: ``usd_staking_pool`` (the staking
    auction's prizes) and ``usd_prize_pool`` (the rank prizes), in USD units, and
    ``nmr_pool`` (the NMR issuance for rank prizes and the corr policy), in wei.
    ``nmr_pool`` is the column older versions called ``reward_budget_wei`` (renamed by
    :func:`app.db.rename_columns`, so rounds recorded before keep it as their NMR pool).
    ``paid_usd``, ``paid_nmr``, ``burned_nmr``, ``returned_usd``, ``returned_nmr`` and
    ``unsettled_stakes`` are the chain's totals, copied from the escrow when the round
    ended (None before): what was paid, never what was planned. ``keeper_note``: why the
    keeper's last step for it could not go on (None when it went on). ``disputer``,
    ``dispute_upheld`` and ``dispute_reward`` (NMR wei, paid from the NMR pool when
    upheld) are the guardian's ruling as the chain's DisputeRuled event has it.
    ``sealed``: until the close only each file's hash and shape reach the server; the
    files are revealed from the close until ``reveal_until`` (docs/sealed.md).
    """

    __tablename__ = "rounds"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolves_by: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dataset_csv_path: Mapped[str | None] = mapped_column(String(500))
    dataset_parquet_path: Mapped[str | None] = mapped_column(String(500))
    nmr_pool: Mapped[int] = amount_column()
    usd_staking_pool: Mapped[int] = amount_column()
    usd_prize_pool: Mapped[int] = amount_column()
    funder: Mapped[str | None] = mapped_column(Address)
    policy: Mapped[str] = mapped_column(String(32), default="auction2017")
    live_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_files: Mapped[list | None] = mapped_column(JSON)
    paid_usd: Mapped[int | None] = mapped_column(Wei)
    paid_nmr: Mapped[int | None] = mapped_column(Wei)
    burned_nmr: Mapped[int | None] = mapped_column(Wei)
    returned_usd: Mapped[int | None] = mapped_column(Wei)
    returned_nmr: Mapped[int | None] = mapped_column(Wei)
    unsettled_stakes: Mapped[int | None] = mapped_column(Integer)
    keeper_note: Mapped[str | None] = mapped_column(String(REASON_MAX_CHARS))
    disputer: Mapped[str | None] = mapped_column(Address, index=True)
    dispute_upheld: Mapped[bool | None] = mapped_column(Boolean)
    dispute_reward: Mapped[int | None] = mapped_column(Wei)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reveal_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def accepts_uploads(self, now: datetime | None = None) -> bool:
        """True while the round is open and its close time has not passed."""
        return self.status == "open" and (now or utcnow()) < self.closes_at


class Submission(Base):
    """One uploaded prediction file of one model (``address``, ``model_number``). Only one
    row per (round, address, model_number) is current (``superseded_at`` NULL); older
    uploads stay, so a stake on an older hash can be found.

    In a sealed round a row is first a commitment: the hash and the shape (``rows``,
    ``metrics["columns"]``) and no file. ``stored_path`` is then "" rather than NULL:
    databases made before sealed rounds hold the column NOT NULL, which adding columns
    cannot relax. The reveal fills ``stored_path``, ``revealed_at`` and the metrics."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(
            "uq_current_submission",
            "round_number",
            "address",
            "model_number",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), index=True)
    model_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stored_path: Mapped[str] = mapped_column(String(500))
    original_filename: Mapped[str] = mapped_column(String(255))
    hash: Mapped[str] = mapped_column(String(66), index=True)
    file_format: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def model_key(self) -> str:
        """The model key of the file's model (the address for model 0)."""
        return key_of(self.address, self.model_number or 0)

    @property
    def awaiting_reveal(self) -> bool:
        """A sealed round's commitment whose file the server does not hold (yet)."""
        return not self.stored_path


class Score(Base):
    """The oracle's result for one participant (a model: ``address``, ``model_number``) of
    one round, staked or not.

    Money of the round, by flow: the staking auction's ``usd_reward`` (USD units) or
    ``burn_wei`` (NMR wei destroyed); the corr policy's ``nmr_reward`` (NMR wei); the rank
    prizes ``prize_usd`` (USD units) and ``prize_nmr`` (NMR wei) at ``prize_rank``.
    ``reason`` is the one-line why of the outcome. ``nmr_reward`` is the column older
    versions called ``reward_wei`` (renamed by :func:`app.db.rename_columns`).

    Per era: ``per_era`` maps each scored era to its logloss; ``era_scores`` lists the
    scored eras in order, each ``{era, data_type, logloss, corr, mmc, fnc}`` (None for a
    value that is not finite). Rows resolved before ``era_scores`` existed hold NULL.
    """

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("round_number", "address", "model_number", name="uq_score_model"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    address: Mapped[str] = mapped_column(Address, ForeignKey("users.address"), index=True)
    model_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    live_logloss: Mapped[float | None] = mapped_column(Float)
    validation_logloss: Mapped[float | None] = mapped_column(Float)
    consistency: Mapped[float | None] = mapped_column(Float)
    originality: Mapped[bool | None] = mapped_column(Boolean)
    concordance: Mapped[bool | None] = mapped_column(Boolean)
    corr: Mapped[float | None] = mapped_column(Float)
    mmc: Mapped[float | None] = mapped_column(Float)
    fnc: Mapped[float | None] = mapped_column(Float)
    per_era: Mapped[dict] = mapped_column(JSON, default=dict)
    era_scores: Mapped[list | None] = mapped_column(JSON)
    stake_wei: Mapped[int] = amount_column()
    confidence: Mapped[str | None] = mapped_column(String(80))
    burn_wei: Mapped[int] = amount_column()
    nmr_reward: Mapped[int] = amount_column()
    usd_reward: Mapped[int] = amount_column()
    prize_rank: Mapped[int | None] = mapped_column(Integer)
    prize_usd: Mapped[int] = amount_column()
    prize_nmr: Mapped[int] = amount_column()
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX_CHARS))

    @property
    def model_key(self) -> str:
        """The model key of the scored model (the address for model 0)."""
        return key_of(self.address, self.model_number or 0)


class SettlementPlan(Base):
    """A payout plan as the oracle computed it (the JSON it posts and publishes)."""

    __tablename__ = "settlement_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    plan_json: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OracleTransaction(Base):
    """One transaction the oracle (or the funder) sends for a round: ``kind`` (one of
    :data:`TRANSACTION_KINDS`) and ``position`` (the settle batch's index, else 0) name it,
    unique per round, so a rerun finds the row a crashed run left and resumes it. The row
    is written before the transaction is sent and gets its hash before the wait."""

    __tablename__ = "oracle_transactions"
    __table_args__ = (UniqueConstraint("round_number", "kind", "position", name="uq_oracle_transaction"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_number: Mapped[int] = mapped_column(ForeignKey("rounds.number"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    # The signed transaction and its nonce: a rerun sends it again if the node dropped it.
    raw_tx: Mapped[str | None] = mapped_column(Text)
    nonce: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
