"""Downloads that never corrupt a file already there, and uploads retried only when that
cannot make a second submission.

Downloads (a GET: safe to repeat) go to a temporary file beside the target, are checked
against the length and the SHA-256 the server publishes (``Content-Length``, RFC 9530's
``Repr-Digest``), and only then replace the target (``os.replace``: atomic on one file
system). A cut, corrupted or interrupted download removes its temporary file and leaves
the old file as it was; a cut or corrupted one is fetched again, with backoff.

Uploads (a POST: each one makes a submission) are retried only after a failure that may
have happened before the server stored anything: the connection dropped, no answer in
time, or a gateway error. Before each retry the caller's ``stored()`` asks the server
whether it already has the file (my newest submission to the round has its hash); if it
does, that submission is the answer and nothing is sent again. A refusal (a bad file, a
closed round, the rate limit) is never retried: the server's message says what to do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from client.errors import ApiError, NumeraireError

CHUNK = 64 * 1024
CONNECT_TIMEOUT = 10.0  # seconds to open a connection; the read timeout is the client's
GATEWAY_ERRORS = frozenset({502, 503, 504})  # a proxy's: the app may or may not have stored the upload
# What makes a transfer worth another try: the network, not the server's decision.
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a transfer is tried (``attempts``) and the pauses between tries:
    ``delay`` seconds, multiplied by ``backoff`` after each."""

    attempts: int = 3
    delay: float = 1.0
    backoff: float = 2.0

    def pause(self, attempt: int) -> None:
        """Sleep before try ``attempt + 1`` (``attempt`` counts from 1)."""
        time.sleep(self.delay * self.backoff ** (attempt - 1))


class DownloadInterrupted(NumeraireError, KeyboardInterrupt):
    """Ctrl-C during a download: still a KeyboardInterrupt, with a message saying the old
    file was kept."""


class _Retry(Exception):
    """A failed try worth repeating; the message says what went wrong."""


def download(http: requests.Session, url: str, path: Path, *, timeout: float, policy: RetryPolicy,
             progress: Callable[[int | None], Any], what: str) -> Path:
    """Fetch ``url`` into ``path`` (replaced only by a complete, verified file); returns
    ``path``. ``progress(total)`` opens a progress bar (a context manager with ``update``)."""
    for attempt in range(1, policy.attempts + 1):
        try:
            _download_once(http, url, path, timeout=timeout, progress=progress)
            return path
        except _Retry as exc:
            reason = str(exc)
        except KeyboardInterrupt:
            raise DownloadInterrupted(f"download of {what} interrupted; {_kept(path)}") from None
        if attempt < policy.attempts:
            policy.pause(attempt)
    raise NumeraireError(f"download of {what} failed after {policy.attempts} tries ({reason}); {_kept(path)}")


def _kept(path: Path) -> str:
    return f"the existing {path} is unchanged" if path.exists() else f"nothing was written to {path}"


def _download_once(http: requests.Session, url: str, path: Path, *, timeout: float,
                   progress: Callable[[int | None], Any]) -> None:
    try:
        response = http.get(url, stream=True, timeout=(CONNECT_TIMEOUT, timeout))
    except NETWORK_ERRORS as exc:
        raise _Retry(_network_reason(exc, timeout)) from None
    with response:
        if response.status_code >= 500:
            raise _Retry(f"the server answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ApiError(response.status_code, error_message(response))
        length = _int_or_none(response.headers.get("Content-Length"))
        published = sha256_of(response.headers.get("Repr-Digest"))
        descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            digest, received = hashlib.sha256(), 0
            with os.fdopen(descriptor, "wb") as handle, progress(length) as bar:
                try:
                    for chunk in response.iter_content(CHUNK):
                        handle.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
                except NETWORK_ERRORS as exc:
                    raise _Retry(f"the connection broke after {received:,} bytes ({type(exc).__name__})") from None
                if length is not None and received != length:
                    raise _Retry(f"got {received:,} of {length:,} bytes")
                if published is not None and digest.digest() != published:
                    raise _Retry("the file's SHA-256 differs from the one the server publishes")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


def upload(send: Callable[[], requests.Response], stored: Callable[[], dict[str, Any] | None], *,
           policy: RetryPolicy, timeout: float, what: str) -> requests.Response | dict[str, Any]:
    """``send()`` the upload, retrying only as the module says; returns the server's
    response, or, when a lost answer hid a stored upload, what ``stored()`` found."""
    for attempt in range(1, policy.attempts + 1):
        if attempt > 1:
            policy.pause(attempt - 1)
            try:
                found = stored()
            except NumeraireError as exc:  # the server is still unreachable: this try is spent
                reason = str(exc)
                continue
            if found is not None:
                return found
        try:
            response = send()
        except NETWORK_ERRORS as exc:
            reason = _network_reason(exc, timeout)
            continue
        if response.status_code not in GATEWAY_ERRORS:
            return response
        reason = f"the server answered HTTP {response.status_code}"
    failed = f"upload of {what} failed after {policy.attempts} tries ({reason})"
    try:
        found = stored()  # the last answer may have been lost too
    except NumeraireError:
        raise NumeraireError(f"{failed}, and the server cannot be asked whether it arrived; `nmr status` shows "
                             "your current submission once the server answers") from None
    if found is not None:
        return found
    raise NumeraireError(f"{failed}; the server has not stored it. Check that the server is up (nmr status) "
                         "and upload again")


def _network_reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, requests.Timeout):
        return f"no answer in {timeout:g} s"
    return f"cannot reach the server ({type(exc).__name__})"


def sha256_of(header: str | None) -> bytes | None:
    """The SHA-256 a ``Repr-Digest`` header carries (``sha-256=:<base64>:``), or None."""
    for item in (header or "").split(","):
        algorithm, _, value = item.strip().partition("=")
        if algorithm.strip().lower() == "sha-256":
            try:
                return base64.b64decode(value.strip().strip(":"), validate=True)
            except (binascii.Error, ValueError):
                return None
    return None


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def error_message(response: requests.Response) -> str:
    """The server's ``{"error": {"message"}}``, or the status line for a non-JSON reply."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get("message"):
        return str(body["error"]["message"])
    return f"HTTP {response.status_code} {response.reason} from {response.url}"
