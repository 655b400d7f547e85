"""NumeraireClient against the real app and a real Ganache: every call and its errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from eth_account import Account

from app import oracle
from client import (
    ApiError,
    NoCredentials,
    NumeraireClient,
    NumeraireError,
    ValidationFailed,
)
from tests.client.conftest import (
    CLOSES_IN,
    NMR,
    RESOLVES_IN,
    STAKER,
    advance_chain_time,
    write_predictions,
)

# ---- reading -----------------------------------------------------------------------------


def test_current_round_and_rounds(round_number, nmr):
    page = nmr.current_round()
    assert page["round"]["number"] == round_number and page["round"]["accepts_uploads"] is True
    assert nmr.current_round_number() == round_number
    listed = {r["number"]: r for r in nmr.rounds()}  # every round, the open one saying so
    assert listed[round_number]["state"] == "open" and listed[round_number]["accepts_uploads"] is True


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_download_dataset_writes_the_rounds_file(round_number, nmr, tmp_path, file_format):
    path = nmr.download_dataset(tmp_path, file_format=file_format)
    assert path == tmp_path / f"numerai_dataset_round{round_number}.{file_format}"
    frame = pd.read_parquet(path) if file_format == "parquet" else pd.read_csv(path)
    assert {"id", "era", "data_type", "target"} <= set(frame.columns)
    assert not list(tmp_path.glob("*.part"))


def test_download_of_unknown_round_says_so(nmr, tmp_path):
    with pytest.raises(ApiError, match="round 999 does not exist") as caught:
        nmr.download_dataset(tmp_path, round_number=999)
    assert caught.value.status == 404


def test_unreachable_server_is_a_clear_error():
    client = NumeraireClient("http://127.0.0.1:9", progress=False)
    with pytest.raises(NumeraireError, match="cannot reach the tournament server at http://127.0.0.1:9"):
        client.current_round()


def test_chain_info_names_the_contracts(nmr, deployment):
    _, record = deployment
    info = nmr.chain_info()
    assert info["chain_id"] == 1337
    assert info["escrow"]["address"] == record["TournamentEscrow"]["address"]


# ---- identity ----------------------------------------------------------------------------


def test_login_signs_in_with_the_local_key(nmr, staker_address):
    assert nmr.login() == staker_address
    assert nmr.account()["address"] == staker_address


def test_login_with_a_keystore_file(make_client, keys, tmp_path, staker_address):
    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(Account.encrypt(keys[STAKER], "s3cret", iterations=2)))
    prompts = []
    client = make_client(None, keystore_file=keystore, password_prompt=lambda: prompts.append(1) or "s3cret")
    assert client.login() == staker_address
    assert prompts == [1]


def test_keystore_with_a_wrong_password_is_refused(make_client, keys, tmp_path):
    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(Account.encrypt(keys[STAKER], "s3cret", iterations=2)))
    client = make_client(None, keystore_file=keystore, keystore_password="wrong")
    with pytest.raises(NumeraireError, match="cannot decrypt keystore .*wrong password"):
        client.login()


def test_invalid_private_key_is_refused(make_client):
    client = make_client(None, private_key="0x1234")
    with pytest.raises(NumeraireError, match="NMR_PRIVATE_KEY is not a valid 32-byte hex key"):
        client.login()


def test_api_token_created_with_the_wallet_works_alone(nmr, make_client, staker_address):
    created = nmr.create_token("bot")
    assert created["name"] == "bot" and "$" in created["token"]
    bot = make_client(None, token=created["token"])
    assert bot.address == staker_address
    assert created["public_id"] in [t["public_id"] for t in bot.account()["tokens"]]


def test_a_token_cannot_create_tokens(make_client, nmr):
    bot = make_client(None, token=nmr.create_token()["token"])
    with pytest.raises(NoCredentials, match="needs your wallet"):
        bot.create_token()


def test_bad_token_is_refused_with_the_servers_message(make_client):
    client = make_client(None, token="nope$nope")
    with pytest.raises(ApiError, match="the API token is unknown, revoked or wrong") as caught:
        client.account()
    assert caught.value.status == 401


def test_no_credentials_for_account(make_client):
    with pytest.raises(NoCredentials, match="NMR_API_TOKEN .* NMR_PRIVATE_KEY"):
        make_client(None).account()


# ---- upload ------------------------------------------------------------------------------


def test_upload_is_checked_locally_then_accepted(round_number, nmr, tmp_path):
    dataset = nmr.download_dataset(tmp_path)
    path = write_predictions(dataset, tmp_path / "p.csv")
    local = nmr.check_predictions(path)
    assert local.ok
    submission = nmr.upload_predictions(path)
    assert submission["accepted"] is True and submission["round"] == round_number
    assert submission["hash"] == local.hash
    assert "validation_logloss" in submission["metrics"]
    assert nmr.current_round(mine=True)["my_submission"]["hash"] == local.hash
    assert nmr.submission_hash(round_number) == local.hash


def test_upload_fetches_the_dataset_itself_when_not_downloaded(nmr, make_client, tmp_path):
    dataset = nmr.download_dataset(tmp_path)
    fresh = make_client()
    assert fresh.upload_predictions(write_predictions(dataset, tmp_path / "p.csv"))["accepted"]


def test_bad_file_is_caught_before_upload(nmr, tmp_path):
    dataset = nmr.download_dataset(tmp_path)
    good = pd.read_csv(write_predictions(dataset, tmp_path / "p.csv"))
    bad = good.iloc[5:].copy()
    bad.loc[bad.index[0], "probability"] = 1.5
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValidationFailed) as caught:
        nmr.upload_predictions(tmp_path / "bad.csv")
    problems = " ".join(caught.value.problems)
    assert "have no prediction" in problems and "min 1.5" in problems
    assert nmr.current_round()["n_submissions"] == 0  # nothing reached the server


def test_upload_to_a_closed_round_is_refused(round_number, app, w3, nmr, tmp_path):
    dataset = nmr.download_dataset(tmp_path)
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.close_round(round_number, report=lambda _: None)
    with pytest.raises(ApiError, match=f"round {round_number} is closed to uploads") as caught:
        nmr.upload_predictions(write_predictions(dataset, tmp_path / "p.csv"), round_number=round_number)
    assert caught.value.status == 409


def test_upload_without_credentials(make_client, nmr, tmp_path):
    dataset = nmr.download_dataset(tmp_path)
    with pytest.raises(NoCredentials):
        make_client(None).upload_predictions(write_predictions(dataset, tmp_path / "p.csv"), dataset=dataset)


# ---- chain -------------------------------------------------------------------------------


def test_stake_commits_to_my_submission_on_chain(round_number, nmr, uploaded, staker_address):
    before = nmr.balances()["nmr_wei"]
    receipt = nmr.stake("12.5", "0.4")
    assert receipt["submission_hash"] == uploaded["hash"] and receipt["tx_hash"].startswith("0x")
    assert nmr.stake_of(round_number) == {"amount": 12_500 * NMR // 1000, "confidence": 4 * NMR // 10, "status": "active",
                                          "rolls": False}
    assert nmr.balances()["nmr_wei"] == before - 12_500 * NMR // 1000
    records = nmr.chain().stake_records(round_number)
    assert [(r.model, r.submission_hash) for r in records] == [(staker_address, uploaded["hash"])]


def test_numerapis_stake_calls_map_onto_a_rolling_position(round_number, nmr, uploaded):
    """stake_increase stakes and rolls, a partial stake_decrease says why not, stake_drain
    (or a decrease by the whole) takes it off rolling; the NMR stays staked this round."""
    receipt = nmr.stake_change("6", "increase")
    assert receipt["rolls"] is True and receipt["submission_hash"] == uploaded["hash"]
    assert receipt["roll_tx_hash"].startswith("0x") and receipt["roll_tx_hash"] != receipt["tx_hash"]
    assert nmr.stake_of(round_number)["rolls"] is True
    assert nmr.stake_increase("2")["total_stake_wei"] == 8 * NMR  # at the newest position's confidence
    assert [r["round"] for r in nmr.rolling_positions() if r["rolls"]] == [round_number]
    with pytest.raises(NumeraireError, match="a rolling stake leaves whole: model 0 rolls 8 NMR, so decrease by all"):
        nmr.stake_decrease("3")
    [drained] = nmr.stake_change("8", "decrease")
    assert (drained["round"], drained["rolls"], drained["amount_wei"]) == (round_number, False, 8 * NMR)
    position = nmr.stake_of(round_number)
    assert (position["amount"], position["status"], position["rolls"]) == (8 * NMR, "active", False)
    with pytest.raises(NumeraireError, match="model 0 has no rolling stake to drain"):
        nmr.stake_drain()
    with pytest.raises(NumeraireError, match="action must be 'increase' or 'decrease'"):
        nmr.stake_change("1", "double")


def test_stake_tops_up_and_lowering_confidence_is_refused(nmr, uploaded):
    nmr.stake("5", "0.5")
    assert nmr.stake("5", "0.6")["total_stake_wei"] == 10 * NMR
    with pytest.raises(NumeraireError, match="confidence may only stay or rise: you staked at 0.6, asked 0.2"):
        nmr.stake("1", "0.2")


def test_stake_without_a_submission_says_upload_first(round_number, nmr):
    with pytest.raises(NumeraireError, match=f"no submission in round {round_number}; upload predictions first"):
        nmr.stake("5", "0.5")


def test_stake_without_funds(make_client):
    poor = make_client(2)  # the pauser: ETH for gas, no NMR
    with pytest.raises(NumeraireError, match="not enough NMR: balance 0, needed 5"):
        poor.stake("5", "0.5", submission_hash="0x" + "11" * 32)


def test_stake_without_eth_for_gas(make_client):
    fresh = make_client(None, private_key="0x" + "42" * 32)
    with pytest.raises(NumeraireError, match="has no ETH to pay for gas"):
        fresh.stake("5", "0.5", submission_hash="0x" + "11" * 32)


def test_stake_after_close(round_number, nmr, uploaded, w3):
    advance_chain_time(w3, CLOSES_IN + 1)
    with pytest.raises(NumeraireError, match=f"staking for round {round_number} closed at"):
        nmr.stake("5", "0.5")
    assert nmr.stake_of(round_number)["amount"] == 0


def test_stake_without_a_wallet(make_client, nmr):
    bot = make_client(None, token=nmr.create_token()["token"])
    with pytest.raises(NoCredentials, match="staking signs with your wallet"):
        bot.stake("5", "0.5")


@pytest.mark.parametrize(("amount", "confidence", "message"), [
    ("0", "0.5", "amount must be positive"),
    ("abc", "0.5", "amount must be a number"),
    ("1", "1e-19", "confidence must be a finite number with at most 18 decimals"),
    ("1", "0.5", "submission hash must be 0x"),
])
def test_stake_arguments_are_checked(nmr, amount, confidence, message):
    with pytest.raises(NumeraireError, match=message):
        nmr.stake(amount, confidence, submission_hash="0x1234")


def test_stake_on_a_round_not_on_chain(nmr):
    with pytest.raises(NumeraireError, match="round 999 does not exist on chain"):
        nmr.stake("5", "0.5", round_number=999, submission_hash="0x" + "11" * 32)


def test_withdraw_before_the_deadline_is_refused_then_allowed(round_number, nmr, uploaded, w3):
    before = nmr.balances()["nmr_wei"]
    nmr.stake("7", "0.5")
    with pytest.raises(NumeraireError, match=f"the escape hatch of round {round_number} opens at"):
        nmr.withdraw(round_number)
    advance_chain_time(w3, RESOLVES_IN + 1)
    receipt = nmr.withdraw(round_number)
    assert receipt["amount_wei"] == 7 * NMR
    assert nmr.balances()["nmr_wei"] == before
    assert nmr.stake_of(round_number)["status"] == "withdrawn"


def test_withdraw_without_a_stake(round_number, nmr, w3):
    advance_chain_time(w3, RESOLVES_IN + 1)
    with pytest.raises(NumeraireError, match=f"has no stake on its model 0 in round {round_number}"):
        nmr.withdraw(round_number)


# ---- results -----------------------------------------------------------------------------


def test_leaderboard_and_results_after_the_round_settles(round_number, app, w3, nmr, uploaded, staker_address):
    empty = nmr.leaderboard(round_number)
    assert (empty["round"], empty["rows"]) == (round_number, [])
    nmr.stake("10", "0.5")
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.run_round(round_number, report=lambda _: None)
    board = nmr.leaderboard()
    assert board["round"] == round_number
    assert [(r["rank"], r["address"], r["stake_wei"]) for r in board["rows"]] == [(1, staker_address, str(10 * NMR))]
    assert nmr.leaderboard(round_number) == board
    results = nmr.round_results(round_number)
    assert results["n_stakers"] == 1 and results["round"]["status"] == "finalized"
    assert results["participants"][0]["hash"] == uploaded["hash"]
    assert nmr.stake_of(round_number)["status"] == "settled"

    nmr.set_display_name("verifier")
    assert nmr.account()["display_name"] == "verifier"
    report = nmr.verify(round_number)
    assert report.ok, report.mismatches
    assert "1 on-chain settlements" in report.checked
    assert report.checked[-1] == "the funder's refund"


def test_verify_before_publication_says_so(round_number, nmr):
    with pytest.raises(NumeraireError, match=f"round {round_number} has no published files yet"):
        nmr.verify(round_number)


def test_results_of_unknown_round(nmr):
    with pytest.raises(ApiError, match="round 999 does not exist"):
        nmr.round_results(999)


# ---- several models per wallet -----------------------------------------------------------


def test_models_are_listed_added_and_named_by_name_or_key(make_client, round_number, tmp_path):
    nmr = make_client(STAKER + 3)
    address = nmr.address
    zero = nmr.models()[0]
    assert (zero["key"], zero["number"], zero["wallet"]) == (address, 0, address)
    name = f"beta{round_number}"
    created = nmr.add_model(name)
    assert created["key"] == f"{address}-{created['number']}" and created["number"] >= 1
    assert created in nmr.models() and nmr.models(address) == nmr.models()
    assert nmr.model(name.upper())["key"] == nmr.model(created["key"])["key"] == created["key"]
    assert nmr.model(None)["number"] == nmr.model(address)["number"] == 0
    with pytest.raises(ApiError, match="is not a valid model name") as refused:
        nmr.add_model("9lives")
    assert refused.value.status == 400
    stranger = Account.create().address
    with pytest.raises(NumeraireError, match=f"{stranger}-1 is a model of the wallet {stranger}, not of yours"):
        nmr.model(f"{stranger}-1")
    with pytest.raises(NumeraireError, match=rf"your model {name} has no submission in round {round_number}; "
                                             rf"upload predictions first \(nmr upload FILE --model {name}\)"):
        nmr.stake("1", "0.5", model=name)

    dataset = nmr.download_dataset(tmp_path / "data")
    result = nmr.upload_predictions(write_predictions(dataset, tmp_path / "b.csv", seed=7), model=name)
    assert result["accepted"] and result["model"]["key"] == created["key"]
    assert nmr.submission_hash(round_number, name) == result["hash"]
    with pytest.raises(NumeraireError, match=f"you have no submission in round {round_number}"):
        nmr.submission_hash(round_number)  # model 0 uploaded nothing
    receipt = nmr.stake("3", "0.5", model=created["key"])
    assert (receipt["model"], receipt["model_name"], receipt["model_number"]) == (created["key"], name,
                                                                                 created["number"])
    assert receipt["submission_hash"] == result["hash"] and receipt["total_stake_wei"] == 3 * NMR
    assert nmr.stake_of(round_number, model=name)["amount"] == 3 * NMR
    assert nmr.stake_of(round_number)["amount"] == 0  # model 0's position is its own
