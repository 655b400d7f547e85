"""The account's ledger on a real Ganache: a wallet stakes, tops up, is settled and paid
through a whole round; the ledger lists each movement from the escrow's events, newest
first, with its transaction, and its NMR adds up to what the wallet's balance did."""

from __future__ import annotations

import pandas as pd
from eth_account import Account

from app import oracle, store
from app.chain import get_chain
from app.web import services
from client.core.chain.contracts import Chain
from client.core.money.stakes import Pools
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD
from tests.app.oracle.conftest import advance_chain_time, token_and_escrow
from tests.app.web.conftest import sign_in

STAKING, LIVE = 300, 100


def _played_round(app, keys) -> Account:
    """Round 1 with one staker who stakes 5 NMR and tops up 2, driven to its end."""
    staker = Account.from_key(keys[3])
    with app.app_context():
        oracle.open_round(closes_in=STAKING, live_in=STAKING + LIVE, resolves_in=STAKING + LIVE + 3600,
                          pools=Pools(usd_staking=30 * USD, usd_prize=36 * USD, nmr=144 * NMR),
                          dataset_options={"rows_per_era": 100}, report=lambda _: None)
        public = pd.read_parquet(store.get_round(1).dataset_parquet_path)
        tournament = public[public["data_type"] != "train"]
        body = pd.DataFrame({"id": tournament["id"].astype(str), "probability": 0.52})
        outcome = services.upload_predictions(1, staker.address, body.to_csv(index=False).encode(), "p.csv")
        assert outcome.result.ok, outcome.result.problems
        chain = get_chain()
        mine = Chain(chain.w3, chain.deployments, staker, owner="staker")
        mine.stake(1, 5 * NMR, NMR // 10, outcome.result.hash)
        mine.stake(1, 2 * NMR, NMR // 10, outcome.result.hash)  # a top-up
    return staker


def test_the_ledger_lists_every_movement_from_the_chain_and_adds_up(app, w3, keys, deployment):
    token, escrow = token_and_escrow(w3, deployment[1])
    before = token.functions.balanceOf(Account.from_key(keys[3]).address).call()
    staker = _played_round(app, keys)
    advance_chain_time(w3, STAKING + LIVE + 1)
    with app.app_context():
        assert oracle.run_round(1, report=lambda _: None, wait_up_to=60).status == "finalized"
    app.config.update(SIWE_DOMAIN="localhost", SIWE_URI="http://localhost")
    client = app.test_client()
    assert sign_in(client, staker).status_code == 200

    ledger = client.get("/api/v1/account").get_json()["ledger"]
    kinds = [entry["kind"] for entry in ledger]
    assert kinds[-2:] == ["top-up", "stake"] and "settlement" in kinds  # newest first
    assert [int(e["nmr_wei"]) for e in ledger if e["kind"] in ("stake", "top-up")] == [-2 * NMR, -5 * NMR]
    settled = escrow.events.StakeSettled.get_logs(from_block=deployment[1]["deployed_at_block"])[0]
    settlement = next(entry for entry in ledger if entry["kind"] == "settlement")
    assert settlement["tx_hash"] == "0x" + bytes(settled["transactionHash"]).hex().removeprefix("0x")
    assert int(settlement["nmr_wei"]) == 7 * NMR - settled["args"]["burned"] + settled["args"]["nmrReward"]
    after = token.functions.balanceOf(staker.address).call()
    assert sum(int(entry["nmr_wei"]) for entry in ledger) == after - before  # every NMR movement is listed

    page = client.get("/account").get_data(as_text=True)
    assert page.count('<tr data-kind="') == len(ledger)
    assert 'data-kind="top-up"' in page and settlement["tx_hash"][:10] in page
    app.config["EXPLORER_TX_URL"] = "https://explorer.invalid/tx/{}"
    assert f'href="https://explorer.invalid/tx/{settlement["tx_hash"]}"' in client.get("/account").get_data(as_text=True)
