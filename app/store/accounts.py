"""Accounts and sign-in: users and their display names (and the names of their models, for
pages: :func:`display_names`), API tokens, SIWE nonces, web sessions, numerapi upload tickets.

Every single-use thing (a nonce, a session's end) is spent by one conditional UPDATE whose
row count says who won, so concurrent requests cannot both spend it (SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import get_session
from app.models import (
    ApiToken,
    Model,
    SiweNonce,
    UploadTicket,
    User,
    WebSession,
    utcnow,
)
from app.store.errors import StoreError, split_key
from app.store.names import claim_name, release_name

TOKEN_SEPARATOR = "$"
ADDRESS_LIKE = re.compile(r"0[xX][0-9a-fA-F]{40}")


def get_user(address: str) -> User | None:
    """The user with this checksummed address, or None."""
    return get_session().get(User, address)


def ensure_user(address: str) -> User:
    """The user with this checksummed address, created on first sign-in."""
    user = add_user(address)
    get_session().commit()
    return user


def add_user(address: str) -> User:
    """The user row, added to the session (flushed, not committed) when new: for store
    functions that write rows referencing it in their own unit of work."""
    session = get_session()
    user = session.get(User, address)
    if user is None:
        user = User(address=address)
        session.add(user)
        session.flush()  # no ORM relationships: insert the user before rows that reference it
    return user


def set_display_name(address: str, display_name: str | None) -> User:
    """Set (or clear, with None/empty) a user's display name: model 0's name, in the one
    namespace of names (:mod:`app.store.names`; a look-alike of a taken name is a
    :class:`~app.store.names.NameTaken`, an address-like one a StoreError)."""
    user = ensure_user(address)
    session = get_session()
    try:
        if display_name:
            if ADDRESS_LIKE.fullmatch(display_name.strip()):
                raise StoreError("a display name may not look like a wallet address (a wallet without a name goes "
                                 "by its address); pick a name")  # fmt: skip
            claim_name(address, 0, display_name)
        else:
            release_name(address, 0)
        user.display_name = display_name or None
        session.commit()
    except (StoreError, IntegrityError):
        session.rollback()
        raise
    return user


def display_names(keys: Iterable[str]) -> dict[str, str]:
    """Map each model key to the name pages show: model 0's (a bare address) is the
    wallet's display name, or the shortened address when it has none; model n's is the
    name it was registered with (``<short address>-<n>`` if it has no row)."""
    keys = list(set(keys))
    if not keys:
        return {}
    parts = {key: split_key(key) for key in keys}
    wallets = {address for address, _number in parts.values()}
    session = get_session()
    rows = session.execute(select(User.address, User.display_name).where(User.address.in_(wallets)))
    names = {(a, 0): n for a, n in rows if n}
    if any(number for _address, number in parts.values()):
        models = session.execute(select(Model.address, Model.number, Model.name).where(Model.address.in_(wallets)))
        names.update({(a, number): name for a, number, name in models})
    return {key: names.get(part) or _short(*part) for key, part in parts.items()}


def _short(address: str, number: int) -> str:
    short = f"{address[:6]}…{address[-4:]}"
    return f"{short}-{number}" if number else short


def _secret_digest(secret: str) -> str:
    # Secrets (tokens, session ids, upload tickets) are 256 random bits, so a fast hash is
    # enough (no dictionary to attack).
    # surrogatepass: a JSON body may carry a lone surrogate; it must hash, never raise.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_token(address: str, name: str = "", scopes: Iterable[str] = ("upload", "read")) -> tuple[ApiToken, str]:
    """Create a token for ``address`` that may do ``scopes`` (checked by the caller against
    :data:`app.access.SCOPES`); returns (row, ``"PUBLIC$SECRET"``). The secret is not kept."""
    add_user(address)
    public_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(public_id=public_id, secret_hash=_secret_digest(secret), address=address, name=name,
                     scopes=" ".join(scopes))  # fmt: skip
    session = get_session()
    session.add(token)
    session.commit()
    return token, f"{public_id}{TOKEN_SEPARATOR}{secret}"


def verify_api_token(presented: str) -> ApiToken | None:
    """The live token ``"PUBLIC$SECRET"`` names (its ``address`` and ``scope_list``), or
    None if unknown, wrong or revoked."""
    public_id, sep, secret = presented.partition(TOKEN_SEPARATOR)
    if not sep or not public_id or not secret or len(public_id) > 32:
        return None
    token = get_session().scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash.encode(), _secret_digest(secret).encode()):
        return None
    return token


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


def create_nonce(ttl_seconds: int, client: str | None = None) -> SiweNonce:
    """A fresh sign-in nonce valid for ``ttl_seconds``, asked for by ``client`` (an IP);
    expired nonces are swept first, so the table holds only live ones."""
    session = get_session()
    now = utcnow()
    session.execute(delete(SiweNonce).where(SiweNonce.expires_at < now))
    row = SiweNonce(nonce=secrets.token_hex(16), created_at=now, expires_at=now + timedelta(seconds=ttl_seconds),
                    client=(client or "")[:64] or None)  # fmt: skip
    session.add(row)
    session.commit()
    return row


def nonce_counts(client: str | None, window_seconds: int) -> tuple[int, int]:
    """(nonces ``client`` asked for in the last ``window_seconds``, live unused nonces of all)."""
    session = get_session()
    now = utcnow()
    recent = session.scalar(select(func.count()).select_from(SiweNonce).where(
        SiweNonce.client == (client or "")[:64], SiweNonce.created_at > now - timedelta(seconds=window_seconds)))
    outstanding = session.scalar(select(func.count()).select_from(SiweNonce).where(
        SiweNonce.used_at.is_(None), SiweNonce.expires_at > now))
    return int(recent or 0), int(outstanding or 0)


def get_nonce(nonce: str) -> SiweNonce | None:
    """The nonce row, or None."""
    return get_session().get(SiweNonce, nonce)


def consume_nonce(nonce: str) -> bool:
    """Spend a live nonce; False if it is unknown, expired or already spent (of concurrent
    posts of one message exactly one gets True: one UPDATE ... WHERE used_at IS NULL)."""
    session = get_session()
    now = utcnow()
    result = session.execute(
        update(SiweNonce)
        .where(SiweNonce.nonce == nonce, SiweNonce.used_at.is_(None), SiweNonce.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def create_web_session(address: str, lifetime_seconds: int, client: str | None = None) -> str:
    """A new signed-in session for ``address`` from `client` (what signed in: see
    :func:`app.auth.session_client`); returns its id (the cookie's; only its hash is kept)."""
    add_user(address)
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    session = get_session()
    session.add(WebSession(id=_secret_digest(session_id), address=address, created_at=now,
                           expires_at=now + timedelta(seconds=lifetime_seconds), client=client))  # fmt: skip
    session.execute(delete(WebSession).where(WebSession.expires_at < now - timedelta(days=1)))
    session.commit()
    return session_id


def web_session_address(session_id: str) -> str | None:
    """The address of a live (unrevoked, unexpired) session, or None."""
    row = get_session().get(WebSession, _secret_digest(session_id))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.address


def web_session_key(session_id: str) -> str:
    """The key a session is listed and ended by (its row id): a digest, never the cookie's secret."""
    return _secret_digest(session_id)


def list_web_sessions(address: str) -> list[WebSession]:
    """``address``'s live sessions, newest first (the Settings page)."""
    now = utcnow()
    query = (
        select(WebSession)
        .where(WebSession.address == address, WebSession.revoked_at.is_(None), WebSession.expires_at > now)
        .order_by(WebSession.created_at.desc())
    )
    return list(get_session().scalars(query))


def revoke_web_session_by_key(address: str, key: str) -> bool:
    """End one of ``address``'s sessions by its key; False if it is not a live session of theirs."""
    return _revoke_sessions((WebSession.id == key) & (WebSession.address == address)) == 1


def revoke_web_session(session_id: str) -> bool:
    """End one session at once; False if it was not live."""
    return _revoke_sessions(WebSession.id == _secret_digest(session_id)) == 1


def revoke_all_web_sessions(address: str) -> int:
    """End every live session of ``address`` (log out everywhere); returns how many."""
    return _revoke_sessions(WebSession.address == address)


def _revoke_sessions(condition: Any) -> int:
    session = get_session()
    result = session.execute(
        update(WebSession).where(condition, WebSession.revoked_at.is_(None)).values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount


def create_upload_ticket(key: str, round_number: int, filename: str, ttl_seconds: int) -> str:
    """A numerapi upload ticket for model ``key`` (an address: its model 0); returns its
    secret (only its hash is kept). Expired tickets are swept."""
    address, number = split_key(key)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session = get_session()
    session.execute(delete(UploadTicket).where(UploadTicket.expires_at < now - timedelta(days=1)))
    session.add(UploadTicket(id=_secret_digest(secret), address=address, model_number=number, round_number=round_number,
                             filename=filename[:255], created_at=now,
                             expires_at=now + timedelta(seconds=ttl_seconds)))  # fmt: skip
    session.commit()
    return secret


def get_upload_ticket(secret: str) -> UploadTicket | None:
    """The ticket with this secret, or None."""
    return get_session().get(UploadTicket, _secret_digest(secret))


def spend_upload_ticket(secret: str, step: str) -> bool:
    """Mark a live ticket's ``step`` ("put_at" or "used_at") done, once: True for the one
    request that did it (one UPDATE ... WHERE <step> IS NULL), False for every other."""
    column = {"put_at": UploadTicket.put_at, "used_at": UploadTicket.used_at}[step]
    now = utcnow()
    condition = [UploadTicket.id == _secret_digest(secret), column.is_(None), UploadTicket.expires_at > now]
    if step == "used_at":
        condition.append(UploadTicket.put_at.is_not(None))
    session = get_session()
    result = session.execute(update(UploadTicket).where(*condition).values({step: now})
                             .execution_options(synchronize_session=False))  # fmt: skip
    session.commit()
    return result.rowcount == 1
