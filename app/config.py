"""Configuration: defaults in :class:`Config`, overridden by the environment, then by tests.

Every key below can be set from the environment as ``NMR_<KEY>`` only (a plain
``SECRET_KEY`` or ``DATA_DIR`` meant for another program is never picked up); e.g.
``NMR_DATABASE_URL=postgresql://...`` or ``NMR_RPC_URL=http://127.0.0.1:8545``. Values are converted to the type of the default
(int, bool: ``1/true/yes/on``). ``create_app(test_config)`` applies the test dict last.

Keys:

- ``SECRET_KEY``: signs the session cookie. Without one, a random key is generated and
  kept in ``instance/secret_key`` so sessions survive restarts.
- ``DATABASE_URL``: any SQLAlchemy URL; default a SQLite file ``instance/tournament.sqlite3``.
- ``DATA_DIR``: datasets, uploads (``uploads/round-N/``) and published files
  (``published/round-N/``); default ``instance/data``.
- ``RPC_URL``, ``CHAIN_ID``, ``DEPLOYMENTS_FILE``: the chain, read by ``app/chain``.
- ``MAX_UPLOAD_BYTES``: largest prediction file; request bodies above
  ``MAX_UPLOAD_BYTES + 64 KiB`` are refused with 413 before they are read.
- ``UPLOAD_RATE_LIMIT`` / ``UPLOAD_RATE_WINDOW``: uploads per identity per window (seconds),
  counted in each server process's memory.
- ``MODELS_PER_WALLET``: the most models one wallet may have, model 0 included (numer.ai's
  cap is 50 as well); models are never deleted.
- ``SIWE_DOMAIN``, ``SIWE_URI``: the domain (``host[:port]``) and URI a Sign-In with
  Ethereum message must name, with ``CHAIN_ID``; never taken from the request. ``SIWE_URI``
  empty means ``https://`` (``http://`` without ``SESSION_COOKIE_SECURE``) + the domain.
  With no ``SIWE_DOMAIN`` sign-in is refused (503) saying to set it; ``make run`` sets
  both from the URL it serves.
- ``SIWE_NONCE_TTL``: seconds a sign-in nonce stays valid (and the oldest ``issuedAt``
  accepted); ``SIWE_CLOCK_SKEW``: seconds an ``issuedAt`` may lie in the future.
- ``SIWE_NONCE_RATE_LIMIT`` / ``SIWE_NONCE_RATE_WINDOW``: nonces one client address may
  ask for per window (seconds); ``SIWE_MAX_OUTSTANDING_NONCES``: live unused nonces of
  all clients together (beyond it, 503 until some expire).
- ``ORACLE_PRIVATE_KEY`` or ``ORACLE_KEYSTORE`` + ``ORACLE_KEYSTORE_PASSWORD``: the key the
  oracle signs createRound/settle/finalize with (never logged or shown).
- ``TREASURY_PRIVATE_KEY`` or ``TREASURY_KEYSTORE`` + ``TREASURY_KEYSTORE_PASSWORD``: the
  round funder's key (the treasury, or a sponsor), which pays each round's pools from its
  own balance (``fundRound``) and, holding MINTER_ROLE, mints the week's NMR issuance.
  Optional: without it rounds open with empty pools and the funder pays them itself.
- ``GUARDIAN_PRIVATE_KEY`` or ``GUARDIAN_KEYSTORE`` + ``GUARDIAN_KEYSTORE_PASSWORD``: the key
  that rules on disputes of committed results (GUARDIAN_ROLE, never the oracle's; a
  multisig in production). Only ``flask oracle rule`` uses it.
- ``DATASET_KEY``: the obfuscation secret; empty means derived from ``SECRET_KEY``.
- ``BLOG_URL``, ``FORUM_URL``, ``CHAT_URL``: the menu's Blog / Forum / Chat links (hidden
  when empty).
- ``ROUND_HEADER_POLL_SECONDS``: how often every page's round header asks the server for
  the round's state (and how long the server trusts its reading of the chain's clock).
- The schedule the keeper (``flask oracle run``) opens rounds on, in seconds:
  ``ROUND_EVERY`` (a new round this long after the newest opened, whatever state the
  earlier ones are in; 0: the keeper opens none, the operator does), ``ROUND_STAKING_SECONDS``
  (uploads and stakes), ``ROUND_LIVE_SECONDS`` (after the close, until the live targets are
  known), ``ROUND_RESOLUTION_SECONDS`` (after that, until the escrow's oracle deadline);
  each round's pools ``ROUND_POOL_USD_STAKING``, ``ROUND_POOL_USD_PRIZE`` (dollars) and
  ``ROUND_POOL_NMR`` (NMR), decimal strings. ``KEEPER_TICK_SECONDS``: how often it looks.
- Sealed rounds (docs/sealed.md): the keeper seals round N when ``SEALED_EVERY`` > 0 and
  N mod ``SEALED_EVERY`` = ``SEALED_OFFSET`` (``SEALED_EVERY`` 0: never);
  ``SEALED_REVEAL_SECONDS``: how long after a sealed round's close its files may be
  revealed (the keeper's rounds and ``flask oracle open --sealed``), cut short at the
  live targets.
- ``RECEIPT_TIMEOUT_SECONDS``: how long an oracle step waits for its transaction's receipt
  (it then says so; the next pass asks the node whether it still knows the transaction and
  sends the same signed one again if the node dropped it).
- ``CONFIRMATIONS``: blocks a transaction's receipt needs (its own included) before a step
  counts it done; 1 on the local chain, more on a network that reorganises.
- ``MAX_FEE_GWEI``: the highest fee cap (gwei per gas) the oracle may re-price a stuck
  transaction to; a transaction below the base fee for ``STUCK_SECONDS`` is replaced with
  a bumped fee (same nonce) up to it, and waits past it. Empty: never re-priced, it waits.
- ``SESSION_COOKIE_SECURE``: set to true behind HTTPS. Cookies are always HttpOnly and
  SameSite=Lax.
"""

from __future__ import annotations

import os
from pathlib import Path

from client.core.predictions import MAX_PREDICTION_BYTES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENV_PREFIX = "NMR_"


class Config:
    """Defaults; see the module docstring for what each key means."""

    SECRET_KEY = ""
    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'tournament.sqlite3'}"
    DATA_DIR = str(INSTANCE_DIR / "data")
    RPC_URL = "http://127.0.0.1:8545"
    PUBLIC_RPC_URL = ""  # the RPC URL wallets should use, if not RPC_URL
    # A block explorer's transaction page, "{}" for the hash (e.g. https://explorer.example/tx/{}):
    # the account's ledger links each transaction there; empty (a local chain): the hash is shown.
    EXPLORER_TX_URL = ""
    CHAIN_ID = 1337
    DEPLOYMENTS_FILE = str(PROJECT_ROOT / "deployments" / "local.json")
    MAX_UPLOAD_BYTES = MAX_PREDICTION_BYTES
    UPLOAD_RATE_LIMIT = 10
    UPLOAD_RATE_WINDOW = 60
    MODELS_PER_WALLET = 50
    SIWE_DOMAIN = ""
    SIWE_URI = ""
    SIWE_NONCE_TTL = 600
    SIWE_CLOCK_SKEW = 60
    SIWE_NONCE_RATE_LIMIT = 30
    SIWE_NONCE_RATE_WINDOW = 60
    SIWE_MAX_OUTSTANDING_NONCES = 10_000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600
    # The oracle (app/chain, app/oracle/): a raw key or an encrypted keystore file.
    ORACLE_PRIVATE_KEY = ""
    ORACLE_KEYSTORE = ""
    ORACLE_KEYSTORE_PASSWORD = ""
    # The round funder (app/oracle/opening.py): the treasury's or a sponsor's key.
    TREASURY_PRIVATE_KEY = ""
    TREASURY_KEYSTORE = ""
    TREASURY_KEYSTORE_PASSWORD = ""
    # The guardian (app/oracle/endings.py): rules on disputes, apart from the oracle.
    GUARDIAN_PRIVATE_KEY = ""
    GUARDIAN_KEYSTORE = ""
    GUARDIAN_KEYSTORE_PASSWORD = ""
    # Drives dataset obfuscation; never leaves the server. Empty: derived from SECRET_KEY.
    DATASET_KEY = ""
    # The menu's community links (hidden when empty) and the round header's poll.
    BLOG_URL = ""
    FORUM_URL = ""
    CHAT_URL = ""
    ROUND_HEADER_POLL_SECONDS = 20
    # The keeper's schedule (app/oracle/keeper.py): weekly rounds, as in 2017.
    ROUND_EVERY = 7 * 24 * 3600
    ROUND_STAKING_SECONDS = 3 * 24 * 3600
    ROUND_LIVE_SECONDS = 3 * 24 * 3600
    ROUND_RESOLUTION_SECONDS = 24 * 3600
    ROUND_POOL_USD_STAKING = "3000"
    ROUND_POOL_USD_PRIZE = "3603.03"
    ROUND_POOL_NMR = "14412.13"
    KEEPER_TICK_SECONDS = 10
    # Sealed rounds (app/oracle/keeper.py, app/oracle/opening.py): none unless asked.
    SEALED_EVERY = 0
    SEALED_OFFSET = 0
    SEALED_REVEAL_SECONDS = 24 * 3600
    # How long the oracle waits for a transaction's receipt before it says so and moves on.
    RECEIPT_TIMEOUT_SECONDS = 120
    # A real network's waits (app/chain, client/core/chain/transactions.py).
    CONFIRMATIONS = 1
    MAX_FEE_GWEI = ""
    STUCK_SECONDS = 20


def _convert(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


def from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """The :class:`Config` keys that the environment overrides, converted to their types."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for key in dir(Config):
        if not key.isupper():
            continue
        # Only the prefixed name: a stray SECRET_KEY or DATA_DIR of another program is not ours.
        if ENV_PREFIX + key in environ:
            found[key] = _convert(environ[ENV_PREFIX + key], getattr(Config, key))
    return found
