"""Identity: Sign-In with Ethereum (EIP-4361) for the pages, API tokens for scripts.

A person is a wallet address (plus an optional display name). Signing in:

1. ``GET /api/v1/auth/nonce`` -> a single-use nonce, valid ``SIWE_NONCE_TTL`` seconds;
2. the wallet signs (``personal_sign``) an EIP-4361 message naming this server's domain,
   ``CHAIN_ID`` and that nonce;
3. ``POST /api/v1/auth/verify {"message", "signature"}`` -> checked here (domain, URI and
   chain id as configured, issuedAt/expiry bounds, a low-s signature, then the nonce spent
   by one atomic UPDATE) -> a server-side session (:mod:`app.store.accounts`) whose random
   id is the only identity the signed cookie carries; logout revokes the row at once.

Domain, URI and chain id come from config (``SIWE_DOMAIN``, ``SIWE_URI``, ``CHAIN_ID``),
never from the request's Host header: with no ``SIWE_DOMAIN`` sign-in is refused.
Nonces are rate limited per client address and capped in total, so anonymous requests
cannot fill the database.

Scripts send ``Authorization: Token PUBLIC$SECRET`` (numerapi's shape) or
``Authorization: Bearer PUBLIC$SECRET`` with a token a signed-in user created. A request
with an Authorization header is judged by it alone (never falls back to the cookie). A
token carries the scopes it was created with; :mod:`app.access` says which routes each
credential reaches.

CSRF: every state-changing request authenticated by the cookie must carry the session's
token, as the form field ``csrf_token`` or the header ``X-CSRF-Token``. Token-authenticated
requests need none (a browser never adds that header by itself).
"""

from __future__ import annotations

import hmac
import secrets
import warnings
from datetime import UTC, datetime
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

SESSION_ID = "sid"
SESSION_CSRF = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATEMENT = "Sign in to the Numeraire Tournament."
# EIP-2: of the two valid s values of a signature only the low one (s <= n/2) is accepted.
SECP256K1_HALF_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141 // 2


def expected_domain() -> str:
    """The domain a sign-in message must name (``SIWE_DOMAIN``), or ApiError 503 when unset."""
    domain = current_app.config["SIWE_DOMAIN"]
    if not domain:
        raise ApiError(503, "sign-in is not configured on this server: set SIWE_DOMAIN (and SIWE_URI) to the "
                            "address it is served at; the request's Host header is never trusted")
    return domain


def expected_uri() -> str:
    """The URI a sign-in message must name: ``SIWE_URI``, or derived from ``SIWE_DOMAIN``."""
    uri = current_app.config["SIWE_URI"]
    if uri:
        return uri.rstrip("/")
    scheme = "https" if current_app.config["SESSION_COOKIE_SECURE"] else "http"
    return f"{scheme}://{expected_domain()}"


def issue_nonce() -> dict[str, Any]:
    """A new nonce with what the wallet's message must contain; 429/503 past the limits."""
    domain, uri = expected_domain(), expected_uri()
    config = current_app.config
    client = request.remote_addr or ""
    recent, outstanding = store.nonce_counts(client, config["SIWE_NONCE_RATE_WINDOW"])
    if recent >= config["SIWE_NONCE_RATE_LIMIT"]:
        raise ApiError(429, f"too many sign-in nonces asked for from {client} "
                            f"(at most {config['SIWE_NONCE_RATE_LIMIT']} per {config['SIWE_NONCE_RATE_WINDOW']} s); "
                            "wait a minute and try again")  # fmt: skip
    if outstanding >= config["SIWE_MAX_OUTSTANDING_NONCES"]:
        raise ApiError(503, "too many sign-in nonces are waiting to be used; try again in a few minutes")
    row = store.create_nonce(config["SIWE_NONCE_TTL"], client)
    return {
        "nonce": row.nonce,
        "expires_at": row.expires_at,
        "domain": domain,
        "chain_id": config["CHAIN_ID"],
        "uri": uri,
        "statement": STATEMENT,
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

    Nothing is written unless every check passes; then the nonce is spent (atomically: of
    concurrent posts of one message exactly one gets past :func:`app.store.consume_nonce`).
    """
    try:
        parsed = siwe.SiweMessage.from_message(message)
    except (ValueError, ValidationError, TypeError) as exc:
        raise ApiError(400, f"the sign-in message is not a valid EIP-4361 message ({_first_line(exc)})") from None
    domain, uri = expected_domain(), expected_uri()
    if parsed.domain != domain:
        raise ApiError(401, f"the sign-in message is for domain {parsed.domain!r}, but this server is {domain!r}")
    if parsed.uri.rstrip("/") != uri:
        raise ApiError(401, f"the sign-in message is for URI {parsed.uri!r}, but this server is {uri!r}")
    if parsed.scheme is not None and parsed.scheme != uri.partition("://")[0]:
        raise ApiError(401, f"the sign-in message is for scheme {parsed.scheme!r}, but this server is {uri!r}")
    chain_id = current_app.config["CHAIN_ID"]
    if parsed.chain_id != chain_id:
        raise ApiError(401, f"the sign-in message is for chain id {parsed.chain_id}; this tournament is on {chain_id}")
    _check_times(parsed)
    _check_low_s(signature)
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


def _check_times(parsed: Any) -> None:
    """issuedAt within [now - nonce TTL, now + skew]; an Expiration Time not already past."""
    now = store.utcnow()
    config = current_app.config
    issued = parsed.issued_at._datetime
    if (issued - now).total_seconds() > config["SIWE_CLOCK_SKEW"]:
        raise ApiError(401, "the sign-in message's Issued At is in the future; check your clock and sign again")
    if (now - issued).total_seconds() > config["SIWE_NONCE_TTL"] + config["SIWE_CLOCK_SKEW"]:
        raise ApiError(401, "the sign-in message was issued too long ago; get a fresh nonce and sign again")
    if parsed.expiration_time is not None and parsed.expiration_time._datetime <= now:
        raise ApiError(401, "the sign-in message has expired (Expiration Time passed); sign a new one")


def _check_low_s(signature: str) -> None:
    """Refuse a malformed or high-s (malleable, EIP-2) 65-byte signature."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 65:
        raise ApiError(401, "the signature must be 65 bytes of 0x hex (r, s, v); sign the message again")
    if int.from_bytes(raw[32:64], "big") > SECP256K1_HALF_N:
        raise ApiError(401, "the signature has a high s value (EIP-2 forbids it); sign the message again")


def session_client(user_agent: str | None) -> str:
    """What signed in, for Settings' list of sessions: ``nmr`` (the command line, which
    names itself), ``browser`` (a browser's user agent) or ``script`` (anything else).
    A label for the wallet's owner, never a credential: a header can say anything."""
    agent = user_agent or ""
    if agent.startswith("nmr-client/"):
        return "nmr"
    return "browser" if agent.startswith("Mozilla/") else "script"


def start_session(address: str, client: str | None = None) -> None:
    """Sign ``address`` in: a new server-side session (its id the cookie's only identity)
    from `client` (:func:`session_client`), and a new CSRF token."""
    session.clear()
    session.permanent = True
    session[SESSION_ID] = store.create_web_session(address, int(current_app.permanent_session_lifetime.total_seconds()),
                                                   client)
    session[SESSION_CSRF] = secrets.token_urlsafe(32)


def end_session() -> None:
    """Sign out: the server-side session ends at once (the old cookie no longer works)."""
    session_id = session.get(SESSION_ID)
    if session_id:
        store.revoke_web_session(session_id)
    session.clear()


def end_all_sessions(address: str) -> int:
    """Log ``address`` out everywhere (every browser session); returns how many ended."""
    count = store.revoke_all_web_sessions(address)
    session.clear()
    return count


def current_session_key() -> str | None:
    """This browser's session key as the Settings page lists it (None unless signed in by cookie)."""
    session_id = session.get(SESSION_ID) if g.get("auth_method") == "session" else None
    return store.web_session_key(str(session_id)) if session_id else None


def end_session_by_key(address: str, key: str) -> bool:
    """End one of ``address``'s sessions (Settings); ending this browser's own signs it out."""
    mine = key == current_session_key()
    ended = store.revoke_web_session_by_key(address, key)
    if ended and mine:
        session.clear()
    return ended


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
    g.token_scopes = ()
    header = request.headers.get("Authorization")
    if header:
        scheme, _, credential = header.strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or not credential.strip():
            raise ApiError(401, "Authorization must be 'Token PUBLIC$SECRET' or 'Bearer PUBLIC$SECRET'")
        token = store.verify_api_token(credential.strip())
        if token is None:
            raise ApiError(401, "the API token is unknown, revoked or wrong; create a new one on the Settings page")
        g.address, g.auth_method, g.token_scopes = token.address, "token", tuple(token.scope_list)
        return
    session_id = session.get(SESSION_ID)
    if session_id:
        address = store.web_session_address(str(session_id))
        if address is None:
            session.clear()  # logged out, elsewhere too, or expired: anonymous from now on
        else:
            g.address, g.auth_method = address, "session"


def check_csrf() -> None:
    """Refuse a cookie-authenticated state change that lacks the session's CSRF token."""
    if request.method in SAFE_METHODS or g.auth_method == "token":
        return
    expected = session.get(SESSION_CSRF)
    if expected is None and g.auth_method is None:
        return  # anonymous, no session: nothing a forged request could act as
    presented = request.headers.get(CSRF_HEADER) or _form_field(CSRF_FIELD)
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    if not expected or not presented or not hmac.compare_digest(_as_bytes(presented), _as_bytes(expected)):
        raise ApiError(403, "missing or wrong CSRF token; reload the page and try again")


def _as_bytes(text: str) -> bytes:
    return str(text).encode("utf-8", "surrogatepass")


def _form_field(name: str) -> str | None:
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.form.get(name)
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
