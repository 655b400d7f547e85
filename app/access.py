"""Who may reach each route: one rule for the pages, the JSON API and GraphQL.

Every view declares its access with :func:`access`, and :func:`enforce` (run before every
request, after :func:`app.auth.identify`) applies it; GraphQL's operations call
:func:`require` themselves, the same check. The levels:

- ``public``: anyone. A token counts here only with the ``read`` scope (then the page
  shows what is the token wallet's own, as it would to its session); without it the
  request is served as to a visitor.
- ``read``, ``upload``: a wallet session, or an API token created with that scope.
- ``session``: a wallet sign-in session only. Whatever makes or ends credentials (tokens,
  sessions), names a wallet or adds a model: a leaked token must not outlive its
  revocation or turn into lasting access.
- ``operations``: the route's operations each say (GraphQL).

tests/app/auth/test_access_table.py walks the route table and proves, for every route,
which credentials reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, render_template, request

from app.errors import ApiError

# A token's scopes, as Settings and the API docs list them.
SCOPES = {
    "upload": "upload predictions (the API, the upload form, numerapi's upload_predictions)",
    "read": "read my account: submissions, scores, stakes and payouts",
}
LEVELS = ("public", "read", "upload", "session", "operations")
ACCESS_ATTRIBUTE = "access_level"
# Endpoints Flask or an extension adds, not ours to declare.
BUILT_IN = frozenset({"static"})


def access(level: str) -> Callable[[Callable], Callable]:
    """Declare who may reach the view (see the module's levels)."""
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}; use one of {', '.join(LEVELS)}")

    def declare(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, level)
        return view

    return declare


def level_of(endpoint: str | None) -> str | None:
    """The access a view declared (None for a built-in endpoint or an unknown one)."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, ACCESS_ATTRIBUTE, None) if view is not None else None


def parse_scopes(raw: Any) -> list[str]:
    """The scopes a new token asks for (a list, or a space- or comma-separated string;
    nothing: both), in canonical order, or a 400 naming the ones that exist."""
    if raw is None or raw == "" or raw == []:
        return list(SCOPES)
    words = raw.replace(",", " ").split() if isinstance(raw, str) else raw
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ApiError(400, f"scopes must be a list of scope names: {', '.join(SCOPES)}")
    unknown = sorted({w for w in words if w not in SCOPES})
    if unknown:
        raise ApiError(400, f"unknown scope {unknown[0][:40]!r}; a token may have {' and '.join(SCOPES)}")
    return [scope for scope in SCOPES if scope in words]


def require(level: str) -> str | None:
    """The signed-in address if this request may do what ``level`` guards, else the
    401/403 that says which credential it needs (and names the level: ``needs``)."""
    if level in ("public", "operations"):
        return g.get("address")
    if not g.get("address"):
        raise ApiError(401, "sign in with your wallet (or send an API token) first", needs=level)
    if g.get("auth_method") != "token":
        return g.address
    if level == "session":
        raise ApiError(403, "this needs your wallet's sign-in session, not an API token: tokens, sessions, names and "
                            "models are managed signed in with the wallet (the Settings page)", needs=level)  # fmt: skip
    scopes = g.get("token_scopes") or ()
    if level not in scopes:
        have = " and ".join(scopes) or "no"
        raise ApiError(403, f"this API token has {have} scope, not {level!r}; create a token with the {level} scope "
                            "in Settings", needs=level)  # fmt: skip
    return g.address


def enforce() -> Any:
    """Before every request: the route's declared access, applied. A visitor who asks for
    a signed-in page gets the sign-in panel (401) rather than an error page."""
    level = level_of(request.endpoint)
    if level is None:
        if request.endpoint is None or request.endpoint in BUILT_IN:
            return None  # a 404/405 or a static file: nothing to guard
        raise ApiError(500, f"route {request.endpoint} declares no access level")  # a bug of ours, refused closed
    if level == "public" and g.get("auth_method") == "token" and "read" not in (g.get("token_scopes") or ()):
        g.address = None  # served as to a visitor: the token may not read the wallet's own
        g.auth_method = None
        return None
    if (not g.get("address") and level in ("read", "session") and request.method == "GET"
            and request.blueprint == "pages"):  # fmt: skip
        return render_template("sign_in.html", wanted=request.path), 401
    require(level)
    return None
