"""What a request sends, read and bounded before any work: the JSON body, the uploaded
file, a display or token name. The pages and the JSON API both read their input here, so
the two doors accept exactly the same things; a bad input is an :class:`ApiError` 4xx.
"""

from __future__ import annotations

from typing import Any

from flask import request

from app.errors import ApiError

DISPLAY_NAME_MAX = 40


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 saying what was wrong."""
    if not request.is_json:
        raise ApiError(415, f"send Content-Type: application/json (got {request.mimetype or 'none'})")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def uploaded_file() -> tuple[bytes, str]:
    """The ``file`` part of a multipart upload (bytes, name), or a 4xx."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(
            415, f"upload predictions as multipart/form-data with a 'file' field (got {request.mimetype or 'none'})"
        )
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "no 'file' field in the form; attach the predictions as 'file'")
    return upload.read(), upload.filename or "predictions"


def display_name(raw: Any) -> str | None:
    """A display name to store (``None`` clears it), or a 400: at most
    :data:`DISPLAY_NAME_MAX` printable characters, surrounding spaces dropped."""
    if raw is not None and not isinstance(raw, str):
        raise ApiError(400, "display_name must be a string or null")
    name = (raw or "").strip()
    if len(name) > DISPLAY_NAME_MAX or any(not ch.isprintable() for ch in name):
        raise ApiError(400, f"display_name must be at most {DISPLAY_NAME_MAX} printable characters")
    return name or None
