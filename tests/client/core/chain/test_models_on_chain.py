"""The chain boundary with several models per wallet, on a real Ganache: every escrow call
names the model split from a model key, events come back as model keys, a settle batch
carries each model's own outcome and the prizes go to wallets, summed over their models."""

from __future__ import annotations

import pytest
from eth_account import Account

from app.chain.deploy import LOCAL_CHALLENGE_WINDOW
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError, ContractRevert
from client.core.models import model_key
from client.core.money.batches import batch_hashes, wallet_prizes
from client.core.money.units import WAD
from tests.client.conftest import NMR, STAKER, USD, advance_chain_time

DIGEST = "0x" + "ab" * 32
HASH_A, HASH_B, HASH_C = ("0x" + c * 64 for c in "123")



@pytest.fixture
def chains(ganache_url, deployment, keys):
    """(oracle, funder, staker, other staker) Chains on the client tests' contracts."""
    path = deployment[0]
    return tuple(Chain.connect(ganache_url, path, private_key=keys[i], owner=owner)
                 for i, owner in ((1, "oracle"), (0, "funder"), (STAKER, "staker"), (STAKER + 1, "staker")))


def _open(oracle: Chain, funder: Chain, round_id: int, closes_in: int = 60, resolves_in: int = 600) -> None:
    oracle.mine_empty_block()  # Ganache's clock stands still while idle (another test's wait)
    now = oracle.now()
    oracle.create_round(round_id, now + closes_in, now + resolves_in, funder.signer.address, DIGEST)
    funder.fund_round(round_id, 100 * USD, 50 * USD, 100 * NMR)


def test_two_models_of_one_wallet_stake_settle_and_win_apart(chains, w3):
    oracle, funder, staker, other = chains
    wallet = staker.signer.address
    first, second, rival = model_key(wallet, 0), model_key(wallet, 1), model_key(other.signer.address, 0)
    _open(oracle, funder, 7001)
    staker.stake(7001, 10 * NMR, WAD, HASH_A)  # model 0, as a single-model wallet always did
    staker.stake(7001, 4 * NMR, WAD // 2, HASH_B, model=1)
    other.stake(7001, 3 * NMR, WAD, HASH_C)

    records = {r.model: r for r in staker.stake_records(7001)}
    assert list(records) == [first, second, rival]  # by first stake: the auction's tie-break
    assert (records[second].wallet, records[second].model_number) == (wallet, 1)
    assert (records[first].wallet, records[first].model_number) == (wallet, 0)
    assert [(r.amount, r.confidence, r.submission_hash) for r in records.values()] == [
        (10 * NMR, WAD, HASH_A), (4 * NMR, WAD // 2, HASH_B), (3 * NMR, WAD, HASH_C)]
    assert staker.stake_of(7001, second) == {"amount": 4 * NMR, "confidence": WAD // 2, "status": "active",
                                             "rolls": False}
    assert staker.stake_of(7001, wallet)["amount"] == 10 * NMR  # a bare address is model 0
    mine = [row for row in staker.stakes(wallet) if row["round"] == 7001]  # the session's other tests stake too
    assert [(row["key"], row["model"], row["amount_wei"], row["submission_hash"]) for row in mine] == [
        (first, 0, 10 * NMR, HASH_A), (second, 1, 4 * NMR, HASH_B)]

    # Model 0 burns half, model 1 earns USD: each position settles on its own outcome.
    entries = [(first, 5 * NMR, 0, 0), (second, 0, 3 * USD, NMR), (rival, 0, 0, 0)]
    won = [(first, 10 * USD, 2 * NMR), (second, 5 * USD, NMR), (rival, 7 * USD, 0)]
    advance_chain_time(w3, 61)
    oracle.commit_results(7001, DIGEST, batch_hashes([entries], wallet_prizes(won)))
    advance_chain_time(w3, LOCAL_CHALLENGE_WINDOW + 5)
    oracle.settle(7001, entries)
    receipt = oracle.pay_prizes(7001, won)  # per model: the chain takes one entry per wallet
    assert receipt["tx_hash"]

    settled = oracle.settlements(7001)
    assert {k: (v["burned"], v["usd_reward"], v["nmr_reward"]) for k, v in settled.items()} == {
        first: (5 * NMR, 0, 0), second: (0, 3 * USD, NMR), rival: (0, 0, 0)}
    assert [staker.stake_of(7001, k)["status"] for k in (first, second, rival)] == ["settled"] * 3
    prizes = oracle.prizes(7001)
    assert {w: (p["usd"], p["nmr"]) for w, p in prizes.items()} == {
        wallet: (15 * USD, 3 * NMR), other.signer.address: (7 * USD, 0)}


def test_withdraw_takes_back_one_model_and_leaves_the_other(chains, w3):
    oracle, funder, staker, _ = chains
    wallet = staker.signer.address
    _open(oracle, funder, 7002, closes_in=30, resolves_in=60)
    staker.stake(7002, 2 * NMR, WAD, HASH_A)
    staker.stake(7002, 3 * NMR, WAD, HASH_B, model=2)
    advance_chain_time(w3, 61)
    before = staker.balances(wallet)["nmr_wei"]
    staker.withdraw_stake(7002, model=2)
    assert staker.balances(wallet)["nmr_wei"] == before + 3 * NMR
    assert staker.stake_of(7002, model_key(wallet, 2))["status"] == "withdrawn"
    assert staker.stake_of(7002, wallet)["status"] == "active"
    with pytest.raises(ContractRevert, match=r"withdrawStake\(7002, model 5\) reverted: .* has no stake on its "
                                             r"model 5 in round 7002 \[TournamentEscrowNoStake\]"):
        staker.withdraw_stake(7002, model=5)


def test_a_malformed_key_or_model_number_is_refused_before_the_chain(chains):
    _, _, staker, _ = chains
    wallet = Account.from_key(staker.signer.key).address
    with pytest.raises(ChainError, match="is not a model key: expected <wallet address> or <wallet address>-<n>"):
        staker.stake_of(1, f"{wallet}-01")
    with pytest.raises(ChainError, match="a model number is an int from 0 to 4294967295, got -1"):
        staker.withdraw_stake(1, model=-1)
    with pytest.raises(ChainError, match="got 4294967296"):
        staker.stake(1, NMR, WAD, HASH_A, model=2**32)
