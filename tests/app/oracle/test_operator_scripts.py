"""The operator's brownie scripts are thin calls into app.oracle: drive a round with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account

from app import store
from scripts import (
    close_round,
    commit_round,
    dispute_status,
    finalize_round,
    open_round,
    oracle_status,
    publish_round,
    resolve_round,
    rule_dispute,
    run_keeper,
    settle_round,
)
from tests.app.oracle.conftest import (
    NMR,
    USD,
    advance_chain_time,
    send,
    token_and_escrow,
    usd_token,
)


@pytest.fixture
def operator_env(monkeypatch, app):
    for key in ("DATABASE_URL", "DATA_DIR", "RPC_URL", "DEPLOYMENTS_FILE", "ORACLE_PRIVATE_KEY",
                "TREASURY_PRIVATE_KEY", "SECRET_KEY"):
        monkeypatch.setenv(f"NMR_{key}", str(app.config[key]))
    return app


def test_scripts_run_a_round_without_stakes(operator_env, w3, deployment, keys, capsys):
    app = operator_env
    _, record = deployment
    token, escrow = token_and_escrow(w3, record)
    usd = usd_token(w3, record)
    treasury = record["treasury"]
    treasury_before = (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call())

    open_round.main(1, 600, 3600, "25", "10.50", "100")
    view = escrow.functions.getRound(1).call()
    assert (view[2], view[3], view[5], view[7]) == (treasury, 25 * USD, 10_500_000, 100 * NMR)
    staker = keys[3]
    send(w3, staker, token.functions.approve(escrow.address, NMR))
    send(w3, staker, escrow.functions.stake(1, 0, NMR, 10**18, b"\x42" * 32))
    advance_chain_time(w3, 601)
    close_round.main(1)
    resolve_round.main(1)
    commit_round.main(1)
    dispute_status.main(1)
    assert "round 1: committed" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="the ruling is 'uphold' or 'reject'"):
        rule_dispute.main(1, "maybe")
    settle_round.main(1)
    finalize_round.main(1)
    publish_round.main(1)

    address = Account.from_key(staker).address
    # The stake committed to no uploaded file: returned in full, nothing burned or paid.
    assert escrow.functions.getStake(1, address, 0).call()[2] == 2
    # Nobody was paid: the pools came back, and the 100 NMR of issuance minted for the
    # round stay with the treasury.
    assert (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call()) == (
        treasury_before[0] + 100 * NMR, treasury_before[1])
    with app.app_context():
        assert store.get_round(1).status == "finalized"
        [entry] = store.latest_plan(1)["stakes"]
        assert {k: entry[k] for k in ("model", "stake", "burn", "usd_reward", "nmr_reward")} == {
            "model": address, "stake": str(NMR), "burn": "0", "usd_reward": "0", "nmr_reward": "0"}


def test_the_keeper_scripts_list_the_pipeline_and_finish_a_round(operator_env, w3, deployment, capsys, monkeypatch):
    app = operator_env
    open_round.main(1, 600, 3600, "0", "0", "0")
    oracle_status.main()
    out = capsys.readouterr().out
    assert "round 1: open — open: staking closes in 0D 0H" in out and "next step: close, due in 0D 0H" in out
    assert "next round: scheduled" in out  # the weekly schedule's next opening
    advance_chain_time(w3, 601)
    monkeypatch.setenv("NMR_ROUND_EVERY", "0")  # the scripts read the server's configuration
    run_keeper.main("once")  # closes, resolves, commits; the test chain's window is 3 s
    advance_chain_time(w3, 10)
    run_keeper.main("once")
    with app.app_context():
        assert store.get_round(1).status == "finalized"
    oracle_status.main()
    assert "no round in flight" in capsys.readouterr().out


# Each `flask oracle` command and the brownie script that runs the same step.
SCRIPT_OF = {"run": "run_keeper", "status": "oracle_status", "open": "open_round", "fund": "fund_round",
            "expire": "expire_round", "close": "close_round", "resolve": "resolve_round",
            "commit": "commit_round", "settle": "settle_round", "dispute-status": "dispute_status",
            "rule": "rule_dispute", "lapse": "lapse_dispute", "finalize": "finalize_round", "publish": "publish_round"}


def test_every_oracle_command_has_its_brownie_script(operator_env):
    commands = set(operator_env.cli.commands["oracle"].commands)
    scripts_dir = Path(__file__).resolve().parents[3] / "scripts"
    # verify is the auditor's (nmr verify N, python -m client.core.money.verify): no oracle key needed.
    assert commands - {"verify"} == set(SCRIPT_OF)
    assert all((scripts_dir / f"{script}.py").is_file() for script in SCRIPT_OF.values())
