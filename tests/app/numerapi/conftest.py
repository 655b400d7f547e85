"""Fixtures for running numerapi itself against the app: a round with a dataset, the app
served by werkzeug on a free loopback port, ``API_TOURNAMENT_URL`` pointed at it, and
API tokens for wallets (numerapi's ``public_id`` / ``secret_key``)."""

from __future__ import annotations

import hashlib
import io

import numerapi
import numerapi.base_api
import numpy as np
import pandas as pd
import pytest

from app import store
from app.data import build_round_dataset
from tests.support import app_with_open_round, serve

ROUND = 7
DATASET_SIZE = {"n_features": 8, "rows_per_era": 60, "n_train_eras": 3, "n_validation_eras": 3}


@pytest.fixture(scope="session")
def dataset():
    """A small round dataset (built once)."""
    return build_round_dataset(seed=23, key="numerapi-tests", round_number=ROUND, **DATASET_SIZE)


@pytest.fixture
def app(tmp_path, dataset):
    """The app on a fresh database with round ROUND open for a day; no chain in these
    tests, so the account's NMR balance reads as unavailable."""
    return app_with_open_round(tmp_path, dataset, RPC_URL="http://127.0.0.1:9")


@pytest.fixture
def server(app, monkeypatch):
    """The app served on 127.0.0.1:<free port>; numerapi's URL points at its /graphql."""
    with serve(app) as base:
        monkeypatch.setattr(numerapi.base_api, "API_TOURNAMENT_URL", f"{base}/graphql")
        yield base


@pytest.fixture
def wallet():
    """``wallet(name) -> checksummed address`` of a deterministic wallet."""
    from eth_account import Account

    return lambda name: Account.from_key(hashlib.sha256(name.encode()).digest()).address


@pytest.fixture
def token(app):
    """``token(address) -> (public_id, secret_key)`` of a new API token."""

    def create(address: str) -> tuple[str, str]:
        with app.app_context():
            _row, presented = store.create_api_token(address, "numerapi")
        public_id, _, secret = presented.partition("$")
        return public_id, secret

    return create


@pytest.fixture
def napi(server, token):
    """``napi(address=None) -> NumerAPI`` against the server (anonymous without address)."""

    def client(address: str | None = None) -> numerapi.NumerAPI:
        public_id, secret = token(address) if address else (None, None)
        return numerapi.NumerAPI(public_id, secret, show_progress_bars=False)

    return client


@pytest.fixture
def alice(wallet):
    """Alice's wallet address."""
    return wallet("alice")


@pytest.fixture
def bob(wallet):
    """Bob's wallet address."""
    return wallet("bob")


@pytest.fixture
def make_predictions(dataset):
    """``make_predictions(seed=0) -> DataFrame`` of valid, slightly informative predictions."""

    def make(seed: int = 0) -> pd.DataFrame:
        tournament = dataset.tournament
        rng = np.random.default_rng(seed)
        target = tournament["target"].fillna(0.5).to_numpy()
        p = 0.5 + rng.normal(0, 0.01, len(tournament)) + 0.02 * (target - 0.5)
        return pd.DataFrame({"id": tournament["id"], "probability": np.clip(p, 0.01, 0.99)})

    return make


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the CSV numerapi would upload."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()
