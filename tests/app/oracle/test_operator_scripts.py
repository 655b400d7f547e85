"""The operator's brownie scripts are thin calls into app.oracle: drive a round with them."""

from __future__ import annotations

import pytest
from eth_account import Account

from app import store
from scripts import (
    close_round,
    finalize_round,
    open_round,
    publish_round,
    resolve_round,
    settle_round,
)
from tests.app.oracle.conftest import NMR, advance_chain_time, send, token_and_escrow


@pytest.fixture
def operator_env(monkeypatch, app):
    for key in ("DATABASE_URL", "DATA_DIR", "RPC_URL", "DEPLOYMENTS_FILE", "ORACLE_PRIVATE_KEY", "SECRET_KEY"):
        monkeypatch.setenv(f"NMR_{key}", str(app.config[key]))
    return app


def test_scripts_run_a_round_without_stakes(operator_env, w3, deployment, keys):
    app = operator_env
    _, record = deployment
    token, escrow = token_and_escrow(w3, record)
    treasury_before = token.functions.balanceOf(record["treasury"]).call()

    open_round.main(1, 600, 3600, 25)
    assert escrow.functions.getRound(1).call()[2] == 25 * NMR
    staker = keys[3]
    send(w3, staker, token.functions.approve(escrow.address, NMR))
    send(w3, staker, escrow.functions.stake(1, NMR, 10**18, b"\x42" * 32))
    advance_chain_time(w3, 601)
    close_round.main(1)
    resolve_round.main(1)
    settle_round.main(1)
    finalize_round.main(1)
    publish_round.main(1)

    address = Account.from_key(staker).address
    # The stake committed to no uploaded file: returned in full, nothing burned or paid.
    assert escrow.functions.getStake(1, address).call()[2] == 2
    assert token.functions.balanceOf(record["treasury"]).call() == treasury_before
    with app.app_context():
        assert store.get_round(1).status == "finalized"
        assert store.latest_plan(1)["entries"] == [{"staker": address, "stake": str(NMR), "burn": "0", "reward": "0"}]
