"""One error shape for the whole server: ``{"error": {"status", "message", ...}}`` or a page.

Views, services and :mod:`app.auth` raise :class:`app.errors.ApiError`; the handlers
registered by :func:`register` turn it, Werkzeug's HTTP errors and unexpected exceptions into a JSON body
for ``/api/`` requests (and clients that ask for JSON) or an HTML page for the rest. A 500
says only that something failed; the traceback goes to the log, never to the client.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.errors import ApiError
from app.store.errors import StoreError

MESSAGES = {
    400: "the request is malformed",
    401: "sign in first",
    403: "you may not do that",
    404: "no such page or resource; check the URL (round numbers and ids are integers)",
    405: "this method is not allowed here",
    413: "the request body is too large",
    415: "unsupported content type",
    429: "too many requests; wait and try again",
    500: "the server failed to handle this request; it has been logged",
}


def wants_json() -> bool:
    """True for the API, numerapi's door and clients that prefer JSON to HTML."""
    if request.path.startswith(("/api/", "/graphql")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """The single error helper: JSON for the API, a page otherwise."""
    response = None
    if not wants_json():
        try:
            response = current_app.make_response(
                render_template("error.html", status=status, message=message, extra=extra)
            )
        except Exception:
            current_app.logger.exception("error page failed to render")
    if response is None:
        response = jsonify({"error": {"status": status, "message": message, **extra}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        extra = dict(exc.extra)
        headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
        return error_response(exc.status, exc.message, headers=headers, **extra)

    @app.errorhandler(StoreError)
    def _store_refused(exc: StoreError) -> Response:
        # The store refuses what it is asked with a sentence (an unknown status, a round
        # that does not exist): the asker's mistake, not the server's.
        return error_response(400, str(exc))

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge) -> Response:
        limit = app.config["MAX_UPLOAD_BYTES"]
        return error_response(413, f"the request body is over the {limit:,}-byte upload limit; upload a smaller file")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = MESSAGES.get(status) if status == 404 else (exc.description or MESSAGES.get(status, exc.name))
        return error_response(status, message or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, MESSAGES[500])
