"""The ``nmr`` CLI against the real app and a real Ganache: every verb, and its errors
(one message, exit status 1)."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from app import oracle, reports, store
from client.cli import main
from tests.client.conftest import (
    CLOSES_IN,
    NMR,
    RESOLVES_IN,
    ROOT,
    STAKER,
    advance_chain_time,
    write_predictions,
)


@pytest.fixture
def nmr_cli(server, round_number, keys):
    """``nmr_cli(*args, key=STAKER, token=None) -> Result``: runs ``nmr --quiet ARGS``."""

    def run(*args: str, key: int | None = STAKER, token: str | None = None, expect: int = 0):
        env = {"NMR_API_URL": server, "NMR_PRIVATE_KEY": keys[key] if key is not None else None,
               "NMR_API_TOKEN": token, "NMR_KEYSTORE": None, "NMR_RPC_URL": None}
        result = CliRunner().invoke(main, ["--quiet", *args], env=env, catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    return run


@pytest.fixture
def predictions(nmr_cli, tmp_path):
    """A valid prediction file for the current round (and the downloaded dataset)."""
    nmr_cli("download", "--dest", str(tmp_path))
    (dataset,) = tmp_path.glob("*.parquet")
    return write_predictions(dataset, tmp_path / "predictions.csv"), dataset


def test_download_csv_and_parquet(nmr_cli, round_number, tmp_path):
    for file_format in ("parquet", "csv"):
        out = nmr_cli("download", "--format", file_format, "--dest", str(tmp_path)).output
        path = tmp_path / f"numerai_dataset_round{round_number}.{file_format}"
        assert f"{path} (" in out and path.is_file()


def test_check_and_upload_print_the_hash(nmr_cli, predictions, round_number):
    path, dataset = predictions
    checked = nmr_cli("check", str(path), "--dataset", str(dataset)).output
    assert "ok: 320 rows" in checked
    file_hash = checked.split("hash: ")[1].split()[0]
    uploaded = nmr_cli("upload", str(path), "--dataset", str(dataset)).output
    assert f"accepted: round {round_number}" in uploaded and f"hash: {file_hash}" in uploaded
    assert "validation logloss 0." in uploaded


def test_upload_of_a_bad_file_fails_here_with_every_problem(nmr_cli, predictions, tmp_path, round_number):
    path, _ = predictions
    frame = pd.read_csv(path).iloc[3:]
    frame["probability"] = "high"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    out = nmr_cli("upload", str(tmp_path / "bad.csv"), expect=1).output
    assert "Error: bad.csv was not accepted:" in out
    assert "3 of the round's 320 tournament ids have no prediction" in out and "are not a number" in out
    assert json.loads(nmr_cli("--json", "status", key=None).output)["n_submissions"] == 0


def test_upload_to_a_closed_round(nmr_cli, predictions, app, w3, round_number):
    path, dataset = predictions
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.close_round(round_number, report=lambda _: None)
    out = nmr_cli("upload", str(path), "--round", str(round_number), "--dataset", str(dataset), expect=1).output
    assert f"Error: round {round_number} is closed to uploads" in out


def test_upload_with_a_bad_token(nmr_cli, predictions):
    path, dataset = predictions
    out = nmr_cli("upload", str(path), "--dataset", str(dataset), key=None, token="nope$nope", expect=1).output
    assert "Error: the API token is unknown, revoked or wrong" in out


def test_upload_without_credentials(nmr_cli, predictions):
    path, dataset = predictions
    out = nmr_cli("upload", str(path), "--dataset", str(dataset), key=None, expect=1).output
    assert "Error: this needs your identity: set NMR_API_TOKEN" in out


def test_login_and_token_create_then_upload_with_the_token(nmr_cli, predictions, keys):
    from eth_account import Account

    address = Account.from_key(keys[STAKER]).address
    assert f"signed in as {address}" in nmr_cli("login").output
    token = nmr_cli("token", "create", "--name", "cli").output.splitlines()[1]
    path, dataset = predictions
    assert "accepted" in nmr_cli("upload", str(path), "--dataset", str(dataset), key=None, token=token).output
    quiet = nmr_cli("token", "create", "--only-token").output.strip()
    assert "$" in quiet and "\n" not in quiet


def test_login_without_a_wallet(nmr_cli):
    assert "Error: this needs your wallet" in nmr_cli("login", key=None, expect=1).output


def test_stake_status_and_withdraw(nmr_cli, predictions, w3, round_number):
    path, dataset = predictions
    nmr_cli("upload", str(path), "--dataset", str(dataset))
    out = nmr_cli("stake", "10", "--confidence", "0.5").output
    assert f"staked 10 NMR on round {round_number} at confidence 0.5 (total 10 NMR)" in out and "tx: 0x" in out
    status = nmr_cli("status").output
    assert f"round {round_number}: open" in status and "my stake: 10 NMR at confidence 0.5 (active)" in status
    assert "my submission: 0x" in status
    assert "pools: $100.00 staking pool, $50.00 and 100.00 NMR of prizes" in status
    assert re.search(r"wallet 0x[0-9a-fA-F]{40}: [\d,]+\.\d\d NMR, \$[\d,]+\.\d\d USD, [\d.]+ ETH", status), status
    as_json = json.loads(nmr_cli("--json", "status").output)
    assert as_json["stake"] == {"amount": 10 * NMR, "confidence": NMR // 2, "status": "active", "rolls": False}

    out = nmr_cli("withdraw", str(round_number), expect=1).output
    assert f"Error: withdrawStake({round_number}) reverted: the escape hatch of round {round_number} opens at" in out
    advance_chain_time(w3, RESOLVES_IN + 1)
    assert f"withdrew 10 NMR from round {round_number}" in nmr_cli("withdraw", str(round_number)).output


def test_stake_with_roll_and_roll_off(nmr_cli, predictions, round_number):
    path, dataset = predictions
    nmr_cli("upload", str(path), "--dataset", str(dataset))
    out = nmr_cli("stake", "4", "--confidence", "0.5", "--roll").output
    assert f"staked 4 NMR on round {round_number}" in out and "rolling: when the round settles" in out
    assert "my stake: 4 NMR at confidence 0.5 (active, rolling)" in nmr_cli("status").output
    out = nmr_cli("roll", str(round_number), "--off").output
    assert f"round {round_number}: 4 NMR comes back to your wallet when the round settles" in out
    assert "my stake: 4 NMR at confidence 0.5 (active)" in nmr_cli("status").output
    assert f"round {round_number}: 4 NMR rolls into the next open round" in nmr_cli("roll", str(round_number)).output
    out = nmr_cli("roll", str(round_number + 1), expect=1).output
    assert f"Error: model 0 has no active stake in round {round_number + 1} to roll (it is none)" in out


def test_stake_errors(nmr_cli, predictions, w3, round_number):
    out = nmr_cli("stake", "5", "--confidence", "0.5", expect=1).output
    assert f"Error: you have no submission in round {round_number}" in out
    out = nmr_cli("stake", "5", "--confidence", "0.5", "--hash", "0x" + "11" * 32, key=2, expect=1).output
    assert "Error: not enough NMR: balance 0, needed 5" in out
    out = nmr_cli("stake", "5", "--confidence", "0.5", key=None, token="x$y", expect=1).output
    assert "Error: staking signs with your wallet" in out
    out = nmr_cli("stake", "5", expect=2).output
    assert "Missing option '--confidence'" in out
    advance_chain_time(w3, CLOSES_IN + 1)
    out = nmr_cli("stake", "5", "--confidence", "0.5", "--hash", "0x" + "11" * 32, expect=1).output
    assert f"Error: staking for round {round_number} closed at" in out


def test_balances_show_usd_beside_nmr(nmr_cli, staker_address, app, w3):
    with app.app_context():
        chain = app.extensions["chain"].get()
        usd = chain.usd.functions.balanceOf(staker_address).call()
        nmr = chain.token.functions.balanceOf(staker_address).call()
    whole, cents = divmod(usd // 10**4, 100)
    out = nmr_cli("balances").output
    assert out.startswith(f"{staker_address}: {nmr // NMR:,}.{nmr % NMR // 10**16:02d} NMR, ${whole:,}.{cents:02d} USD, ")
    as_json = json.loads(nmr_cli("--json", "balances").output)
    assert (as_json["usd_units"], as_json["nmr_wei"]) == (usd, nmr)


def test_leaderboard_results_and_account(nmr_cli, predictions, app, w3, round_number, keys):
    path, dataset = predictions
    nmr_cli("upload", str(path), "--dataset", str(dataset))
    nmr_cli("stake", "3", "--confidence", "0.5")
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.run_round(round_number, report=lambda _: None)
        [score] = store.round_scores(round_number)
        view = reports.score_view(score)
    board = nmr_cli("leaderboard", "--round", str(round_number), key=None).output
    # Rank 1 is the one staker, by its display name if an earlier test gave the wallet one.
    [first] = [line for line in board.splitlines() if line.startswith("   1  ")]
    assert f"round {round_number}" in board and f"{view['live_logloss']:.6f}" in first
    assert "career USD" in board and "career NMR" in board
    results = nmr_cli("results", str(round_number), key=None).output
    assert f"round {round_number}: finalized; 1 participants, 1 stakers, controlling capital" in results
    assert "staked 3 NMR" in results and "pools: $100.00 staking pool, $50.00 prize pool, 100.00 NMR" in results
    assert "round USD" in results and "round NMR" in results and "why" in results
    assert view["reason"] and view["reason"] in results  # the one-line why of the outcome
    as_json = json.loads(nmr_cli("--json", "results", str(round_number), key=None).output)
    [row] = as_json["participants"]
    assert row["stake_wei"] == str(3 * NMR) and row["reason"] == view["reason"]
    assert (row["round_usd"], row["round_nmr"]) == (str(view["round_usd"]), str(view["round_nmr"]))
    account = nmr_cli("account").output
    assert f"round {round_number}: stake 3.00 NMR" in account and f"why: {view['reason']}" in account
    assert "career USD $" in account and " USD, " in account
    assert "Error: round 999 does not exist" in nmr_cli("results", "999", key=None, expect=1).output
    verified = nmr_cli("verify", str(round_number), key=None).output
    assert f"round {round_number}: checked" in verified and "verified: everything matches the chain" in verified


def test_bin_nmr_runs_from_anywhere(server, round_number, tmp_path):
    env = {**os.environ, "NMR_API_URL": server}
    for name in ("NMR_PRIVATE_KEY", "NMR_API_TOKEN", "NMR_KEYSTORE"):
        env.pop(name, None)
    result = subprocess.run([str(ROOT / "bin" / "nmr"), "--json", "status"], check=False, cwd=tmp_path,
                            env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["round"]["number"] == round_number


def test_keystore_password_is_prompted(server, round_number, keys, tmp_path):
    from eth_account import Account

    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(Account.encrypt(keys[STAKER], "s3cret", iterations=2)))
    env = {"NMR_API_URL": server, "NMR_PRIVATE_KEY": None, "NMR_API_TOKEN": None, "NMR_KEYSTORE": str(keystore),
           "NMR_KEYSTORE_PASSWORD": None}
    result = CliRunner().invoke(main, ["login"], env=env, input="s3cret\n")
    assert result.exit_code == 0, result.output
    assert f"signed in as {Account.from_key(keys[STAKER]).address}" in result.output
    result = CliRunner().invoke(main, ["login"], env=env, input="wrong\n")
    assert result.exit_code == 1 and "wrong password?" in result.output


# ---- several models per wallet -----------------------------------------------------------

MODELLER = STAKER + 2  # a funded wallet no other CLI test stakes from


def test_models_upload_stake_and_withdraw_per_model(nmr_cli, predictions, w3, round_number, keys, tmp_path, server):
    from eth_account import Account

    from client import NumeraireClient

    address = Account.from_key(keys[MODELLER]).address
    name = f"alpha{round_number}"  # model names are unique across the session's wallets
    [zero] = [line for line in nmr_cli("models", key=MODELLER).output.splitlines() if line.startswith("  0  ")]
    assert zero.endswith(f"  {address}")  # model 0 is always there, keyed by the address
    added = nmr_cli("models", "add", name, key=MODELLER).output
    number = int(re.search(rf"model (\d+) {name} added: key {address}-(\d+)", added).group(1))
    key = f"{address}-{number}"
    assert f"upload to it: nmr upload FILE --model {name}" in added
    assert f"{number:>3}  {name:<42}  {key}" in nmr_cli("models", key=MODELLER).output
    assert "is taken: a model is already named" in nmr_cli("models", "add", name.upper(), key=MODELLER, expect=1).output

    path, dataset = predictions
    other = write_predictions(dataset, tmp_path / "second.csv", seed=1)
    first_upload = nmr_cli("upload", str(path), "--dataset", str(dataset), key=MODELLER).output
    assert "for model" not in first_upload  # model 0 reads as a single-model wallet always did
    second_upload = nmr_cli("upload", str(other), "--dataset", str(dataset), "--model", name, key=MODELLER).output
    assert f"rows for model {name} ({key})" in second_upload
    assert f"--round {round_number} --model {name}" in second_upload
    hashes = [re.search(r"hash: (0x[0-9a-f]{64})", out).group(1) for out in (first_upload, second_upload)]
    assert hashes[0] != hashes[1]

    staked = nmr_cli("stake", "4", "--confidence", "0.5", "--model", name, key=MODELLER).output
    assert f"staked 4 NMR on round {round_number} for model {name} ({key}) at confidence 0.5 (total 4 NMR)" in staked
    staked = nmr_cli("stake", "2", "--confidence", "0.25", key=MODELLER).output
    assert f"staked 2 NMR on round {round_number} at confidence 0.25 (total 2 NMR)" in staked
    status = nmr_cli("status", key=MODELLER).output
    assert "my stake: 2 NMR at confidence 0.25 (active)" in status
    assert f"my stake on model {key}: 4 NMR at confidence 0.5 (active)" in status
    client = NumeraireClient(server, progress=False, private_key=keys[MODELLER])
    records = {r.model: r for r in client.chain().stake_records(round_number)}
    assert (records[address].amount, records[address].submission_hash) == (2 * NMR, hashes[0])
    assert (records[key].amount, records[key].submission_hash, records[key].model_number) == (4 * NMR, hashes[1], number)

    for verb in (["stake", "1", "--confidence", "0.5"], ["upload", str(path), "--dataset", str(dataset)]):
        refused = nmr_cli(*verb, "--model", "nosuch", key=MODELLER, expect=1).output
        assert f"Error: 'nosuch' is none of your models; your models are {address}, {name} ({key})" in refused
    advance_chain_time(w3, RESOLVES_IN + 1)
    out = nmr_cli("withdraw", str(round_number), "--model", key, key=MODELLER).output
    assert f"withdrew 4 NMR from round {round_number} for model {name} ({key})" in out
    assert client.stake_of(round_number, model=name)["status"] == "withdrawn"
    assert client.stake_of(round_number)["status"] == "active"  # model 0 untouched
