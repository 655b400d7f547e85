"""numerapi 3.x, unmodified, with a wallet that runs two models: get_models lists both,
uploads go to the model named, and each model's submissions, scores, performances,
payouts, leaderboard rows and profile are its own."""

from __future__ import annotations

import pytest
import requests

from app import store
from tests.app.numerapi.conftest import ROUND, csv_bytes

NMR, USD = 10**18, 10**6


@pytest.fixture
def two_models(app, alice):
    """Alice's second model, "alpha": its key."""
    with app.app_context():
        store.set_display_name(alice, "satoshi")
        return store.add_model(alice, "alpha")["key"]


def upload(api, frame, tmp_path, model_id, name="p.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(frame))
    return api.upload_predictions(str(path), model_id=model_id)


def test_get_models_lists_every_model_of_the_wallet(napi, alice, two_models):
    assert napi(alice).get_models() == {"satoshi": alice, "alpha": two_models}
    assert napi().models_of_account("alpha") == {"satoshi": alice, "alpha": two_models}
    assert napi().models_of_account(alice.lower()) == {"satoshi": alice, "alpha": two_models}


def test_an_upload_to_the_second_model_is_its_own(napi, app, alice, two_models, make_predictions, tmp_path):
    api = napi(alice)
    second = upload(api, make_predictions(1), tmp_path, two_models, "second.csv")
    with app.app_context():
        assert str(store.current_submission(ROUND, two_models).id) == second
        assert store.current_submission(ROUND, alice) is None
    first = upload(api, make_predictions(2), tmp_path, None, "first.csv")  # no model id: model 0
    by_name = upload(api, make_predictions(3), tmp_path, "alpha", "again.csv")  # a name works too
    with app.app_context():
        assert str(store.current_submission(ROUND, alice).id) == first
        assert str(store.current_submission(ROUND, two_models).id) == by_name
    models = {m["name"]: m for m in api.get_account()["models"]}
    assert [s["filename"] for s in models["alpha"]["submissions"]] == ["again.csv"]
    assert [s["filename"] for s in models["satoshi"]["submissions"]] == ["first.csv"]
    assert api.submission_ids(two_models)[0]["filename"] == "again.csv"
    assert [s["filename"] for s in api.submission_ids(alice)] == ["first.csv"]


def test_an_upload_authorised_for_one_model_cannot_land_on_another(napi, alice, bob, two_models, make_predictions):
    api = napi(alice)
    auth = """query($m: String) { submission_upload_auth(filename: "p.csv", tournament: 8, modelId: $m) { filename url } }"""
    ticket = api.raw_query(auth, {"m": two_models}, authorization=True)["data"]["submission_upload_auth"]
    assert requests.put(ticket["url"], data=csv_bytes(make_predictions()), timeout=10).status_code == 200
    create = """mutation($f: String!, $m: String) { create_submission(filename: $f, tournament: 8, modelId: $m) { id } }"""
    with pytest.raises(ValueError, match=f"authorised for your model {two_models}, not {alice}"):
        api.raw_query(create, {"f": ticket["filename"], "m": alice}, authorization=True)
    with pytest.raises(ValueError, match=f"model {two_models} is not yours; your models are {bob}"):
        napi(bob).raw_query(auth, {"m": two_models}, authorization=True)
    with pytest.raises(ValueError, match="'beta' is none of your models; your models are satoshi"):
        api.raw_query(auth, {"m": "beta"}, authorization=True)


@pytest.fixture
def scored(app, napi, alice, two_models, make_predictions, tmp_path):
    """Both of alice's models uploaded and scored: alpha first (logloss 0.680, $20), model 0 second ($5)."""
    api = napi(alice)
    upload(api, make_predictions(1), tmp_path, None, "zero.csv")
    upload(api, make_predictions(2), tmp_path, two_models, "alpha.csv")
    with app.app_context():
        store.set_round_status(ROUND, "closed")
        store.save_scores(ROUND, [
            {"address": alice, "live_logloss": 0.690, "corr": 0.01, "usd_reward": 5 * USD, "stake_wei": 2 * NMR},
            {"address": two_models, "live_logloss": 0.680, "corr": 0.03, "prize_rank": 1, "prize_usd": 20 * USD,
             "prize_nmr": 7 * NMR, "reason": "rank 1 of 2"},
        ])  # fmt: skip
        store.set_round_status(ROUND, "resolved", resolved_at=store.utcnow())


def test_each_models_scores_and_performances_are_its_own(napi, alice, two_models, scored):
    values = {s["displayName"]: s["value"] for s in napi().submission_scores(two_models)}
    assert (values["logloss"], values["corr"]) == (0.680, 0.03)
    assert {s["displayName"]: s["value"] for s in napi().submission_scores(alice)}["logloss"] == 0.690
    [performance] = napi().round_model_performances_v2(two_models)
    by_name = {s["displayName"]: s["value"] for s in performance["submissionScores"]}
    assert (performance["roundNumber"], by_name["corr"]) == (ROUND, 0.03)
    [zero] = napi().round_model_performances_v2("satoshi")
    assert zero["atRisk"] == 2 and {s["displayName"]: s["value"] for s in zero["submissionScores"]}["corr"] == 0.01
    [daily] = napi().daily_model_performances("alpha")
    assert (daily["corrRep"], daily["corrRank"]) == (0.03, 1)
    assert napi().daily_model_performances(alice)[0]["corrRank"] == 2


def test_payouts_and_leaderboards_have_one_row_per_model(napi, alice, two_models, scored):
    payouts = napi(alice).pending_model_payouts()["pending"]
    assert sorted((p["modelId"], p["modelName"], str(p["payoutValue"])) for p in payouts) == sorted(
        [(alice, "satoshi", "5"), (two_models, "alpha", "20")])
    board = napi().get_account_leaderboard()
    assert [(e["username"], e["displayName"], e["rank"]) for e in board] == [(two_models, "alpha", 1),
                                                                             (alice, "satoshi", 2)]
    reputations = {e["username"]: e["corr20Rep"] for e in napi().get_leaderboard()}
    assert reputations == {two_models: 0.03, alice: 0.01}
