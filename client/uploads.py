"""Uploads: a prediction file checked here, then sent as one of my models' submission.

The file is validated with the server's own validator (:mod:`client.core.predictions`)
before anything is sent, so a bad file fails here with the server's exact messages and
costs no upload. The upload is retried only when that cannot store it twice
(:mod:`client.transfers`): an upload whose answer was lost is recognised among my
submissions by its hash. My current submission's hash is what a stake commits to. A
sealed round's file is sealed instead (:mod:`client.sealing`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from tqdm import tqdm
from urllib3 import encode_multipart_formdata

from client import settings, transfers
from client.core.models import model_key
from client.core.predictions import ValidationResult, validate_predictions
from client.errors import NumeraireError, ValidationFailed
from client.transfers import RetryPolicy
from client.transport import raise_for_status


class _ProgressReader(io.BytesIO):
    """A request body that advances a progress bar as the HTTP library reads it."""

    def __init__(self, body: bytes, bar: tqdm) -> None:
        super().__init__(body)
        self._bar = bar

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self._bar.update(len(chunk))
        return chunk


def accepted(answer: requests.Response | dict[str, Any], name: str) -> dict[str, Any]:
    """The server's answer to an upload of `name` if it accepted it (a dict: what a
    lost answer's retry found stored), else ValidationFailed with its problems."""
    if isinstance(answer, dict):
        return answer
    raise_for_status(answer)
    payload = answer.json()
    if not payload.get("accepted"):
        raise ValidationFailed(name, payload.get("problems") or ["refused by the server"])
    return payload


class UploadsMixin:
    """Checking and uploading prediction files, and my submissions, through the transport
    (`http`, `timeout`, `retry`, `_bar`), the identity, my models and the round's dataset."""

    address: str
    http: requests.Session
    timeout: float
    retry: RetryPolicy
    _url: Callable[[str], str]
    _bar: Callable[..., tqdm]
    _auth_headers: Callable[[str], dict[str, str]]
    account: Callable[[], dict[str, Any]]
    model: Callable[..., dict[str, Any]]
    current_round_number: Callable[[], int]
    expected_ids: Callable[..., pd.Series]
    sealed_round: Callable[[int], dict[str, Any] | None]
    seal_predictions: Callable[..., dict[str, Any]]

    def check_predictions(self, path: str | Path, round_number: int | None = None,
                          dataset: str | Path | None = None) -> ValidationResult:
        """Validate a prediction file here with the server's own rules; returns the result
        (``ok``, ``problems``, ``hash`` = the bytes32 a stake commits to)."""
        path = Path(path)
        if not path.is_file():
            raise NumeraireError(f"no file at {path}")
        number = self.current_round_number() if round_number is None else int(round_number)
        ids = self.expected_ids(number, dataset)
        return validate_predictions(path.read_bytes(), path.name, ids, settings.MAX_UPLOAD_BYTES)

    def upload_predictions(self, path: str | Path, round_number: int | None = None,
                           dataset: str | Path | None = None, model: str | None = None) -> dict[str, Any]:
        """Validate `path` here, then upload it as the file of my `model` (a name or key;
        default model 0); returns the accepted submission (``hash``, ``metrics``,
        ``model``). Raises ValidationFailed (nothing sent) if the file is bad.

        In a sealed round only the file's hash and shape are sent, and the file is kept
        here to reveal after the close (:meth:`seal_predictions`; ``sealed`` in the answer
        says until when)."""
        path = Path(path)
        number = self.current_round_number() if round_number is None else int(round_number)
        chosen = self.model(model) if model is not None else None
        result = self.check_predictions(path, number, dataset)
        if not result.ok:
            raise ValidationFailed(path.name, result.problems)
        if self.sealed_round(number) is not None:
            return self.seal_predictions(path, number, result, chosen)
        return self._send_file(f"/rounds/{number}/submissions", path.name, path.read_bytes(), chosen and chosen["key"],
                               lambda: self._stored_upload(number, result.hash, chosen and chosen["key"]))

    def _send_file(self, route: str, name: str, raw: bytes, key: str | None,
                   stored: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
        """POST a prediction file (``file``, and ``model`` = `key` unless None) to `route`,
        retried as :func:`client.transfers.upload` says (`stored` finds it if an answer
        was lost); the accepted answer, or ValidationFailed with the server's problems."""
        fields: dict[str, Any] = {"file": (name, raw, "application/octet-stream")}
        if key is not None:
            fields["model"] = key
        body, content_type = encode_multipart_formdata(fields)
        headers = {"Content-Type": content_type, **self._auth_headers("POST")}  # signs in first, if need be

        def send() -> requests.Response:
            with self._bar(len(body), f"uploading {name}") as bar:
                return self.http.post(self._url(route), data=_ProgressReader(body, bar),
                                      headers=headers, timeout=(transfers.CONNECT_TIMEOUT, self.timeout))

        return accepted(transfers.upload(send, stored, policy=self.retry, timeout=self.timeout, what=name), name)

    def submission_hash(self, round_number: int, model: str | None = None) -> str:
        """The hash of my current submission to the round (what a stake commits to), of my
        `model` (a name or key; default model 0)."""
        chosen = self.model(model)
        mine = self._submissions(round_number, chosen["key"])
        if mine:
            return max(mine, key=lambda s: s["id"])["hash"]
        if chosen["number"] == 0:
            raise NumeraireError(f"you have no submission in round {round_number}; "
                                 "upload predictions first (nmr upload FILE)")
        raise NumeraireError(f"your model {chosen['name']} has no submission in round {round_number}; upload "
                             f"predictions first (nmr upload FILE --model {chosen['name']})")

    def _stored_upload(self, round_number: int, file_hash: str, key: str | None = None) -> dict[str, Any] | None:
        """My newest submission to the round (of model `key`, default model 0) as an
        accepted upload, if it is this file (an upload whose answer was lost arrived after
        all), else None."""
        mine = self._submissions(round_number, key)
        newest = max(mine, key=lambda s: s["id"], default=None)
        if newest is None or newest["hash"] != file_hash:
            return None
        return {"accepted": True, "recovered": True, **newest}

    def _submissions(self, round_number: int, key: str | None = None) -> list[dict[str, Any]]:
        """My current submissions to the round of model `key` (default model 0; a
        server that names no model has only model 0's)."""
        key = (key or model_key(self.address)).lower()
        return [s for s in self.account().get("submissions", [])
                if int(s["round"]) == int(round_number) and str(s.get("model") or self.address).lower() == key]
