"""Identity: Sign-In with Ethereum (EIP-4361) for the pages, API tokens for scripts.

A person is a wallet address (plus an optional display name). Signing in:

1. ``GET /api/v1/auth/nonce`` -> a single-use nonce, valid ``SIWE_NONCE_TTL`` seconds;
2. the wallet signs (``personal_sign``) an EIP-4361 message naming this server's domain,
   ``CHAIN_ID`` and that nonce;
3. ``POST /api/v1/auth/verify {"message", "signature"}`` -> checked here (domain, chain id,
   nonce known/unused/unexpired, message expiry, signature) -> session cookie.

Scripts send ``Authorization: Token PUBLIC$SECRET`` (numerapi's shape) or
``Authorization: Bearer PUBLIC$SECRET`` with a token a signed-in user created. A request
with an Authorization header is judged by it alone (never falls back to the cookie).

CSRF: every state-changing request authenticated by the cookie must carry the session's
token, as the form field ``csrf_token`` or the header ``X-CSRF-Token``. Token-authenticated
requests need none (a browser never adds that header by itself).
"""

from __future__ import annotations

import hmac
import secrets
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from eth_utils import to_checksum_address
from flask import current_app, g, request, session
from pydantic import ValidationError

from app import store
from app.errors import ApiError

with warnings.catch_warnings():
    # siwe's bundled grammars redefine RFC 5234 core rules; abnf warns about it on import.
    warnings.simplefilter("ignore")
    import siwe

SESSION_ADDRESS = "address"
SESSION_CSRF = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def expected_domain() -> str:
    """The domain a sign-in message must name: ``SIWE_DOMAIN`` or this request's host."""
    return current_app.config["SIWE_DOMAIN"] or request.host


def issue_nonce() -> dict[str, Any]:
    """A new nonce with what the wallet's message must contain."""
    row = store.create_nonce(current_app.config["SIWE_NONCE_TTL"])
    return {
        "nonce": row.nonce,
        "expires_at": row.expires_at,
        "domain": expected_domain(),
        "chain_id": current_app.config["CHAIN_ID"],
        "uri": request.host_url.rstrip("/"),
        "statement": "Sign in to the Numeraire Tournament.",
    }


def checksum_address(address: str) -> str:
    """``address`` in EIP-55 form, or ApiError 400."""
    if not isinstance(address, str) or len(address) != 42 or not address.startswith("0x"):
        raise ApiError(400, f"{str(address)[:60]!r} is not an Ethereum address (0x + 40 hex digits)")
    try:
        return to_checksum_address(address)
    except (ValueError, TypeError):
        raise ApiError(400, f"{address!r} is not an Ethereum address (0x + 40 hex digits)") from None


def prepare_message(checksummed: str, info: dict[str, Any]) -> str:
    """The EIP-4361 text for ``checksummed`` to sign with the nonce ``info`` from :func:`issue_nonce`.

    Built on the server so a page needs no keccak to checksum the address.
    """
    message = siwe.SiweMessage(
        domain=info["domain"],
        address=checksummed,
        uri=info["uri"],
        version="1",
        chain_id=info["chain_id"],
        issued_at=_iso(store.utcnow()),
        expiration_time=_iso(info["expires_at"]),
        nonce=info["nonce"],
        statement=info["statement"],
    )
    return message.prepare_message()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def verify_sign_in(message: str, signature: str) -> str:
    """Check a signed EIP-4361 message; returns the checksummed address or raises ApiError.

    Nothing is written unless every check passes; then the nonce is spent.
    """
    try:
        parsed = siwe.SiweMessage.from_message(message)
    except (ValueError, ValidationError, TypeError) as exc:
        raise ApiError(400, f"the sign-in message is not a valid EIP-4361 message ({_first_line(exc)})") from None
    domain = expected_domain()
    if parsed.domain != domain:
        raise ApiError(401, f"the sign-in message is for domain {parsed.domain!r}, but this server is {domain!r}")
    chain_id = current_app.config["CHAIN_ID"]
    if parsed.chain_id != chain_id:
        raise ApiError(401, f"the sign-in message is for chain id {parsed.chain_id}; this tournament is on {chain_id}")
    nonce = store.get_nonce(parsed.nonce)
    if nonce is None:
        raise ApiError(401, "unknown nonce; get a fresh one from /api/v1/auth/nonce and sign again")
    if nonce.used_at is not None:
        raise ApiError(401, "this nonce was already used (replayed message); get a fresh nonce and sign again")
    if nonce.expires_at <= store.utcnow():
        raise ApiError(401, "the nonce has expired; get a fresh one from /api/v1/auth/nonce and sign again")
    try:
        parsed.verify(signature, domain=domain, nonce=nonce.nonce)
    except siwe.ExpiredMessage:
        raise ApiError(401, "the sign-in message has expired (Expiration Time passed); sign a new one") from None
    except siwe.NotYetValidMessage:
        raise ApiError(401, "the sign-in message is not valid yet (Not Before is in the future)") from None
    except (siwe.VerificationError, ValueError, TypeError):
        raise ApiError(401, "the signature does not match the message and address; sign the message again") from None
    if not store.consume_nonce(nonce.nonce):
        raise ApiError(401, "this nonce was already used (replayed message); get a fresh nonce and sign again")
    store.ensure_user(parsed.address)
    return parsed.address


def start_session(address: str) -> None:
    """Sign ``address`` in on this browser (a new CSRF token with a new identity)."""
    session.clear()
    session.permanent = True
    session[SESSION_ADDRESS] = address
    session[SESSION_CSRF] = secrets.token_urlsafe(32)


def end_session() -> None:
    """Sign out."""
    session.clear()


def csrf_token() -> str:
    """This browser session's CSRF token (created on first use); templates embed it."""
    if SESSION_CSRF not in session:
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return session[SESSION_CSRF]


def identify() -> None:
    """Set ``g.address`` and ``g.auth_method`` ("token", "session" or None) for this request.

    Runs before every request. A malformed or unknown token is an error (401), not
    anonymity, so a script learns at once that its token is wrong.
    """
    g.address = None
    g.auth_method = None
    header = request.headers.get("Authorization")
    if header:
        scheme, _, credential = header.strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or not credential.strip():
            raise ApiError(401, "Authorization must be 'Token PUBLIC$SECRET' or 'Bearer PUBLIC$SECRET'")
        address = store.verify_api_token(credential.strip())
        if address is None:
            raise ApiError(401, "the API token is unknown, revoked or wrong; create a new one on the account page")
        g.address, g.auth_method = address, "token"
        return
    address = session.get(SESSION_ADDRESS)
    if address:
        g.address, g.auth_method = address, "session"


def check_csrf() -> None:
    """Refuse a cookie-authenticated state change that lacks the session's CSRF token."""
    if request.method in SAFE_METHODS or g.auth_method == "token":
        return
    expected = session.get(SESSION_CSRF)
    if expected is None and g.auth_method is None:
        return  # anonymous, no session: nothing a forged request could act as
    presented = request.headers.get(CSRF_HEADER) or _form_field(CSRF_FIELD)
    if not expected or not presented or not hmac.compare_digest(str(presented), expected):
        raise ApiError(403, "missing or wrong CSRF token; reload the page and try again")


def _form_field(name: str) -> str | None:
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.form.get(name)
    return None


def login_required(view: Callable) -> Callable:
    """Refuse anonymous requests with 401 (the error handler renders page or JSON)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not g.get("address"):
            raise ApiError(401, "sign in with your wallet (or send an API token) first")
        return view(*args, **kwargs)

    return wrapped


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
