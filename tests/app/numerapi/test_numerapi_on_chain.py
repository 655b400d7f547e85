"""numerapi 3.1.1, unmodified, on a played round: a real Ganache, the contracts deployed,
the app served, two data scientists who follow Numerai's example script through
numerapi (download, train, upload), one of them staked on chain with the client, and
the round run by the oracle (closed, scored, settled, finalized). Every numerapi read is
compared with the database and the chain; the calls that cannot apply here must say
what to use instead."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numerapi
import numerapi.base_api
import pandas as pd
import pytest
import requests
from eth_account import Account
from sklearn.linear_model import LogisticRegression

from app import oracle, store
from client import NumeraireClient
from client.core.money.stakes import Pools
from tests.app.oracle import conftest as oracle_fixtures
from tests.support import chain_app, deploy, serve

ganache_url = oracle_fixtures.ganache_url
keys = oracle_fixtures.keys
w3 = oracle_fixtures.w3
NMR, USD = oracle_fixtures.NMR, oracle_fixtures.USD

DATASET = {"n_features": 8, "rows_per_era": 80, "n_train_eras": 4, "n_validation_eras": 2}
CLOSES_IN, RESOLVES_IN = 600, 1200
STAKE, CONFIDENCE = "10", "0.5"
ALICE, BOB = 3, 4  # key indexes of two funded data scientists
ALICE_NAME = "alice-model"


def numerai_example_script(napi: numerapi.NumerAPI, folder: Path, n_features: int | None = None) -> dict:
    """Numerai's example script, through numerapi: list and download the data, train on
    the training eras (on the first `n_features` features), predict the tournament rows
    and upload the predictions."""
    [name] = [n for n in napi.list_datasets() if n.endswith(".parquet")]
    train = pd.read_parquet(napi.download_dataset(name, str(folder / "train.parquet"),
                                                  filters=[("data_type", "==", "train")]))
    live = pd.read_parquet(napi.download_dataset(name, str(folder / "tournament.parquet"),
                                                 filters=[("data_type", "!=", "train")]))
    features = [c for c in train.columns if c.startswith("feature")][:n_features]
    model = LogisticRegression(max_iter=1000).fit(train[features], train["target"].astype(int))
    predictions = pd.DataFrame({"id": live["id"], "probability": model.predict_proba(live[features])[:, 1]})
    [model_id] = napi.get_models().values()  # one model per wallet
    submission_id = napi.upload_predictions(df=predictions, model_id=model_id)
    return {"round": napi.get_current_round(), "model_id": model_id, "submission_id": submission_id,
            "rows": len(predictions), "train_rows": len(train)}


@pytest.fixture(scope="module")
def played(ganache_url, w3, keys, tmp_path_factory):
    """The played round: ``{"app", "server", "round", "alice", "bob", "napi", "flows",
    "stake_before"}`` where ``napi(address)`` is a NumerAPI with that wallet's token."""
    folder = tmp_path_factory.mktemp("numerapi-chain")
    wallets = [Account.from_key(keys[i]).address for i in (ALICE, BOB)]
    deployments, _record = deploy(w3, keys, folder / "deployments.json", wallets)
    app = chain_app(folder, ganache_url, deployments, keys[1], treasury_key=keys[0])
    alice, bob = wallets
    with app.app_context():
        row = oracle.open_round(closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, dataset_options=DATASET,
                                pools=Pools(100 * USD, 50 * USD, 100 * NMR), report=lambda _: None)
        tokens = {address: store.create_api_token(address, "numerapi")[1].partition("$") for address in wallets}
        store.set_display_name(alice, ALICE_NAME)

    def napi(address: str | None = None) -> numerapi.NumerAPI:
        public_id, _, secret = tokens[address] if address else (None, None, None)
        return numerapi.NumerAPI(public_id, secret, show_progress_bars=False)

    with serve(app) as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(numerapi.base_api, "API_TOURNAMENT_URL", f"{server}/graphql")
        # Bob trains on fewer features, so the two models differ (and both are original).
        flows = {address: numerai_example_script(napi(address), folder / address, n_features)
                 for address, n_features in zip(wallets, (None, 3), strict=True)}
        staker = NumeraireClient(server, private_key=keys[ALICE], progress=False)
        staker.stake(STAKE, CONFIDENCE, row.number)
        stake_before = napi().stake_get(ALICE_NAME)
        oracle_fixtures.advance_chain_time(w3, CLOSES_IN + 1)
        with app.app_context():
            oracle.run_round(row.number, report=lambda _: None)
        yield {"app": app, "server": server, "round": row.number, "alice": alice, "bob": bob, "napi": napi,
               "flows": flows, "stake_before": stake_before, "chain": staker.chain()}


def scores_of(played: dict, address: str) -> store.Score:
    with played["app"].app_context():
        [score] = store.user_scores(address)
        return score


# --- the example script, end to end ----------------------------------------------------------


def test_example_script_flow_uploads_and_reads_its_scores(played):
    alice, napi = played["alice"], played["napi"]
    flow = played["flows"][alice]
    with played["app"].app_context():
        submission = store.current_submission(played["round"], alice)
        row = store.get_round(played["round"])
    assert (flow["round"], flow["model_id"], flow["submission_id"]) == (played["round"], alice, str(submission.id))
    assert submission.rows == flow["rows"] and row.status == "finalized"
    score = scores_of(played, alice)
    by_name = {s["displayName"]: s for s in napi().submission_scores(flow["model_id"])}
    assert by_name["logloss"]["value"] == score.live_logloss and by_name["corr"]["value"] == score.corr
    assert by_name["logloss"]["value"] < 0.7  # the model learned something, scored on the live targets
    [performance] = napi().round_model_performances_v2(flow["model_id"])
    assert performance["roundNumber"] == played["round"] and performance["roundResolved"] is True
    assert performance["atRisk"] == Decimal(STAKE)


# --- performances per round and per era ------------------------------------------------------


def test_round_model_performances_v2_are_the_stored_scores(played):
    alice = played["alice"]
    score = scores_of(played, alice)
    with pytest.warns(DeprecationWarning):
        [round_perf] = played["napi"]().round_model_performances_v2(alice)
    metrics = {s["displayName"]: s for s in round_perf["submissionScores"]}
    assert set(metrics) == {"logloss", "validation_logloss", "consistency", "corr", "mmc", "fnc"}
    for name, attribute in (("logloss", "live_logloss"), ("validation_logloss", "validation_logloss"),
                            ("consistency", "consistency"), ("corr", "corr"), ("mmc", "mmc"), ("fnc", "fnc")):
        assert metrics[name]["value"] == getattr(score, attribute)
    # The auction pays on logloss; the round is settled, so its net NMR is settled there.
    net = Decimal(store.net_nmr(score)) / NMR
    assert metrics["logloss"]["payoutSettled"] == net and metrics["logloss"]["payoutPending"] is None
    assert metrics["corr"]["payoutSettled"] is None
    assert round_perf["atRisk"] == Decimal(score.stake_wei) / NMR == Decimal(STAKE)
    [multiplier] = round_perf["payoutMultipliers"]
    assert (multiplier["name"], multiplier["displayName"]) == ("auction2017", "logloss")


def test_round_model_performances_by_model_name(played):
    """numerapi's deprecated round_model_performances passes a user name."""
    by_name = played["napi"]().round_model_performances(ALICE_NAME)
    assert [p["roundNumber"] for p in by_name] == [played["round"]]


def test_intra_round_scores_are_the_live_eras_metrics(played):
    alice = played["alice"]
    score = scores_of(played, alice)
    [entry] = played["napi"]().intra_round_scores(alice)
    eras = entry["intraRoundSubmissionScores"]
    live = [e for e in score.era_scores if e["data_type"] == "live"]
    assert [(e["day"], e["displayName"], e["value"]) for e in eras] == [
        (day, name, era[name]) for day, era in enumerate(live, start=1) for name in ("logloss", "corr", "mmc", "fnc")
    ]
    assert len(live) >= 1 and [e["value"] for e in eras if e["displayName"] == "logloss"] == [
        score.per_era[era["era"]] for era in live
    ]


def test_daily_model_performances_one_per_round_with_ranks(played):
    alice, bob = played["alice"], played["bob"]
    mine, theirs = scores_of(played, alice), scores_of(played, bob)
    [daily] = played["napi"]().daily_model_performances(ALICE_NAME)
    assert (daily["corrRep"], daily["mmcRep"], daily["fncRep"]) == (mine.corr, mine.mmc, mine.fnc)
    assert daily["corrRank"] == (1 if mine.corr >= theirs.corr else 2)
    assert daily["tcRep"] is None and daily["fncV3Rep"] is None  # not computed here
    assert daily["date"] is not None


def test_get_leaderboard_reputations_are_the_round_means(played):
    board = played["napi"]().get_leaderboard()
    assert {e["username"] for e in board} == {played["alice"], played["bob"]}
    for entry in board:
        score = scores_of(played, entry["username"])
        assert (entry["corr20Rep"], entry["mmcRep"], entry["fncRep"]) == (score.corr, score.mmc, score.fnc)
        assert entry["team"] is False and entry["tcRep"] is None
    staked = next(e for e in board if e["username"] == played["alice"])
    assert staked["nmrStaked"] == Decimal(STAKE)
    assert played["napi"]().get_leaderboard(limit=1, offset=1)[0]["rank"] == 2


def test_pending_model_payouts_after_settlement_are_actual(played):
    alice = played["alice"]
    score = scores_of(played, alice)
    payouts = played["napi"](alice).pending_model_payouts()
    assert payouts["pending"] == []
    [actual] = payouts["actual"]
    assert actual["payoutNmr"] == Decimal(store.net_nmr(score)) / NMR
    assert actual["payoutValue"] == Decimal(store.round_usd(score)) / USD


# --- models, profiles, stakes --------------------------------------------------------------


def test_models_of_account_by_address_and_by_name(played):
    alice, bob = played["alice"], played["bob"]
    assert played["napi"]().models_of_account(ALICE_NAME) == {ALICE_NAME: alice}
    assert played["napi"]().models_of_account(bob.lower()) == {bob: bob}


def test_public_user_profile_shows_the_chain_stake(played):
    alice = played["alice"]
    profile = played["napi"]().public_user_profile(ALICE_NAME)
    with played["app"].app_context():
        user = store.get_user(alice)
    assert (profile["id"], profile["username"], profile["bio"]) == (alice, alice, None)
    assert profile["startDate"].replace(microsecond=0) == user.created_at.replace(microsecond=0)
    on_chain = played["chain"].stake_of(played["round"], alice)["amount"]
    assert profile["nmrStaked"] == Decimal(on_chain) / NMR


def test_stake_get_reads_the_escrow(played):
    alice, bob = played["alice"], played["bob"]
    assert played["stake_before"] == Decimal(STAKE)  # while the round was open
    on_chain = played["chain"].stake_of(played["round"], alice)["amount"]
    assert played["napi"]().stake_get(alice) == Decimal(on_chain) / NMR
    assert played["napi"]().stake_get(bob) is None  # never staked


def test_unknown_model_name_says_what_a_model_is(played):
    with pytest.raises(ValueError, match="no model is named 'nobody'; a model id is a wallet address"):
        played["napi"]().stake_get("nobody")


# --- submissions and their download -------------------------------------------------------


def test_submission_ids_and_download_give_back_the_stored_file(played, tmp_path):
    alice = played["alice"]
    api = played["napi"](alice)
    [entry] = api.submission_ids(alice)
    with played["app"].app_context():
        submission = store.current_submission(played["round"], alice)
    assert entry["id"] == str(submission.id) and entry["filename"] == submission.original_filename
    path = api.download_submission(model_id=alice, dest_path=str(tmp_path / "mine.csv"))
    assert Path(path).read_bytes() == Path(submission.stored_path).read_bytes()
    again = api.download_submission(submission_id=entry["id"], dest_path=str(tmp_path / "again.csv"))
    assert Path(again).read_bytes() == Path(submission.stored_path).read_bytes()


def test_someone_elses_submission_cannot_be_downloaded(played, tmp_path):
    [entry] = played["napi"](played["alice"]).submission_ids(played["alice"])
    with pytest.raises(ValueError, match=f"you have no submission '{entry['id']}'"):
        played["napi"](played["bob"]).download_submission(submission_id=entry["id"], dest_path=str(tmp_path / "x"))
    with pytest.raises(ValueError, match="is not yours"):
        played["napi"](played["bob"]).submission_ids(played["alice"])


def test_a_forged_download_url_serves_nothing(played):
    response = requests.get(f"{played['server']}/graphql/downloads/forged.token", timeout=10)
    assert response.status_code == 404 and "unknown download URL" in response.json()["error"]["message"]


# --- what cannot apply here says what to use instead -----------------------------------------


def test_model_upload_points_to_upload_predictions(played, tmp_path):
    pickle = tmp_path / "model.pkl"
    pickle.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="Numerai Compute is not offered here.*upload_predictions"):
        played["napi"](played["alice"]).model_upload(str(pickle), model_id=played["alice"])
    with pytest.raises(ValueError, match="Numerai Compute is not offered here"):
        played["napi"](played["alice"]).model_upload_data_versions()


def test_wallet_transactions_point_to_the_chain(played):
    with pytest.raises(ValueError, match="keeps no wallet history: your NMR and USD transfers are on chain"):
        played["napi"](played["alice"]).wallet_transactions()


@pytest.mark.parametrize(("api_class", "name"), [(numerapi.SignalsAPI, "Signals"), (numerapi.CryptoAPI, "Crypto")])
def test_signals_and_crypto_say_use_numerapi(played, api_class, name):
    api = api_class(show_progress_bars=False)
    with pytest.raises(ValueError, match=f"Numerai {name} .* is not run here.*use numerapi.NumerAPI"):
        api.get_leaderboard()
    with pytest.raises(ValueError, match=f"Numerai {name} .* is not run here"):
        api.get_current_round()


def test_diagnostics_say_what_to_use(played):
    api = played["napi"](played["alice"])
    with pytest.raises(ValueError, match="diagnostics are not offered here: every upload is validated at once"):
        api.diagnostics(played["alice"])
    with pytest.raises(ValueError, match="no daily scoring pipeline here"):
        api.pipeline_status()


def test_v3_stake_config_and_round_answer_from_the_escrow(played):
    api, chain = played["napi"](played["alice"]), played["chain"]
    config = api.v3_stake_config()
    assert config["address"] == chain.escrow.address and config["nmrAddress"] == chain.token.address
    assert config["owner"] == chain.escrow.functions.defaultAdmin().call() and config["paused"] is False
    assert config["pendingOwner"] is None and config["authorizationSigner"] is None
    on_chain = chain.round(played["round"])
    staked = api.v3_stake_round(played["round"])
    assert (staked["roundId"], staked["tournamentId"], staked["resolved"]) == (str(played["round"]), "8", True)
    assert (staked["closeTime"], staked["resolveTime"]) == (str(on_chain["closes_at"]), str(on_chain["resolves_by"]))
    assert Decimal(staked["totalStaked"]) == Decimal(on_chain["total_staked"]) / NMR == Decimal(STAKE)
    assert Decimal(staked["totalPayout"]) == Decimal(on_chain["nmr_paid"]) / NMR
    assert staked["merkleRoot"] == on_chain["results_digest"] and staked["state"] == "finalized"
    with pytest.raises(ValueError, match="round 999 is not on chain"):
        api.v3_stake_round(999)


def test_stake_changes_and_profile_edits_say_what_to_use(played):
    api = played["napi"](played["alice"])
    with pytest.raises(ValueError, match="stakes live on chain here"):
        api.stake_set(20, played["alice"])  # reads the chain stake first, then refuses the change
    with pytest.raises(ValueError, match="a stake is locked until its round settles"):
        api.stake_drain(played["alice"])
    with pytest.raises(ValueError, match="a profile here is a display name only"):
        api.set_bio(played["alice"], "hello")
    with pytest.raises(ValueError, match="Numerai Compute is not offered here"):
        api.set_submission_webhook(played["alice"], "https://example.invalid/hook")


def test_upload_diagnostics_points_to_the_upload_metrics(played, tmp_path):
    predictions = tmp_path / "p.csv"
    predictions.write_text("id,probability\n")
    with pytest.raises(ValueError, match="diagnostics are not offered here"):
        played["napi"](played["alice"]).upload_diagnostics(str(predictions), model_id=played["alice"])
