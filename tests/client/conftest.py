"""The real app served on a free loopback port, wired to a real Ganache (the oracle
tests' fixtures), contracts deployed once per session, and a fresh round per test."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from client import NumeraireClient
from client.core.money.stakes import Pools
from tests.app.oracle import conftest as oracle_fixtures
from tests.support import chain_app, deploy, serve

# The oracle tests' Ganache and keys (imported, not copied).
ganache_url = oracle_fixtures.ganache_url
keys = oracle_fixtures.keys
w3 = oracle_fixtures.w3
advance_chain_time = oracle_fixtures.advance_chain_time
NMR = oracle_fixtures.NMR
USD = oracle_fixtures.USD
ROOT = oracle_fixtures.ROOT

DATASET = {"n_features": 8, "rows_per_era": 80, "n_train_eras": 4, "n_validation_eras": 2}
CLOSES_IN = 600
RESOLVES_IN = 1200
STAKER = 3  # keys[3..7] hold 1,000 NMR each; keys[2] (the pauser) holds ETH but no NMR
N_FUNDED = 5


@pytest.fixture(scope="session")
def deployment(w3, keys, tmp_path_factory):
    """The contracts, deployed once for the client tests (each test opens its own round)."""
    stakers = [Account.from_key(k).address for k in keys[STAKER:STAKER + N_FUNDED]]
    return deploy(w3, keys, tmp_path_factory.mktemp("chain") / "deployments.json", stakers)


@pytest.fixture(scope="session")
def app(ganache_url, deployment, keys, tmp_path_factory):
    """The app on the session's chain (the oracle tests' configuration). Every client here
    signs in from 127.0.0.1, a fresh one per CLI call: the per-address nonce limit (tested
    with the sign-in) would refuse the suite's pace."""
    application = chain_app(tmp_path_factory.mktemp("app"), ganache_url, deployment[0], keys[1], treasury_key=keys[0])
    application.config["SIWE_NONCE_RATE_LIMIT"] = 10_000
    return application


@pytest.fixture(scope="session")
def server(app) -> Iterator[str]:
    """The app served on 127.0.0.1:<free port> in a thread; yields the base URL."""
    with serve(app) as url:
        yield url


def open_next_round(app, dataset_options: dict | None = DATASET) -> int:
    """Opens the next round, open for CLOSES_IN s of chain time (the server's current
    round); `dataset_options` None builds the full-size default dataset."""
    with app.app_context():
        number = max((r.number for r in store.list_rounds()), default=0) + 1
        oracle.open_round(number, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=Pools(100 * USD, 50 * USD, 100 * NMR),
                          dataset_options=dataset_options, report=lambda _: None)
    return number


@pytest.fixture
def round_number(app, server) -> int:
    """A new round with a small dataset, the server's current round."""
    return open_next_round(app)


@pytest.fixture
def make_client(server, round_number, keys):
    """``make_client(key_index=STAKER, **options)``: a client of the served app with that
    Ganache wallet (``key_index=None`` for none)."""

    def make(key_index: int | None = STAKER, **options) -> NumeraireClient:
        options.setdefault("private_key", keys[key_index] if key_index is not None else None)
        return NumeraireClient(server, progress=False, **options)

    return make


@pytest.fixture
def nmr(make_client) -> NumeraireClient:
    """A client with the wallet of a funded staker."""
    return make_client()


def write_predictions(dataset_path, out_path, seed: int = 0):
    """A valid prediction file for the downloaded dataset (random probabilities)."""
    public = pd.read_parquet(dataset_path)
    tournament = public[public["data_type"] != "train"]
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": tournament["id"].astype(str), "probability": rng.uniform(0.3, 0.7, len(tournament))})
    frame.to_csv(out_path, index=False)
    return out_path


@pytest.fixture
def uploaded(nmr, tmp_path):
    """``nmr`` with the dataset downloaded and a valid file uploaded; yields the submission."""
    dataset = nmr.download_dataset(tmp_path / "data")
    return nmr.upload_predictions(write_predictions(dataset, tmp_path / "predictions.csv"))


@pytest.fixture
def staker_address(keys) -> str:
    """The address of the funded staker's wallet."""
    return Account.from_key(keys[STAKER]).address
