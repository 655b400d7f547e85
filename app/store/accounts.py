"""Accounts and sign-in: users and their display names, API tokens, SIWE nonces."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, select

from app.db import get_session
from app.models import ApiToken, SiweNonce, User, utcnow

TOKEN_SEPARATOR = "$"


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
    add_user(address)
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
