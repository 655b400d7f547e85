"""numerapi 3.x, unmodified, against the real app: only API_TOURNAMENT_URL is changed."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import numerapi
import pandas as pd
import pytest
import requests

from app import store
from app.db import get_session
from client.core.scoring import score_round
from tests.app.numerapi.conftest import ROUND, csv_bytes

DATASET_NAMES = [f"numerai_dataset_round{ROUND}.csv", f"numerai_dataset_round{ROUND}.parquet"]


def our_dataset_path(app, file_format: str) -> str:
    with app.app_context():
        row = store.get_round(ROUND)
        return row.dataset_csv_path if file_format == "csv" else row.dataset_parquet_path


def close_round(app) -> None:
    """What the oracle does once closesAt passes: the close time is behind us, status closed."""
    with app.app_context():
        row = store.get_round(ROUND)
        row.closes_at = store.utcnow() - timedelta(seconds=1)
        get_session().commit()
        store.set_round_status(ROUND, "closed")


def upload(api, frame: pd.DataFrame, tmp_path, name: str = "predictions.csv") -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(frame))
    return api.upload_predictions(str(path))


# --- data and rounds ---------------------------------------------------------------------


def test_list_datasets_lists_our_files(napi):
    assert napi().list_datasets() == DATASET_NAMES
    assert napi().list_datasets(round_num=ROUND) == DATASET_NAMES


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_downloaded_dataset_equals_ours_byte_for_byte(napi, app, tmp_path, file_format):
    name = f"numerai_dataset_round{ROUND}.{file_format}"
    path = napi().download_dataset(name, str(tmp_path / name))
    with open(path, "rb") as downloaded, open(our_dataset_path(app, file_format), "rb") as ours:
        assert downloaded.read() == ours.read()


def test_parquet_download_with_filters_reads_only_matching_rows(napi, app, tmp_path):
    name = f"numerai_dataset_round{ROUND}.parquet"
    path = napi().download_dataset(name, str(tmp_path / "validation.parquet"), filters=[("data_type", "==", "validation")])
    ours = pd.read_parquet(our_dataset_path(app, "parquet"))
    expected = ours[ours["data_type"] == "validation"].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(path).reset_index(drop=True), expected)


def test_unknown_dataset_name_raises_with_the_names_we_have(napi, tmp_path):
    with pytest.raises(ValueError, match=f"round {ROUND} has no dataset 'v5.0/train.parquet'; listDatasets lists"):
        napi().download_dataset("v5.0/train.parquet", str(tmp_path / "train.parquet"))


def test_current_round_and_round_open(napi, app):
    api = napi()
    assert api.get_current_round() == ROUND
    assert api.check_round_open() is True
    close_round(app)
    assert api.get_current_round() == ROUND
    assert api.check_round_open() is False


def test_list_rounds_maps_our_round(napi, app):
    [entry] = napi().list_rounds()
    with app.app_context():
        row = store.get_round(ROUND)
    assert entry["number"] == ROUND and entry["tournament"] == 8
    assert entry["closeStakingTime"].replace(microsecond=0) == row.closes_at.replace(microsecond=0)
    assert entry["resolvedGeneral"] is False
    [config] = entry["roundScoreConfigs"]
    assert (config["name"], config["displayName"], config["isPayout"]) == ("auction2017", "logloss", True)
    assert [r["number"] for r in napi().list_rounds(status="open")] == [ROUND]
    assert napi().list_rounds(status="resolved") == []


# --- account ---------------------------------------------------------------------------------


def test_get_models_maps_name_to_the_wallet(napi, alice):
    assert napi(alice).get_models() == {alice: alice}


def test_get_account_shows_wallet_tokens_and_submissions(napi, alice, make_predictions, tmp_path):
    api = napi(alice)
    upload(api, make_predictions(), tmp_path, "mine.csv")
    account = api.get_account()
    assert account["walletAddress"] == alice and account["username"] == alice
    assert account["availableNmr"] is None  # no chain in these tests
    assert account["apiTokens"][0]["public_id"] == api.token[0]
    [model] = account["models"]
    assert model["id"] == alice and [s["filename"] for s in model["submissions"]] == ["mine.csv"]


# --- uploads -----------------------------------------------------------------------------


def test_uploaded_file_becomes_the_current_submission(napi, app, alice, make_predictions, tmp_path):
    submission_id = upload(napi(alice), make_predictions(), tmp_path)
    with app.app_context():
        current = store.current_submission(ROUND, alice)
    assert current is not None and str(current.id) == submission_id
    assert current.original_filename == "predictions.csv" and current.metrics["validation_logloss"] > 0


def test_upload_from_a_dataframe_with_model_id(napi, app, alice, make_predictions):
    api = napi(alice)
    submission_id = api.upload_predictions(df=make_predictions(1), model_id=api.get_models()[alice])
    with app.app_context():
        assert str(store.current_submission(ROUND, alice).id) == submission_id


def test_bad_file_raises_the_web_upload_messages(napi, app, alice, token, make_predictions, tmp_path):
    frame = make_predictions().iloc[:-5].copy()
    frame.loc[0, "probability"] = 1.5
    raw = csv_bytes(frame)
    public_id, secret = token(alice)
    web = app.test_client().post(
        f"/api/v1/rounds/{ROUND}/submissions",
        data={"file": (io.BytesIO(raw), "predictions.csv")},
        headers={"Authorization": f"Token {public_id}${secret}"},
    )
    assert web.status_code == 422
    problems = web.get_json()["problems"]
    with pytest.raises(ValueError, match="predictions rejected, nothing was stored") as raised:
        upload(napi(alice), frame, tmp_path)
    for problem in problems:
        assert problem in str(raised.value)
    with app.app_context():
        assert store.current_submission(ROUND, alice) is None


def test_submission_filenames_and_model_name(napi, alice, make_predictions, tmp_path):
    api = napi(alice)
    upload(api, make_predictions(), tmp_path, "first.csv")
    upload(api, make_predictions(3), tmp_path, "second.csv")
    assert api.get_submission_filenames(model_id=alice) == [
        {"round_num": ROUND, "tournament": 8, "filename": "second.csv"}
    ]
    assert api.modelid_to_modelname(alice) == alice


def test_stake_change_points_to_the_chain_and_the_clients_rolling_calls(napi, alice):
    with pytest.raises(ValueError, match="stakes live on chain here") as caught:
        napi(alice).stake_increase(10, alice)
    assert "NumeraireClient's stake_increase, stake_decrease, stake_drain and stake_change" in str(caught.value)


def test_upload_to_a_closed_round_raises(napi, app, alice, make_predictions, tmp_path):
    close_round(app)
    with pytest.raises(ValueError, match=f"round {ROUND} is closed to uploads"):
        upload(napi(alice), make_predictions(), tmp_path)


def test_upload_to_a_sealed_round_is_refused_before_any_byte_of_the_file_is_sent(napi, app, alice, make_predictions,
                                                                                  tmp_path):
    with app.app_context():
        row = store.get_round(ROUND)
        row.sealed, row.live_until = True, row.closes_at + timedelta(hours=2)
        row.reveal_until = row.closes_at + timedelta(hours=1)
        get_session().commit()
    with pytest.raises(ValueError, match=f"round {ROUND} is sealed.*nmr upload FILE.*upload_predictions would send"):
        upload(napi(alice), make_predictions(), tmp_path)
    with app.app_context():
        assert store.list_submissions(ROUND) == []
        assert get_session().query(store.UploadTicket).count() == 0  # no PUT URL was handed out
    kept = tmp_path / "data" / "numerapi-uploads"
    assert not kept.exists() or not any(kept.iterdir())


def test_model_id_of_someone_else_raises(napi, alice, bob, make_predictions):
    napi(bob)  # bob's wallet exists once it holds a token; a wallet nobody has seen has no models at all
    with pytest.raises(ValueError, match=f"model {bob} is not yours"):
        napi(alice).upload_predictions(df=make_predictions(), model_id=bob)


def test_a_model_id_of_a_wallet_nobody_has_seen_names_no_model(napi, alice, make_predictions):
    stranger = "0x" + "5" * 40
    with pytest.raises(ValueError, match="is none of your models"):
        napi(alice).upload_predictions(df=make_predictions(), model_id=stranger)


def test_bad_token_raises(server):
    api = numerapi.NumerAPI("0123456789abcdef", "not-the-secret", show_progress_bars=False)
    with pytest.raises(ValueError, match="the API token is unknown, revoked or wrong"):
        api.get_models()


def test_authenticated_query_without_a_token_says_how(server):
    api = numerapi.NumerAPI(show_progress_bars=False)
    with pytest.raises(ValueError, match="needs an API token"):
        api.raw_query("{ account { username } }")


def test_upload_url_is_bound_to_its_account(napi, server, alice, bob, make_predictions):
    """A ticket handed to alice cannot be used by bob, and a forged URL takes nothing."""
    query = """query($filename: String!, $tournament: Int!) {
        submission_upload_auth(filename: $filename, tournament: $tournament) { filename url } }"""
    auth = napi(alice).raw_query(query, {"filename": "p.csv", "tournament": 8}, authorization=True)
    ticket = auth["data"]["submission_upload_auth"]
    assert requests.put(ticket["url"], data=csv_bytes(make_predictions()), timeout=10).status_code == 200
    create = """mutation($filename: String!, $tournament: Int!) {
        create_submission(filename: $filename, tournament: $tournament) { id } }"""
    with pytest.raises(ValueError, match="authorised for another account"):
        napi(bob).raw_query(create, {"filename": ticket["filename"], "tournament": 8}, authorization=True)
    forged = requests.put(f"{server}/graphql/uploads/forged", data=b"id,probability\n", timeout=10)
    assert forged.status_code == 404


# --- scores and leaderboard ----------------------------------------------------------------


@pytest.fixture
def scored_round(app, dataset, napi, alice, bob, make_predictions, tmp_path):
    """Alice and Bob upload through numerapi; the round is scored with client.core.scoring and resolved."""
    frames = {alice: make_predictions(1), bob: make_predictions(2)}
    for address, frame in frames.items():
        upload(napi(address), frame, tmp_path, f"{address}.csv")
    predictions = {a: f.set_index("id")["probability"] for a, f in frames.items()}
    summary = score_round(dataset.tournament, dataset.live_targets, predictions)
    rows = [
        {
            "address": address,
            "live_logloss": float(summary.loc[address, "live_logloss"]),
            "validation_logloss": float(summary.loc[address, "validation_logloss"]),
            "consistency": float(summary.loc[address, "consistency"]),
            "corr": float(summary.loc[address, "corr"]),
            "mmc": float(summary.loc[address, "mmc"]),
            "fnc": float(summary.loc[address, "fnc"]),
            "stake_wei": 5 * NMR if address == alice else 0,
            **MONEY[address == alice],
        }
        for address in frames
    ]
    with app.app_context():
        store.save_scores(ROUND, rows)
        store.set_round_status(ROUND, "resolved", resolved_at=store.utcnow())
    return summary


NMR, USD = 10**18, 10**6
# Alice (staked) is in the money and ranks first; Bob (not staked) gets rank 2's prize.
MONEY = {
    True: {"usd_reward": 10 * USD, "prize_rank": 1, "prize_usd": 1_000 * USD, "prize_nmr": 4_000 * NMR,
           "reason": "in the money: stake back + $10; rank 1 of 2: $1,000 + 4,000.00 NMR"},
    False: {"prize_rank": 2, "prize_usd": 435_280_000, "prize_nmr": 1_741_100 * NMR // 1000,
            "reason": "rank 2 of 2: $435.28 + 1,741.10 NMR"},
}  # fmt: skip


def test_submission_scores_return_the_saved_scores(napi, app, alice, scored_round):
    scores = napi().submission_scores(alice)
    by_name = {s["displayName"]: s for s in scores}
    assert set(by_name) == {"logloss", "validation_logloss", "consistency", "corr", "mmc", "fnc"}
    assert by_name["logloss"]["value"] == pytest.approx(scored_round.loc[alice, "live_logloss"])
    assert by_name["corr"]["value"] == pytest.approx(scored_round.loc[alice, "corr"])
    with app.app_context():
        submission_id = store.current_submission(ROUND, alice).id
    assert all(s["roundNumber"] == ROUND and s["resolved"] for s in scores)
    assert all(s["submissionId"] == str(submission_id) for s in scores)
    assert napi().submission_scores(alice, display_name="mmc")[0]["displayName"] == "mmc"


def test_submission_scores_carry_the_rounds_money_and_reason(napi, alice, bob, scored_round):
    query = """query($modelId: ID!) { submissionScores(modelId: $modelId, displayName: "logloss") {
        roundNumber value roundUsd roundNmr burnedNmr stakeNmr prizeRank reason } }"""
    [mine] = napi().raw_query(query, {"modelId": alice})["data"]["submissionScores"]
    assert mine["roundUsd"] == "1010" and mine["roundNmr"] == "4000" and mine["burnedNmr"] == "0"
    assert (mine["stakeNmr"], mine["prizeRank"]) == ("5", 1)
    assert mine["reason"] == MONEY[True]["reason"]
    [theirs] = napi().raw_query(query, {"modelId": bob})["data"]["submissionScores"]
    assert (theirs["roundUsd"], theirs["roundNmr"], theirs["reason"]) == ("435.28", "1741.1", MONEY[False]["reason"])


def test_pending_model_payouts_in_usd_and_nmr(napi, app, alice, bob, scored_round):
    payouts = napi(bob).pending_model_payouts()
    assert payouts["actual"] == []
    [pending] = payouts["pending"]
    assert (pending["roundNumber"], pending["modelId"], pending["currencySymbol"]) == (ROUND, bob, "$")
    assert (pending["payoutValue"], pending["payoutNmr"]) == (Decimal("435.28"), Decimal("1741.1"))
    with app.app_context():
        store.set_round_status(ROUND, "settled")
    [actual] = napi(alice).pending_model_payouts()["actual"]
    assert (actual["payoutValue"], actual["payoutNmr"]) == (Decimal(1010), Decimal(4000))


def test_account_leaderboard_shows_the_uploads(napi, alice, bob, scored_round):
    board = napi().get_account_leaderboard()
    assert {entry["username"] for entry in board} == {alice, bob}
    assert [entry["rank"] for entry in board] == [1, 2]
    ordered = scored_round.sort_values("live_logloss").index.tolist()
    assert [entry["username"] for entry in board] == ordered
    alice_entry = next(entry for entry in board if entry["username"] == alice)
    assert str(alice_entry["nmrStaked"]) == "5"
    query = """query { accountLeaderboard(limit: 10, offset: 0) { username roundUsd careerUsd careerNmr reason } }"""
    entries = {e["username"]: e for e in napi().raw_query(query)["data"]["accountLeaderboard"]}
    assert (entries[alice]["careerUsd"], entries[alice]["careerNmr"]) == ("1010", "4000")
    assert entries[bob]["reason"] == MONEY[False]["reason"]
    assert alice_entry["v2Corr20"] == pytest.approx(scored_round.loc[alice, "corr"])
    assert napi().get_account_leaderboard(limit=1, offset=1)[0]["rank"] == 2


def test_leaderboard_reputations_are_means_over_the_last_20_rounds(napi, app, alice, bob, scored_round):
    """Round 8 scores alice's CORR 0.1 (MMC and FNC unscored); her corr20Rep is then the
    mean of rounds 7 and 8, her mmcRep round 7's alone. Bob, absent from round 8, is not
    on round 8's leaderboard."""
    with app.app_context():
        now = store.utcnow()
        store.create_round(ROUND + 1, closes_at=now, resolves_by=now + timedelta(days=1), status="resolved")
        store.save_scores(ROUND + 1, [{"address": alice, "live_logloss": 0.69, "corr": 0.1}])
    [entry] = napi().get_leaderboard()
    assert entry["username"] == alice
    assert entry["corr20Rep"] == pytest.approx((scored_round.loc[alice, "corr"] + 0.1) / 2)
    assert entry["mmcRep"] == pytest.approx(scored_round.loc[alice, "mmc"])
    [newest, oldest] = napi().daily_model_performances(alice)
    assert (newest["corrRep"], newest["corrRank"], newest["mmcRep"], newest["mmcRank"]) == (0.1, 1, None, None)
    assert oldest["corrRep"] == pytest.approx(scored_round.loc[alice, "corr"])


def test_check_new_round_and_get_competitions(napi, app):
    with app.app_context():
        row = store.get_round(ROUND)
        opened = row.opened_at
    assert napi().check_new_round(hours=1) is True
    with app.app_context():
        store.get_round(ROUND).opened_at = opened - timedelta(hours=2)
        get_session().commit()
    assert napi().check_new_round(hours=1) is False
    [competition] = napi().get_competitions()
    assert competition["number"] == ROUND and competition["resolvedGeneral"] is False
    assert competition["openTime"].replace(microsecond=0) == (opened - timedelta(hours=2)).replace(microsecond=0)
