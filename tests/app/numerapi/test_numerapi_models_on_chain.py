"""numerapi 3.x, unmodified, reading the stakes of a wallet's two models from a real
escrow on Ganache: each model's stake is the escrow's getStake(round, wallet, number)."""

from __future__ import annotations

from decimal import Decimal

import numerapi
import numerapi.base_api
import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from client import NumeraireClient
from tests.app.numerapi.conftest import csv_bytes
from tests.app.oracle import conftest as oracle_fixtures
from tests.support import chain_app, deploy, serve

ganache_url = oracle_fixtures.ganache_url
keys = oracle_fixtures.keys
w3 = oracle_fixtures.w3
NMR = oracle_fixtures.NMR
ALICE = 3
DATASET = {"n_features": 4, "rows_per_era": 40, "n_train_eras": 2, "n_validation_eras": 2}


@pytest.fixture(scope="module")
def staked(ganache_url, w3, keys, tmp_path_factory):
    """Alice runs model 0 ("satoshi") and "alpha"; both uploaded through numerapi; 7 NMR
    staked on model 0 and 3 NMR on alpha, from her wallet."""
    folder = tmp_path_factory.mktemp("numerapi-models-chain")
    alice = Account.from_key(keys[ALICE]).address
    deployments, _record = deploy(w3, keys, folder / "deployments.json", [alice])
    app = chain_app(folder, ganache_url, deployments, keys[1], treasury_key=keys[0])
    with app.app_context():
        row = oracle.open_round(closes_in=600, resolves_in=1200, dataset_options=DATASET, report=lambda _: None)
        public_id, _, secret = store.create_api_token(alice, "numerapi")[1].partition("$")
        store.set_display_name(alice, "satoshi")
        alpha = store.add_model(alice, "alpha")["key"]
        tournament = pd.read_csv(store.get_round(row.number).dataset_csv_path)
    frame = pd.DataFrame({"id": tournament.loc[tournament["data_type"] != "train", "id"], "probability": 0.5})
    with serve(app) as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(numerapi.base_api, "API_TOURNAMENT_URL", f"{server}/graphql")
        api = numerapi.NumerAPI(public_id, secret, show_progress_bars=False)
        for model_id, name in ((None, "zero.csv"), (alpha, "alpha.csv")):
            path = folder / name
            path.write_bytes(csv_bytes(frame.assign(probability=0.49 if model_id else 0.51)))
            api.upload_predictions(str(path), model_id=model_id)
        with app.app_context():
            hashes = {key: store.current_submission(row.number, key).hash for key in (alice, alpha)}
        chain = NumeraireClient(server, private_key=keys[ALICE], progress=False).chain()
        chain.stake(row.number, 7 * NMR, NMR // 2, hashes[alice], model=0)
        chain.stake(row.number, 3 * NMR, NMR // 2, hashes[alpha], model=1)
        yield {"api": api, "alice": alice, "alpha": alpha, "round": row.number, "chain": chain}


def test_stake_get_reads_each_models_stake(staked):
    api = staked["api"]
    on_chain = staked["chain"].stake_of(staked["round"], staked["alpha"])["amount"]
    assert api.stake_get("alpha") == Decimal(on_chain) / NMR == Decimal(3)
    assert api.stake_get("satoshi") == Decimal(7)
    assert api.stake_get(staked["alpha"]) == Decimal(3)  # by model id too


def test_each_models_profile_shows_its_own_stake(staked):
    profile = staked["api"].public_user_profile("alpha")
    assert (profile["id"], profile["username"], profile["nmrStaked"]) == (staked["alpha"], staked["alpha"], Decimal(3))
    assert staked["api"].public_user_profile(staked["alice"])["nmrStaked"] == Decimal(7)
