"""Fixtures for the web tests: an app on a temporary SQLite file and data folder, a round
built by app.data, wallet-signed sign-in and API tokens."""

from __future__ import annotations

import hashlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from sqlalchemy import MetaData, select
from sqlalchemy.exc import SAWarning

from app.data import build_round_dataset
from app.db import get_session
from tests.postgres import database_url, parametrize_databases, postgres_server  # noqa: F401 (fixtures)
from tests.support import app_with_open_round

ROUND = 7
DATASET_SIZE = {"n_features": 8, "rows_per_era": 60, "n_train_eras": 3, "n_validation_eras": 3}


def pytest_generate_tests(metafunc):
    """Modules with ``BOTH_DATABASES = True`` run on SQLite and PostgreSQL."""
    parametrize_databases(metafunc)


@pytest.fixture(scope="session")
def dataset():
    """A small round dataset (built once)."""
    return build_round_dataset(seed=11, key="web-tests", round_number=ROUND, **DATASET_SIZE)


@pytest.fixture
def app(tmp_path, dataset, database_url):  # noqa: F811 (the fixture imported above)
    """The app on a fresh database (SQLite, or PostgreSQL where a module asks with
    ``BOTH_DATABASES = True``) with round ROUND open for a day."""
    return app_with_open_round(tmp_path, dataset, SIWE_DOMAIN="localhost", DATABASE_URL=database_url)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def alice():
    """A wallet."""
    return Account.from_key(hashlib.sha256(b"alice").digest())


@pytest.fixture
def bob():
    """Another wallet."""
    return Account.from_key(hashlib.sha256(b"bob").digest())


def sign_in(client, account, *, domain=None, chain_id=None) -> dict:
    """Sign ``account`` in on ``client``; returns the verify response JSON."""
    info = client.get(f"/api/v1/auth/nonce?address={account.address}").get_json()
    message = info["message"]
    if domain:
        message = message.replace("localhost wants", f"{domain} wants", 1)
    if chain_id:
        message = message.replace("Chain ID: 1337", f"Chain ID: {chain_id}")
    signature = account.sign_message(encode_defunct(text=message)).signature.hex()
    response = client.post("/api/v1/auth/verify", json={"message": message, "signature": "0x" + signature.removeprefix("0x")}, headers=csrf_headers(client))
    return response


def csrf_headers(client) -> dict:
    """The X-CSRF-Token header for the client's session (empty when none)."""
    with client.session_transaction() as session:
        token = session.get("csrf_token")
    return {"X-CSRF-Token": token} if token else {}


@pytest.fixture
def signed_in(client, alice):
    """``client`` signed in as alice."""
    assert sign_in(client, alice).status_code == 200
    return client


def predictions_csv(dataset, seed: int = 0, *, good: bool = True) -> bytes:
    """A valid prediction file for the dataset (near 0.5, slightly informative if ``good``)."""
    tournament = dataset.tournament
    rng = np.random.default_rng(seed)
    p = 0.5 + rng.normal(0, 0.01, len(tournament))
    if good:
        target = tournament["target"].fillna(0.5).to_numpy()
        p = p + 0.02 * (target - 0.5)
    frame = pd.DataFrame({"id": tournament["id"], "probability": np.clip(p, 0.01, 0.99)})
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def db_snapshot(app) -> str:
    """A hash of every row of every table (to prove a request changed nothing)."""
    digest = hashlib.sha256()
    with app.app_context():
        session = get_session()
        metadata = MetaData()
        with warnings.catch_warnings():
            # The unique lower(name) index of models cannot be reflected; its rows still are.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
            metadata.reflect(bind=session.get_bind())
        for name in sorted(metadata.tables):
            table = metadata.tables[name]
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr((name, tuple(row))).encode())
    return digest.hexdigest()


@pytest.fixture(name="sign_in")
def sign_in_fixture():
    """The :func:`sign_in` helper."""
    return sign_in


@pytest.fixture(name="csrf_headers")
def csrf_headers_fixture():
    """The :func:`csrf_headers` helper."""
    return csrf_headers


@pytest.fixture
def make_predictions(dataset):
    """``make_predictions(seed=0, good=True) -> bytes`` of a valid CSV."""
    return lambda seed=0, good=True: predictions_csv(dataset, seed, good=good)


@pytest.fixture
def snapshot(app):
    """``snapshot() -> str``: hash of the whole database."""
    return lambda: db_snapshot(app)
