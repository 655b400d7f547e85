"""numerapi's upload flow: a signed, single-account PUT URL, and the bytes kept aside until
``create_submission`` validates them.

numerapi uploads in three calls; :mod:`app.web.graphql` answers the first and the last:

1. ``submission_upload_auth`` -> :func:`issue`: a ticket ``{"address", "round", "filename"}``
   signed with ``SECRET_KEY`` (valid :data:`UPLOAD_TTL` seconds) and the URL to PUT to;
2. ``PUT /graphql/uploads/<ticket>`` (:func:`upload_target`): the body is written, with
   :func:`app.web.services.write_atomically` like every accepted upload, to a file named by
   the ticket's digest under ``DATA_DIR/numerapi-uploads/``;
3. ``create_submission`` -> :func:`ticket` and :func:`pending_bytes`, then the same
   validation as the web upload; :func:`discard` drops the kept file once it is consumed.

Files PUT for tickets that expired unused are deleted on the next PUT.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import paths
from app.errors import ApiError
from app.web.services import write_atomically

bp = Blueprint("numerapi_upload", __name__)

UPLOAD_TTL = 3600  # seconds a handed-out upload URL stays valid
UPLOAD_SALT = "numerapi-upload"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UPLOAD_SALT)


def issue(address: str, round_number: int, filename: str) -> dict[str, str]:
    """numerapi's UploadAuth for one upload by ``address`` to ``round_number``: the ticket
    (numerapi's ``filename``, handed back to ``create_submission``) and the PUT URL."""
    claims = {"address": address, "round": round_number, "filename": filename, "n": secrets.token_hex(8)}
    key = _serializer().dumps(claims)
    return {"filename": key, "url": url_for("numerapi_upload.upload_target", key=key, _external=True)}


def ticket(key: str) -> dict[str, Any]:
    """The signed upload ticket ``{"address", "round", "filename"}``, or an error."""
    try:
        return _serializer().loads(key, max_age=UPLOAD_TTL)
    except SignatureExpired:
        raise ApiError(410, "this upload URL has expired; call upload_predictions again") from None
    except BadSignature:
        raise ApiError(404, "unknown upload; call upload_predictions again") from None


def pending_bytes(key: str) -> bytes:
    """What was PUT for ticket ``key``, or a 409 saying to PUT first."""
    path = _pending_path(key)
    if not path.is_file():
        raise ApiError(409, "no file was uploaded to this upload URL; PUT the predictions first")
    return path.read_bytes()


def discard(key: str) -> None:
    """Forget what was PUT for ticket ``key`` (create_submission consumed it)."""
    _pending_path(key).unlink(missing_ok=True)


def _pending_path(key: str) -> Path:
    """Where the PUT for upload ``key`` keeps the bytes until create_submission."""
    return paths.numerapi_uploads_dir() / f"{hashlib.sha256(key.encode()).hexdigest()}.bin"


@bp.put("/graphql/uploads/<key>")
def upload_target(key: str) -> Response:
    """Where numerapi PUTs the predictions file an upload auth pointed it to."""
    ticket(key)
    path = _pending_path(key)
    _drop_stale_uploads(path.parent)
    write_atomically(path, request.get_data(cache=False))
    return jsonify({"received": True})


def _drop_stale_uploads(directory: Path) -> None:
    """Forget files PUT for tickets that expired without a create_submission."""
    if not directory.is_dir():
        return
    cutoff = time.time() - UPLOAD_TTL
    for stale in directory.iterdir():
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except FileNotFoundError:
            pass  # another worker removed it first
