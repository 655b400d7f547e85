"""Test helpers shared across suites: serving the app, apps on a chain or with a round, and
the search for a sealed file's predictions where none may be."""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from eth_account import Account
from flask import Flask
from sqlalchemy import MetaData, select
from sqlalchemy.exc import SAWarning
from web3 import Web3
from werkzeug.serving import make_server

from app import create_app, store
from app.chain.deploy import deploy_contracts
from app.data.dataset import RoundDataset
from app.web.services import upload_limiter
from client.core.money.units import NMR

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app served by a real HTTP server on a free loopback port; yields its base URL.

    An app without ``SIWE_DOMAIN`` gets sign-in pinned to that URL (as ``make run`` does)."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    if not app.config.get("SIWE_DOMAIN"):
        app.config["SIWE_DOMAIN"] = f"127.0.0.1:{http.server_port}"
        app.config["SIWE_URI"] = f"http://127.0.0.1:{http.server_port}"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)


def app_with_open_round(folder: Path, dataset: RoundDataset, **config: Any) -> Flask:
    """The app on a fresh database in `folder` with `dataset`'s round open for a day."""
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{folder / 'test.sqlite3'}",
        "DATA_DIR": str(folder / "data"),
        "MAX_UPLOAD_BYTES": 200_000,
        "CHAIN_ID": 1337,
        **config,
    })
    upload_limiter.reset()
    with application.app_context():
        paths = dataset.write(folder / "data" / "datasets" / f"round-{dataset.round_number}")
        now = store.utcnow()
        store.create_round(dataset.round_number, closes_at=now + timedelta(days=1),
                           resolves_by=now + timedelta(days=2), dataset_paths=paths,
                           nmr_pool=1000 * NMR)
    return application


def deploy(w3: Web3, keys: list[str], out: Path, stakers: list[str]) -> tuple[Path, dict]:
    """Fresh contracts: admin/treasury keys[0], oracle keys[1], pauser keys[2]; `stakers`
    get 1,000 NMR and $1,000 of TestUSD."""
    record = deploy_contracts(
        w3, keys[0], Account.from_key(keys[1]).address, Account.from_key(keys[2]).address,
        ROOT / "build" / "contracts", out, demo_stakers=stakers, stake_funds=1_000 * NMR,
    )
    return out, record


def chain_app(folder: Path, ganache_url: str, deployments_file: Path, oracle_key: str,
              treasury_key: str | None = None) -> Flask:
    """The app wired to a test chain, signing as the oracle (and as the round funder with
    `treasury_key`)."""
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DATA_DIR": str(folder / "data"),
        "RPC_URL": ganache_url,
        "DEPLOYMENTS_FILE": str(deployments_file),
        "ORACLE_PRIVATE_KEY": oracle_key,
        "TREASURY_PRIVATE_KEY": treasury_key or "",
        "UPLOAD_RATE_LIMIT": 1000,
    })


def fingerprint(folder) -> str:
    """SHA-256 over every file's path and bytes under ``folder`` (the SQLite file, its WAL,
    the data folder); SQLite's shared-memory index is left out, reads rewrite it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith("-shm")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# A decimal as a file or a row writes it, not the tail of a longer number ("10.512345").
_DECIMAL = re.compile(r"(?<![0-9.])0\.[0-9]+(?![0-9])")


def probability_texts(frame: pd.DataFrame) -> set[str]:
    """A prediction file's probabilities as text: as Python writes each float and in the
    canonical 6 decimals the server would store."""
    values = frame["probability"].astype(float)
    return {str(v) for v in values} | {f"{v:.6f}" for v in values}


def predictions_found(texts: set[str], corpus: Iterable[str]) -> set[str]:
    """Which of `texts` (decimals below 1, with at least 4 decimals) appear in `corpus` as
    whole numbers: a digit before or after makes another number, not a leak."""
    wanted = {t for t in texts if len(t) >= 6}
    return {match for text in corpus for match in _DECIMAL.findall(text) if match in wanted}


def database_texts(app: Flask) -> list[str]:
    """Every row of every table of the app's database, each as one line of text."""
    from app import store

    with app.app_context():
        session = store.get_session()
        metadata = MetaData()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
            metadata.reflect(bind=session.get_bind())
        return [f"{table.name} {tuple(row)!r}" for table in metadata.sorted_tables
                for row in session.execute(select(table))]


def folder_texts(folder: Path, skip: Iterable[str] = ()) -> list[str]:
    """Every file's bytes under `folder` (but folders named in `skip`), read as Latin-1 so
    a binary file (the SQLite file, its WAL) is searched byte for byte."""
    skipped = set(skip)
    return [path.read_bytes().decode("latin-1") for path in sorted(folder.rglob("*"))
            if path.is_file() and not skipped & set(path.relative_to(folder).parts)]
