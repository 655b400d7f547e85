"""NumeraireClient: the tournament's JSON API (``/api/v1``) and the escrow, from Python.

Reading (rounds, leaderboard, results, datasets) needs no identity. Uploading and the
account need one: an API token (``Authorization: Token PUBLIC$SECRET``) or Sign-In with
Ethereum, signed here with a local key. Staking signs transactions here with that key
(a raw key or an encrypted keystore file) through the shared chain client
(:mod:`client.core.chain`); the key itself is never sent anywhere, only signatures and
signed transactions.

This module's one job is the client's constructor: :class:`NumeraireClient` is
numerapi's shape (one class, a method per endpoint or contract call) composed of one
mixin per job, sharing the session, the identity and the progress bars it sets up:

- :mod:`client.transport`: the HTTP session, JSON calls, errors mapped to exceptions;
- :mod:`client.signin`: the API token or the wallet, Sign-In with Ethereum, API tokens;
- :mod:`client.account`: my account, display name and models (``model=`` names one);
- :mod:`client.rounds`: rounds, results, the leaderboard and the chain's addresses;
- :mod:`client.downloads`: datasets and a round's published files (and ``verify``);
- :mod:`client.uploads`: prediction files checked with the server's own validator, then
  uploaded; my submissions' hashes;
- :mod:`client.sealing`: a sealed round's files sealed here (hash and shape sent, the file
  kept in a local record) and revealed after the close;
- :mod:`client.staking`: balances, stakes and withdrawals on chain;
- :mod:`client.rolling`: positions that roll into the next round, and numerapi's
  ``stake_increase`` / ``stake_decrease`` / ``stake_drain`` / ``stake_change`` on them.

Its errors, amounts and settings live beside it (:mod:`client.errors`,
:mod:`client.amounts`, :mod:`client.settings`). Nothing here needs the server package
(``app``); only :meth:`NumeraireClient.verify` needs the ``verify`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from client import settings
from client.account import AccountMixin
from client.downloads import DATASET_FORMATS, DownloadsMixin
from client.errors import ApiError, NoCredentials, NumeraireError, ValidationFailed
from client.rolling import RollingMixin
from client.rounds import RoundsMixin
from client.sealing import DEFAULT_SEALED_DIR, SealingMixin
from client.signin import SignInMixin
from client.staking import StakingMixin
from client.transfers import RetryPolicy
from client.transport import TransportMixin
from client.uploads import UploadsMixin

__all__ = ["DATASET_FORMATS", "ApiError", "NoCredentials", "NumeraireClient", "NumeraireError", "ValidationFailed"]


class NumeraireClient(TransportMixin, SignInMixin, AccountMixin, RoundsMixin, DownloadsMixin, UploadsMixin,
                      SealingMixin, StakingMixin, RollingMixin):
    """One data scientist's door to a tournament server and its chain.

    `api_url`: the server (``http://127.0.0.1:8000``; ``/api/v1`` is added). Identity:
    `token` (an API token) and/or a wallet: `private_key`, or `keystore_file` with
    `keystore_password` (or `password_prompt`, called once when the key is first needed).
    `rpc_url` overrides the chain RPC the server publishes. `progress` shows tqdm bars.
    `timeout` bounds each wait for the server (seconds); `retry` says how often a download
    or an upload is tried (:mod:`client.transfers`: downloads are verified before they
    replace a file, uploads retried only when that cannot store them twice).
    `sealed_dir` keeps the files sealed in sealed rounds until they are revealed
    (default ``~/.nmr/sealed``).
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
        sealed_dir: str | Path | None = None,
    ) -> None:
        base = api_url.rstrip("/")
        # transport
        self.api_url = base if base.endswith(settings.API_PREFIX) else base + settings.API_PREFIX
        self.progress = progress
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.http = requests.Session()
        # Names itself, so the wallet's Settings lists this sign-in as the command line's.
        self.http.headers["User-Agent"] = f"nmr-client/{settings.CLIENT_VERSION} {self.http.headers['User-Agent']}"
        # sign-in
        self.token = token or None
        self._private_key = private_key or None
        self._keystore_file = keystore_file or None
        self._keystore_password = keystore_password
        self._password_prompt = password_prompt
        self._signer: Any | None = None
        self._csrf: str | None = None
        self._signed_in_as: str | None = None
        # downloads: each round's dataset this client fetched
        self._datasets: dict[int, Path] = {}
        # sealing: the files sealed here, until they are revealed
        self.sealed_dir = Path(sealed_dir or DEFAULT_SEALED_DIR)
        # staking
        self.rpc_url = rpc_url or None
        self._chain: Any | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> NumeraireClient:
        """A client configured from ``NMR_API_URL``, ``NMR_API_TOKEN``, ``NMR_PRIVATE_KEY`` or
        ``NMR_KEYSTORE`` (+ ``NMR_KEYSTORE_PASSWORD``), ``NMR_RPC_URL`` and
        ``NMR_SEALED_DIR``; keyword arguments win over the environment."""
        arguments: dict[str, Any] = settings.from_env(os.environ if environ is None else environ)
        arguments.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**arguments)
