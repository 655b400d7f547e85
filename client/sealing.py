"""Sealed rounds from the client (docs/sealed.md): a file sealed here and revealed later.

Before the close, :meth:`SealingMixin.seal_predictions` sends only what the commitment
says about a file the validator accepted here: its canonical hash and its shape
(:class:`client.core.predictions.Commitment`). The file stays on this machine. A small
local record keeps the path and a copy of the bytes, so the file revealed is the one
that was sealed even if the original is overwritten meanwhile (the next round's
``predictions.csv``). Records live under ``sealed_dir`` (``NMR_SEALED_DIR``, default
``~/.nmr/sealed``), one JSON file and one copy per sealed file, grouped by server.

After the close, :meth:`SealingMixin.reveal_predictions` sends every file this machine
sealed once the chain's clock has passed its round's close (read from the escrow, not
taken from the server's word). A record is dropped once its file is revealed, or once
reveals for its round have ended.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from client import transfers
from client.core.models import SEPARATOR, model_key
from client.core.predictions import Commitment, ValidationResult
from client.errors import ApiError, NumeraireError, ValidationFailed
from client.uploads import accepted

DEFAULT_SEALED_DIR = Path("~/.nmr/sealed")
REVEALS_ENDED = 410  # the server's answer to a reveal after the round's deadline


@dataclass(frozen=True)
class SealedFile:
    """One file sealed here: the round, the model key, the hash committed to, where the
    file was and the copy kept (``copy``, beside the record)."""

    round: int
    model: str
    hash: str
    path: str
    copy: str
    sealed_at: str


class SealingMixin:
    """Sealing a file in a sealed round and revealing it, through the transport and the
    identity (`http`, `_url`, `_json`, `_auth_headers`), my models and the uploads."""

    address: str
    api_url: str
    http: requests.Session
    timeout: float
    retry: transfers.RetryPolicy
    sealed_dir: Path
    _url: Callable[[str], str]
    _json: Callable[..., Any]
    _auth_headers: Callable[[str], dict[str, str]]
    _stored_upload: Callable[..., dict[str, Any] | None]
    _send_file: Callable[..., dict[str, Any]]
    model: Callable[..., dict[str, Any]]
    chain: Callable[[], Any]
    _on_chain: Callable[[], Any]

    def sealed_round(self, round_number: int) -> dict[str, Any] | None:
        """The round's reveal window if it is sealed (``reveal_from``, ``reveal_until``,
        ``accepted``: reveals are open now, ``note``), else None."""
        return self._json("GET", f"/rounds/{int(round_number)}").get("sealed")

    def seal_predictions(self, path: str | Path, round_number: int, result: ValidationResult,
                         chosen: dict[str, Any] | None = None) -> dict[str, Any]:
        """Seal the accepted file `path` (`result`: its validation here) as my model
        `chosen`'s in sealed round `round_number`: its hash and shape sent, the file kept
        in a local record. Returns the commitment as the server recorded it, with
        ``sealed`` (the round's reveal window) and ``record`` (the local record's path)."""
        path = Path(path)
        commitment = Commitment.of(result)
        key = chosen["key"] if chosen is not None else model_key(self.address)
        record = self._record_path(round_number, key, commitment.hash)
        kept_before = record.is_file()  # sealed before: a refusal now must not lose that record
        self._keep(record, round_number, key, commitment.hash, path)
        body = {**commitment.as_json(), "filename": path.name, "model": chosen["key"] if chosen else None}
        headers = self._auth_headers("POST")  # signs in first, if need be

        def send() -> requests.Response:
            return self.http.post(self._url(f"/rounds/{round_number}/commitments"), json=body, headers=headers,
                                  timeout=(transfers.CONNECT_TIMEOUT, self.timeout))

        try:
            payload = accepted(transfers.upload(send, lambda: self._stored_upload(round_number, commitment.hash,
                                                                                  chosen and chosen["key"]),
                                                policy=self.retry, timeout=self.timeout, what=path.name), path.name)
        except (ApiError, ValidationFailed):
            if not kept_before:
                _forget(record)  # refused: nothing was committed, nothing to reveal
            raise
        return {**payload, "record": str(record)}

    def pending_reveals(self, round_number: int | None = None) -> list[SealedFile]:
        """The files this machine sealed on this server for my wallet's models and has not
        revealed (of round `round_number`, or every round), oldest round first."""
        folder = self._server_dir()
        records = [] if not folder.is_dir() else sorted(folder.glob("round-*/*.json"))
        mine = self.address.lower()
        found = (SealedFile(**json.loads(record.read_text())) for record in records)
        return sorted((f for f in found if f.model.lower().split(SEPARATOR)[0] == mine
                       and (round_number is None or f.round == int(round_number))),
                      key=lambda f: (f.round, f.model))  # fmt: skip

    def reveal_predictions(self, round_number: int | None = None, path: str | Path | None = None,
                           model: str | None = None) -> list[dict[str, Any]]:
        """Reveal sealed files once their round has closed: with `path`, that file as my
        `model`'s in round `round_number`; else every file this machine sealed (in
        `round_number`, or in any round). Returns one entry per file: ``round``,
        ``model``, ``hash``, ``status`` and ``message``. ``status`` is ``revealed`` (with
        the server's answer, ``submission``), ``waiting`` (the round has not closed),
        ``too late`` (reveals ended; the record is dropped) or ``refused`` (the server's
        reason in ``message``; the record is kept).

        The close is read from the escrow, never taken from the server's word: a file
        leaves this machine only once the chain's clock has passed the round's close."""
        if path is not None:
            if round_number is None:
                raise NumeraireError("name the round of the file to reveal (nmr reveal ROUND --file FILE)")
            file = Path(path)
            if not file.is_file():
                raise NumeraireError(f"no file at {file}")
            chosen = self.model(model) if model is not None else None
            sealed = SealedFile(int(round_number), chosen["key"] if chosen else model_key(self.address), "", str(file),
                                str(file), "")
            return [self._reveal_one(sealed, keep=True)]
        return [self._reveal_one(sealed) for sealed in self.pending_reveals(round_number)]

    def _reveal_one(self, sealed: SealedFile, keep: bool = False) -> dict[str, Any]:
        """Reveal one file if its round has closed on chain; `keep`: the file is no record."""
        entry = {"round": sealed.round, "model": sealed.model, "hash": sealed.hash}
        record = Path(sealed.copy).with_suffix(".json")
        with self._on_chain():
            chain = self.chain()
            closes_at, now = chain.round(sealed.round)["closes_at"], chain.now()
        if now < closes_at:
            return {**entry, "status": "waiting", "message": f"round {sealed.round} closes on chain in "
                    f"{closes_at - now} s; its sealed files are revealed after that (nmr reveal {sealed.round})"}
        key = None if sealed.model.lower() == model_key(self.address).lower() else sealed.model
        try:
            answer = self._send_file(f"/rounds/{sealed.round}/reveals", Path(sealed.path).name,
                                     Path(sealed.copy).read_bytes(), key, lambda: None)
        except ApiError as exc:
            if exc.status == REVEALS_ENDED and not keep:
                _forget(record)
            return {**entry, "status": "too late" if exc.status == REVEALS_ENDED else "refused", "message": exc.message}
        if not keep:
            _forget(record)
        return {**entry, "hash": answer["hash"], "status": "revealed", "message": f"revealed {Path(sealed.path).name}",
                "submission": answer}

    def _server_dir(self) -> Path:
        """This server's records (the API URL's digest names the folder)."""
        return Path(self.sealed_dir).expanduser() / hashlib.sha256(self.api_url.encode()).hexdigest()[:16]

    def _record_path(self, round_number: int, key: str, file_hash: str) -> Path:
        """Where the record of model `key`'s file `file_hash` in the round is kept."""
        return self._server_dir() / f"round-{int(round_number)}" / f"{key}-{file_hash[2:18]}.json"

    def _keep(self, record: Path, round_number: int, key: str, file_hash: str, path: Path) -> None:
        """Write the record and the copy of `path` (the copy first: a record always has one)."""
        record.parent.mkdir(parents=True, exist_ok=True)
        copy = record.with_suffix(".bin")
        _write(copy, path.read_bytes())
        sealed = SealedFile(int(round_number), key, file_hash, str(path.resolve()), str(copy),
                            datetime.now(UTC).isoformat(timespec="seconds"))
        _write(record, json.dumps(asdict(sealed), indent=2).encode())


def _write(path: Path, body: bytes) -> None:
    """Write `body` to `path` whole or not at all (a temporary file, then a rename)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)


def _forget(record: Path) -> None:
    """Drop a record and its copy."""
    record.with_suffix(".bin").unlink(missing_ok=True)
    record.unlink(missing_ok=True)
