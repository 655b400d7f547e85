"""The client's defaults and the environment variables it reads. They are the client's
own: it runs without the server package (``app``) installed."""

from __future__ import annotations

from collections.abc import Mapping

from client.core.predictions import MAX_PREDICTION_BYTES

# The distribution's version (client/pyproject.toml; a test holds them equal), named in
# the User-Agent so a wallet's Settings tells the command line's sign-ins from a browser's.
CLIENT_VERSION = "0.1.0"
DEFAULT_API_URL = "http://127.0.0.1:8000"
API_PREFIX = "/api/v1"
# Files are checked here against the tournament's default limit before they are sent; a
# server configured for less refuses the upload with its own limit in the message.
MAX_UPLOAD_BYTES = MAX_PREDICTION_BYTES

# NumeraireClient argument -> the environment variable that sets it.
ENVIRONMENT = {
    "api_url": "NMR_API_URL",
    "token": "NMR_API_TOKEN",
    "private_key": "NMR_PRIVATE_KEY",
    "keystore_file": "NMR_KEYSTORE",
    "keystore_password": "NMR_KEYSTORE_PASSWORD",
    "rpc_url": "NMR_RPC_URL",
    "sealed_dir": "NMR_SEALED_DIR",
}


def from_env(environ: Mapping[str, str | None]) -> dict[str, str | None]:
    """The client's arguments as `environ` sets them (unset or empty: None; the API URL
    defaults to :data:`DEFAULT_API_URL`)."""
    settings = {argument: environ.get(name) or None for argument, name in ENVIRONMENT.items()}
    settings["api_url"] = settings["api_url"] or DEFAULT_API_URL
    return settings
