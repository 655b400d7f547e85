"""numerapi's upload flow: a single-use, short-lived PUT URL bound to one account, and the
bytes kept aside until that account's ``create_submission`` validates them.

numerapi uploads in three calls; :mod:`app.web.graphql` answers the first and the last:

1. ``submission_upload_auth`` -> :func:`issue`: a ticket row (:class:`app.models.UploadTicket`:
   the asking account's model, round, filename, valid :data:`UPLOAD_TTL` seconds) whose random
   secret, known only to the asker, is the ticket (numerapi's ``filename``) and the URL;
2. ``PUT /graphql/uploads/<ticket>`` (:func:`upload_target`): accepted once per ticket (one
   atomic UPDATE of ``put_at``), so whoever else learns the URL cannot overwrite the file;
   the body is written with :func:`app.web.services.write_atomically` under
   ``DATA_DIR/numerapi-uploads/``;
3. ``create_submission`` -> :func:`ticket` (which must name the caller's account) and
   :func:`pending_bytes`, which spends the ticket (once: one ticket, one submission);
   :func:`discard` drops the kept file.

Files PUT for tickets that expired unused are deleted on the next PUT.

The way back is one call: ``submissionDownloadAuth`` -> :func:`issue_download`, a URL
signed with the app's secret that names one submission and its owner and lasts
:data:`UPLOAD_TTL` seconds; ``GET /graphql/downloads/<signed>`` (:func:`download_target`)
serves the stored file. numerapi fetches it without credentials, so the URL is the
credential: signed, short-lived, for the owner's own file only.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import paths, store
from app.access import access
from app.errors import ApiError
from app.web.services import sealed_refusal, write_atomically

bp = Blueprint("numerapi_upload", __name__)

UPLOAD_TTL = 600  # seconds a handed-out upload (or download) URL stays valid
DOWNLOAD_SALT = "numerapi-submission-download"


def issue(model: str, round_number: int, filename: str) -> dict[str, str]:
    """numerapi's UploadAuth for one upload for model ``model`` (a model key) to
    ``round_number``: the ticket (numerapi's ``filename``, handed back to
    ``create_submission``) and the PUT URL. A sealed round is refused here, before
    numerapi sends a byte of the file (:func:`refuse_sealed`)."""
    refuse_sealed(round_number)
    key = store.create_upload_ticket(model, round_number, filename, UPLOAD_TTL)
    return {"filename": key, "url": url_for("numerapi_upload.upload_target", key=key, _external=True)}


def refuse_sealed(round_number: int) -> None:
    """A 409 for a sealed round: numerapi's upload sends the whole file, which such a round
    may not receive before its close; ``nmr upload`` sends only the hash and shape."""
    row = store.get_round(round_number)
    if row is not None and row.sealed:
        raise ApiError(409, f"{sealed_refusal(round_number)}. numerapi's upload_predictions would send the whole "
                            "file, so it is refused here")


def ticket(key: str) -> dict[str, Any]:
    """The live upload ticket ``{"address", "model", "round", "filename"}`` (``model``: the
    model key it is for), or an error."""
    row = store.get_upload_ticket(key) if isinstance(key, str) and len(key) <= 200 else None
    if row is None:
        raise ApiError(404, "unknown upload; call upload_predictions again")
    if row.used_at is not None:
        raise ApiError(409, "this upload URL was already used for a submission; call upload_predictions again")
    if row.expires_at <= store.utcnow():
        raise ApiError(410, "this upload URL has expired; call upload_predictions again")
    return {"address": row.address, "model": row.model_key, "round": row.round_number, "filename": row.filename}


def pending_bytes(key: str) -> bytes:
    """What was PUT for ticket ``key``, spending the ticket (a second call, or a concurrent
    one, is a 409), or a 409 saying to PUT first."""
    path = _pending_path(key)
    if not path.is_file():
        raise ApiError(409, "no file was uploaded to this upload URL; PUT the predictions first")
    if not store.spend_upload_ticket(key, "used_at"):
        raise ApiError(409, "this upload URL was already used for a submission; call upload_predictions again")
    return path.read_bytes()


def discard(key: str) -> None:
    """Forget what was PUT for ticket ``key`` (create_submission consumed it)."""
    _pending_path(key).unlink(missing_ok=True)


def _pending_path(key: str) -> Path:
    """Where the PUT for upload ``key`` keeps the bytes until create_submission."""
    return paths.numerapi_uploads_dir() / f"{hashlib.sha256(key.encode()).hexdigest()}.bin"


@bp.put("/graphql/uploads/<key>")
@access("public")
def upload_target(key: str) -> Response:
    """Where numerapi PUTs the predictions file an upload auth pointed it to."""
    ticket(key)
    if not store.spend_upload_ticket(key, "put_at"):
        raise ApiError(409, "a file was already uploaded to this URL; it cannot be replaced. "
                            "Call upload_predictions again for a new URL")
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


def issue_download(submission: store.Submission) -> dict[str, str]:
    """numerapi's download auth for one stored submission: a file name and a signed URL."""
    signed = _download_signer().dumps({"submission": submission.id, "address": submission.address})
    return {"filename": download_name(submission), "url": url_for("numerapi_upload.download_target", signed=signed, _external=True)}


def _download_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DOWNLOAD_SALT)


@bp.get("/graphql/downloads/<signed>")
@access("public")
def download_target(signed: str) -> Response:
    """The submission a download auth names, as stored (canonical CSV)."""
    try:
        claim = _download_signer().loads(signed, max_age=UPLOAD_TTL)
    except SignatureExpired:
        raise ApiError(410, "this download URL has expired; call download_submission again") from None
    except BadSignature:
        raise ApiError(404, "unknown download URL; call download_submission for a new one") from None
    submission = store.get_submission(int(claim["submission"]))
    if submission is not None and submission.awaiting_reveal:
        raise ApiError(404, "this submission is sealed: the server holds its hash, not the file, until you reveal it")
    if submission is None or submission.address != claim["address"] or not Path(submission.stored_path).is_file():
        raise ApiError(404, "this submission's file is no longer stored here")
    return send_file(submission.stored_path, mimetype="text/csv", as_attachment=True,
                     download_name=download_name(submission), max_age=0)


def download_name(submission: store.Submission) -> str:
    """The name a downloaded submission is saved under: the upload's name, as CSV."""
    return f"{Path(submission.original_filename).stem or 'submission'}.csv"
