"""What a request sends, read and bounded before any work: the JSON body, the uploaded
file, a display or token name. The pages and the JSON API both read their input here, so
the two doors accept exactly the same things; a bad input is an :class:`ApiError` 4xx.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from flask import Blueprint, request
from werkzeug.routing import BaseConverter, ValidationError

from app.errors import ApiError
from app.store.errors import ROUND_NUMBER_MAX, is_round_number

DISPLAY_NAME_MAX = 40
# A JSON body (sign-in, account, GraphQL) is small: bounded in bytes and nesting before
# it is parsed, so a body nested 10**5 deep is a 400, not a recursion error.
JSON_MAX_BYTES = 256 * 1024
JSON_MAX_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_OPEN, _CLOSE = np.frombuffer(b"[{(", np.uint8), np.frombuffer(b"]})", np.uint8)
_ROUND_DIGITS = re.compile(r"[0-9]{1,10}")


class RoundNumberConverter(BaseConverter):
    """``<round:number>``: ASCII digits naming a possible round (1 .. 2**31 - 1); any
    other path segment (unicode digits, 10**25, 0) matches no route, a 404."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        """The round number, or no match."""
        number = int(value)
        if not is_round_number(number):
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        """The number as digits."""
        return str(int(value))


def use_round_converter(bp: Blueprint) -> None:
    """Make ``<round:number>`` available to ``bp``'s routes (call before adding them)."""
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("round", RoundNumberConverter))


def round_arg(name: str = "round") -> int | None:
    """Query parameter ``name`` as a round number (None when absent), or a 400 saying why."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not _ROUND_DIGITS.fullmatch(raw) or not is_round_number(int(raw)):
        raise ApiError(400, f"{name} must be a round number from 1 to {ROUND_NUMBER_MAX:,} in digits 0-9 (got {_shown(raw)})")
    return int(raw)


def parse_json(raw: bytes) -> Any:
    """JSON ``raw`` bytes, refused (a 413 or 400 with the limit) when over
    :data:`JSON_MAX_BYTES` or nested deeper than :data:`JSON_MAX_DEPTH`.

    The depth is found before parsing in one linear pass: strings are blanked out, then a
    running count of brackets opened minus closed.
    """
    if len(raw) > JSON_MAX_BYTES:
        raise ApiError(413, f"the JSON body is {len(raw):,} bytes, over the {JSON_MAX_BYTES:,}-byte limit")
    if nesting_depth(raw) > JSON_MAX_DEPTH:
        raise ApiError(400, f"the JSON body is nested more than {JSON_MAX_DEPTH} levels deep; send a flat object")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({_shown(str(exc))}); send a JSON object") from exc


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON (numbers must be finite)")


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of brackets ``[{(`` in ``raw`` outside double-quoted strings
    (JSON or a GraphQL query); one linear pass, no parsing."""
    codes = np.frombuffer(_JSON_STRING.sub(b'""', raw), np.uint8)
    depth = np.cumsum(np.isin(codes, _OPEN).astype(np.int32) - np.isin(codes, _CLOSE).astype(np.int32))
    return int(depth.max()) if depth.size else 0


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 saying what was wrong."""
    if not request.is_json:
        raise ApiError(415, f"send Content-Type: application/json (got {_shown(request.mimetype or 'none')})")
    body = parse_json(_body_bytes())
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _body_bytes() -> bytes:
    """The raw body, read only up to one byte past the JSON limit."""
    length = request.content_length
    if length is not None and length > JSON_MAX_BYTES:
        raise ApiError(413, f"the JSON body is {length:,} bytes, over the {JSON_MAX_BYTES:,}-byte limit")
    return request.stream.read(JSON_MAX_BYTES + 1) if length is None else request.get_data(cache=True)


def _shown(text: str, width: int = 60) -> str:
    """``text`` quoted for a message, cut to ``width`` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")


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


def model_arg() -> str | None:
    """The upload's ``model`` (a model name or key): the form field, else the query
    argument; None (model 0) when neither is given. Bounded before any lookup."""
    raw = request.form.get("model") if request.mimetype == "multipart/form-data" else None
    raw = raw if raw not in (None, "") else request.args.get("model")
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > 120:
        raise ApiError(400, f"model must be a model name or key (at most 120 characters), got {_shown(raw)}")
    return raw.strip()


def display_name(raw: Any) -> str | None:
    """A display name to store (``None`` clears it), or a 400: at most
    :data:`DISPLAY_NAME_MAX` printable characters, surrounding spaces dropped."""
    if raw is not None and not isinstance(raw, str):
        raise ApiError(400, "display_name must be a string or null")
    name = (raw or "").strip()
    if len(name) > DISPLAY_NAME_MAX or any(not ch.isprintable() for ch in name):
        raise ApiError(400, f"display_name must be at most {DISPLAY_NAME_MAX} printable characters")
    return name or None
