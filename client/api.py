"""NumeraireClient: the tournament's JSON API (``/api/v1``) and the escrow, from Python.

Reading (rounds, leaderboard, results, datasets) needs no identity. Uploading and the
account need one: an API token (``Authorization: Token PUBLIC$SECRET``) or Sign-In with
Ethereum, signed here with a local key. Staking signs transactions here with that key
(a raw key or an encrypted keystore file) through the shared chain client
(:mod:`client.core.chain`); the key itself is never sent anywhere, only signatures and
signed transactions.

A wallet runs one or more models (:mod:`client.core.models`): uploads and stakes name one
by its name or key (``model=``; none means model 0, the wallet's first, so a single-model
wallet never names one). The escrow keys a stake by the model's number; the server keeps
the names (:meth:`NumeraireClient.models`, :meth:`NumeraireClient.add_model`).

Prediction files are checked with the server's own validator
(:mod:`client.core.predictions`) before they are uploaded, so a bad file fails here with
the server's exact messages and costs no upload. Nothing here needs the server package
(``app``); only :meth:`NumeraireClient.verify` uses it, when it is installed.

One job past ~350 lines: :class:`NumeraireClient` is the client's one door (numerapi's
shape: one class, a method per endpoint or contract call, each a thin request or chain
call sharing the session, the identity and the progress bars); its errors, amounts and
settings live beside it (:mod:`client.errors`, :mod:`client.amounts`, :mod:`client.settings`).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from tqdm import tqdm
from urllib3 import encode_multipart_formdata

from client import settings, transfers
from client.amounts import from_wei, to_wei
from client.core.files import dataset_file_name
from client.core.models import model_key, split_model_key
from client.core.predictions import ValidationResult, validate_predictions
from client.errors import ApiError, NoCredentials, NumeraireError, ValidationFailed
from client.transfers import RetryPolicy

DATASET_FORMATS = ("parquet", "csv")


class _ProgressReader(io.BytesIO):
    """A request body that advances a progress bar as the HTTP library reads it."""

    def __init__(self, body: bytes, bar: tqdm) -> None:
        super().__init__(body)
        self._bar = bar

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self._bar.update(len(chunk))
        return chunk


class NumeraireClient:
    """One data scientist's door to a tournament server and its chain.

    `api_url`: the server (``http://127.0.0.1:8000``; ``/api/v1`` is added). Identity:
    `token` (an API token) and/or a wallet: `private_key`, or `keystore_file` with
    `keystore_password` (or `password_prompt`, called once when the key is first needed).
    `rpc_url` overrides the chain RPC the server publishes. `progress` shows tqdm bars.
    `timeout` bounds each wait for the server (seconds); `retry` says how often a download
    or an upload is tried (:mod:`client.transfers`: downloads are verified before they
    replace a file, uploads retried only when that cannot store them twice).
    """

    def __init__(
        self,
        api_url: str = settings.DEFAULT_API_URL,
        token: str | None = None,
        private_key: str | None = None,
        keystore_file: str | Path | None = None,
        keystore_password: str | None = None,
        password_prompt: Callable[[], str] | None = None,
        rpc_url: str | None = None,
        progress: bool = True,
        timeout: float = 60,
        retry: RetryPolicy | None = None,
    ) -> None:
        base = api_url.rstrip("/")
        self.api_url = base if base.endswith(settings.API_PREFIX) else base + settings.API_PREFIX
        self.token = token or None
        self.rpc_url = rpc_url or None
        self.progress = progress
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.http = requests.Session()
        self._private_key = private_key or None
        self._keystore_file = keystore_file or None
        self._keystore_password = keystore_password
        self._password_prompt = password_prompt
        self._signer: Any | None = None
        self._chain: Any | None = None
        self._csrf: str | None = None
        self._signed_in_as: str | None = None
        self._datasets: dict[int, Path] = {}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> NumeraireClient:
        """A client configured from ``NMR_API_URL``, ``NMR_API_TOKEN``, ``NMR_PRIVATE_KEY`` or
        ``NMR_KEYSTORE`` (+ ``NMR_KEYSTORE_PASSWORD``) and ``NMR_RPC_URL``; keyword
        arguments win over the environment."""
        arguments: dict[str, Any] = settings.from_env(os.environ if environ is None else environ)
        arguments.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**arguments)

    # ---- HTTP ----------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _request(self, method: str, path: str, *, auth: bool = False, stream: bool = False,
                 **kwargs: Any) -> requests.Response:
        """Send a request (with identity if `auth`); raise ApiError with the server's message."""
        headers = kwargs.pop("headers", {})
        if auth:
            headers.update(self._auth_headers(method))
        try:
            response = self.http.request(method, self._url(path), headers=headers, stream=stream,
                                         timeout=self.timeout, **kwargs)
        except requests.ConnectionError:
            raise NumeraireError(
                f"cannot reach the tournament server at {self.api_url}; is it running? (set NMR_API_URL)"
            ) from None
        except requests.Timeout:
            raise NumeraireError(f"the tournament server at {self.api_url} did not answer in {self.timeout:g} s") from None
        if response.status_code >= 400 and response.status_code != 422:
            raise ApiError(response.status_code, transfers.error_message(response))
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    def _auth_headers(self, method: str) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Token {self.token}"}
        if self.has_wallet:
            self.login()
            return {"X-CSRF-Token": self._csrf} if method.upper() not in ("GET", "HEAD") and self._csrf else {}
        raise NoCredentials(
            "this needs your identity: set NMR_API_TOKEN (an API token) or NMR_PRIVATE_KEY / NMR_KEYSTORE (your wallet)"
        )

    # ---- identity ------------------------------------------------------------------------

    @property
    def has_wallet(self) -> bool:
        """True when a private key or keystore file is configured."""
        return bool(self._private_key or self._keystore_file)

    @property
    def signer(self) -> Any:
        """The local signing account (loaded, and the keystore decrypted, on first use)."""
        if self._signer is None:
            if not self.has_wallet:
                raise NoCredentials("this needs your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE (a keystore file)")
            from client.core.chain.errors import ChainError
            from client.core.chain.signing import load_signer

            password = self._keystore_password
            if self._keystore_file and password is None and self._private_key is None and self._password_prompt:
                password = self._password_prompt()
            try:
                self._signer = load_signer(self._private_key, self._keystore_file, password, owner="staker")
            except ChainError as exc:
                raise NumeraireError(str(exc)) from None
        return self._signer

    @property
    def address(self) -> str:
        """My address: the wallet's, else the API token's owner (asked of the server)."""
        if self.has_wallet:
            return self.signer.address
        return self._json("GET", "/auth/me", auth=True)["address"]

    def login(self) -> str:
        """Sign in with Ethereum (EIP-4361) using the local key; returns the address.

        The server's message (domain, chain id, nonce) is signed here; only the signature
        is sent. The session cookie then identifies this client."""
        if self._signed_in_as:
            return self._signed_in_as
        address = self.signer.address
        from client.core.chain.signing import sign_personal_message

        info = self._json("GET", "/auth/nonce", params={"address": address})
        signature = sign_personal_message(self.signer, info["message"])
        body = self._json("POST", "/auth/verify", json={"message": info["message"], "signature": signature})
        self._csrf, self._signed_in_as = body["csrf_token"], body["address"]
        return body["address"]

    def create_token(self, name: str = "") -> dict[str, Any]:
        """A new API token for scripts (``token`` is shown only here). Needs the wallet:
        tokens are created from a signed-in session, never from another token."""
        self.login()
        headers = {"X-CSRF-Token": self._csrf or ""}
        return self._json("POST", "/account/tokens", json={"name": name}, headers=headers)

    def set_display_name(self, name: str | None) -> dict[str, Any]:
        """Set (or, with None/empty, clear) my public display name."""
        return self._json("PATCH", "/account", auth=True, json={"display_name": name or None})

    def account(self) -> dict[str, Any]:
        """My account: submissions, scores, stakes and balances as the server sees them."""
        return self._json("GET", "/account", auth=True)

    # ---- models --------------------------------------------------------------------------

    def models(self, address: str | None = None) -> list[dict[str, Any]]:
        """The models of wallet `address` (default: mine), model 0 first: ``key``, ``name``,
        ``number``, ``wallet``."""
        return self._json("GET", "/models", params={"address": address or self.address})["models"]

    def add_model(self, name: str) -> dict[str, Any]:
        """Registers a new model of my wallet named `name` (numbered next after my others);
        returns it (``key``, ``name``, ``number``, ``wallet``)."""
        return self._json("POST", "/account/models", auth=True, json={"name": name})

    def model(self, reference: str | None = None) -> dict[str, Any]:
        """The model of my wallet that `reference` names: None for model 0 (no request),
        else one of my models' names (any letter case) or keys. A reference that names
        none of them is a NumeraireError listing my models."""
        address = model_key(self.address)
        first = {"key": address, "name": None, "number": 0, "wallet": address}
        if reference is None or not str(reference).strip():
            return first
        wanted = str(reference).strip()
        try:
            wallet, number = split_model_key(wanted)
        except ValueError:
            wallet, number = None, None
        if wallet is not None and wallet != address:
            raise NumeraireError(f"{wanted} is a model of the wallet {wallet}, not of yours ({address})")
        if number == 0:
            return first  # every wallet has its model 0: nothing to ask
        mine = self.models(address)
        for model in mine:
            if wanted.lower() in (model["key"].lower(), str(model["name"]).lower()):
                return model
        listed = ", ".join(f"{m['name']} ({m['key']})" if m["name"] != m["key"] else m["key"] for m in mine)
        raise NumeraireError(f"{wanted!r} is none of your models; your models are {listed}. "
                             "Name one by its name or key, or add one: nmr models add NAME")

    # ---- rounds and results --------------------------------------------------------------

    def current_round(self, mine: bool = False) -> dict[str, Any]:
        """The current round page (``round``, ``n_submissions``, and with `mine` my submission)."""
        return self._json("GET", "/rounds/current", auth=mine)

    def current_round_number(self) -> int:
        """The current round's number, or NumeraireError if the server has no round."""
        page = self.current_round()
        if not page.get("round"):
            raise NumeraireError("the server has no round yet; wait for the operator to open one")
        return int(page["round"]["number"])

    def rounds(self) -> list[dict[str, Any]]:
        """Past rounds (all but the open one), newest first, with their totals."""
        return self._json("GET", "/rounds")["rounds"]

    def round_results(self, number: int) -> dict[str, Any]:
        """Tournament `number`'s results: totals, participants with scores, payouts."""
        return self._json("GET", f"/rounds/{int(number)}")

    def leaderboard(self, round_number: int | None = None) -> dict[str, Any]:
        """The leaderboard of a scored round (default: the newest scored round)."""
        params = {"round": int(round_number)} if round_number is not None else None
        return self._json("GET", "/leaderboard", params=params)

    def download_published(self, number: int, dest: str | Path) -> Path:
        """Every file the oracle published for round `number`, into `dest` (folder kept)."""
        names = self.round_results(number).get("published_files") or []
        if not names:
            raise NumeraireError(f"round {number} has no published files yet; it is published after settlement")
        folder = Path(dest)
        with self._bar(len(names), f"round {number} published files", unit="file") as bar:
            for name in names:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                # Published files are served beside the pages, outside /api/v1.
                url = f"{self.api_url.removesuffix(settings.API_PREFIX)}/rounds/{int(number)}/published/{name}"
                transfers.download(self.http, url, target, timeout=self.timeout, policy=self.retry,
                                   progress=lambda total, name=name: self._bar(total, name), what=name)
                bar.update(1)
        return folder

    def verify(self, number: int, dest: str | Path | None = None) -> Any:
        """Download round `number`'s published files and check them against the chain
        (:mod:`client.core.money.verify`; the scoring engine it replays comes with the
        ``verify`` extra): returns the report (``ok``, ``checked``, ``mismatches``)."""
        try:
            from client.core.money.verify import verify_published
        except ImportError as exc:
            raise NumeraireError(
                f"verify recomputes the scores, which needs the client's verify extra ({exc}); "
                "install it with: pip install './client[verify]'"
            ) from None

        folder = self.download_published(number, dest or tempfile.mkdtemp(prefix=f"nmr-round-{number}-"))
        rpc_url = self.rpc_url or self.chain_info()["rpc_url"]
        with self._on_chain():
            return verify_published(folder, rpc_url)

    def chain_info(self) -> dict[str, Any]:
        """Chain id, RPC URL, token and escrow addresses and ABIs."""
        return self._json("GET", "/chain")

    # ---- data ----------------------------------------------------------------------------

    def download_dataset(self, dest: str | Path = ".", round_number: int | None = None,
                         file_format: str = "parquet") -> Path:
        """Download a round's dataset (default: the current round, Parquet) into the folder
        `dest`; returns the file's path. A file already there is replaced only by a
        complete download whose SHA-256 matches the one the server publishes."""
        if file_format not in DATASET_FORMATS:
            raise NumeraireError(f"unknown dataset format {file_format!r}; use parquet or csv")
        number = self.current_round_number() if round_number is None else int(round_number)
        folder = Path(dest)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / dataset_file_name(number, file_format)
        transfers.download(self.http, self._url(f"/rounds/{number}/dataset.{file_format}"), path,
                           timeout=self.timeout, policy=self.retry, what=path.name,
                           progress=lambda total: self._bar(total, f"round {number} {file_format}"))
        self._datasets[number] = path
        return path

    def expected_ids(self, round_number: int, dataset: str | Path | None = None) -> pd.Series:
        """The round's tournament ids (non-train rows): what a prediction file must cover.
        From `dataset` if given, else the file this client downloaded, else downloaded now."""
        path = Path(dataset) if dataset else self._datasets.get(round_number)
        if path is None or not path.is_file():
            path = self.download_dataset(tempfile.mkdtemp(prefix="nmr-dataset-"), round_number)
        columns = ["id", "data_type"]
        try:
            if path.suffix == ".csv":
                frame = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
            else:
                frame = pd.read_parquet(path, columns=columns)
        except (OSError, ValueError, KeyError) as exc:
            raise NumeraireError(f"cannot read the dataset {path} ({exc}); download it again") from None
        return frame.loc[frame["data_type"] != "train", "id"].astype(str)

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
        ``model``). Raises ValidationFailed (nothing sent) if the file is bad."""
        path = Path(path)
        number = self.current_round_number() if round_number is None else int(round_number)
        chosen = self.model(model) if model is not None else None
        result = self.check_predictions(path, number, dataset)
        if not result.ok:
            raise ValidationFailed(path.name, result.problems)
        fields: dict[str, Any] = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
        if chosen is not None:
            fields["model"] = chosen["key"]
        body, content_type = encode_multipart_formdata(fields)
        headers = {"Content-Type": content_type, **self._auth_headers("POST")}  # signs in first, if need be

        def send() -> requests.Response:
            with self._bar(len(body), f"uploading {path.name}") as bar:
                return self.http.post(self._url(f"/rounds/{number}/submissions"), data=_ProgressReader(body, bar),
                                      headers=headers, timeout=(transfers.CONNECT_TIMEOUT, self.timeout))

        answer = transfers.upload(send, lambda: self._stored_upload(number, result.hash, chosen and chosen["key"]),
                                  policy=self.retry,
                                  timeout=self.timeout, what=path.name)
        if isinstance(answer, dict):
            return answer
        if answer.status_code >= 400 and answer.status_code != 422:
            raise ApiError(answer.status_code, transfers.error_message(answer))
        payload = answer.json()
        if not payload.get("accepted"):
            raise ValidationFailed(path.name, payload.get("problems") or ["refused by the server"])
        return payload

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

    # ---- chain ---------------------------------------------------------------------------

    @contextmanager
    def _on_chain(self) -> Iterator[None]:
        """Chain errors (decoded reverts, an unreachable node) as NumeraireError."""
        from client.core.chain.errors import ChainError

        try:
            yield
        except ChainError as exc:
            raise NumeraireError(str(exc)) from exc

    def chain(self) -> Any:
        """A :class:`client.core.chain.contracts.Chain` for this tournament, signing with my
        local key (if any)."""
        if self._chain is None:
            from client.core.chain.contracts import Chain

            signer = self.signer if self.has_wallet else None
            with self._on_chain():
                self._chain = Chain.from_public_info(self.chain_info(), self.rpc_url, signer=signer)
        return self._chain

    def balances(self, address: str | None = None) -> dict[str, int]:
        """ETH and NMR (wei) and USD (the stablecoin's units) of `address` (default: my wallet), from chain."""
        with self._on_chain():
            return self.chain().balances(address or self.address)

    def stake_of(self, round_number: int, address: str | None = None, model: str | None = None) -> dict[str, Any]:
        """A stake in a round on chain: amount, confidence (WAD), status. Whose: `address`
        (a wallet, i.e. its model 0, or a model key), else my `model` (a name or key;
        default model 0)."""
        key = address or self.model(model)["key"]
        with self._on_chain():
            return self.chain().stake_of(int(round_number), key)

    def stake(self, amount: str | int | Decimal, confidence: str | int | Decimal, round_number: int | None = None,
              submission_hash: str | None = None, model: str | None = None) -> dict[str, Any]:
        """Stake `amount` NMR at `confidence` on my `model` (a name or key; default model
        0), committing its current submission (or `submission_hash`) in the round
        (default: current): approve + stake, signed with my local key.

        Checked first, so nothing is sent when it would fail: the model is mine, the round
        open on chain, a submission to commit to, ETH for gas and enough NMR."""
        amount_wei = to_wei(amount, "amount")
        confidence_wad = to_wei(confidence, "confidence")
        if not self.has_wallet:
            raise NoCredentials("staking signs with your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE (a keystore file)")
        number = self.current_round_number() if round_number is None else int(round_number)
        chosen = self.model(model)
        if submission_hash is None:
            submission_hash = self.submission_hash(number, chosen["key"])
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", submission_hash):
            raise NumeraireError(f"the submission hash must be 0x + 64 hex digits (got {submission_hash!r})")
        chain = self.chain()
        address = self.signer.address
        with self._on_chain():
            on_chain = chain.round(number)
            if not on_chain["exists"]:
                raise NumeraireError(f"round {number} does not exist on chain")
            if chain.now() >= on_chain["closes_at"]:
                raise NumeraireError(_sentence("TournamentEscrowRoundClosed", roundId=number,
                                               closesAt=on_chain["closes_at"]))
            balances = chain.balances(address)
            if balances["eth_wei"] == 0:
                raise NumeraireError(f"{address} has no ETH to pay for gas; fund it first")
            if balances["nmr_wei"] < amount_wei:
                raise NumeraireError(_sentence("ERC20InsufficientBalance", balance=balances["nmr_wei"],
                                               needed=amount_wei) + f" (wallet {address})")
            with self._bar(2, f"approve + stake {from_wei(amount_wei)} NMR on round {number}", unit="tx") as bar:
                tx = chain.stake(number, amount_wei, confidence_wad, submission_hash, model=chosen["number"])
                bar.update(2)
            position = chain.stake_of(number, chosen["key"])
        return {"round": number, "staker": address, **_model_fields(chosen), "amount_wei": amount_wei,
                "confidence_wad": confidence_wad, "submission_hash": submission_hash,
                "total_stake_wei": position["amount"], **tx}

    def withdraw(self, round_number: int, model: str | None = None) -> dict[str, Any]:
        """The escape hatch: take back my `model`'s (a name or key; default model 0)
        unsettled stake after the round's oracle deadline."""
        if not self.has_wallet:
            raise NoCredentials("withdrawing signs with your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE")
        chosen = self.model(model)
        with self._on_chain():
            chain = self.chain()
            position = chain.stake_of(int(round_number), chosen["key"])
            tx = chain.withdraw_stake(int(round_number), model=chosen["number"])
        return {"round": int(round_number), "staker": self.signer.address, **_model_fields(chosen),
                "amount_wei": position["amount"], **tx}

    # ---- helpers -------------------------------------------------------------------------

    def _bar(self, total: int | None, description: str, unit: str = "B") -> tqdm:
        scale = unit == "B"
        return tqdm(total=total, desc=description, unit=unit, unit_scale=scale, unit_divisor=1024 if scale else 1000,
                    disable=not self.progress, leave=False)


def _model_fields(model: dict[str, Any]) -> dict[str, Any]:
    """How a receipt names the model a stake backs: its key, name and number."""
    return {"model": model["key"], "model_name": model["name"], "model_number": model["number"]}


def _sentence(error: str, **args: Any) -> str:
    """The revert-message table's sentence for `error`, so a failure caught before sending
    reads exactly as the contract's own refusal would."""
    from client.core.chain.messages import render

    return render(error, args)
