"""The settle batch size holds at worst. ``settle_batch_size()`` fills 3/4 of a block on
the budget SETTLE_GAS_BASE + SETTLE_GAS_PER_STAKER per staker; a batch of the most expensive
entries there are (each a wallet that staked all its NMR and holds no USD, paid its stake
back less a partial burn, a USD and an NMR reward, on models numbered apart) costs no more."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from app.chain.deploy import deploy_contracts
from client.core.chain.contracts import SETTLE_GAS_BASE, SETTLE_GAS_PER_STAKER, Chain
from client.core.chain.signing import key_from_mnemonic
from client.core.models import model_key
from client.core.money.batches import batch_hashes
from tests.support import ROOT
from tools.ganache import TEST_MNEMONIC, start_ganache, stop

NMR, USD, WAD = 10**18, 10**6, 10**18
BLOCK_GAS = 30_000_000
N_STAKERS = 40
N_ACCOUNTS = 3 + N_STAKERS


@pytest.fixture(scope="module")
def own_chain():
    """A Ganache of its own: the stakers must start from the deployment's balances."""
    process, url = start_ganache(accounts=N_ACCOUNTS, gas_limit=BLOCK_GAS)
    yield url
    stop(process)


def test_a_full_batch_of_the_costliest_entries_fits_the_budget(own_chain, tmp_path):
    keys = [key_from_mnemonic(TEST_MNEMONIC, i) for i in range(N_ACCOUNTS)]
    w3 = Web3(HTTPProvider(own_chain))
    out = tmp_path / "deployments.json"
    stakers = keys[3:]
    deploy_contracts(w3, keys[0], Account.from_key(keys[1]).address, Account.from_key(keys[2]).address,
                     ROOT / "build" / "contracts", out, demo_stakers=[Account.from_key(k).address for k in stakers],
                     stake_funds=10 * NMR, staker_usd=0)
    oracle = Chain.connect(own_chain, out, private_key=keys[1])
    assert oracle.settle_batch_size() == (BLOCK_GAS * 3 // 4 - SETTLE_GAS_BASE) // SETTLE_GAS_PER_STAKER
    size = len(stakers)
    funder = Chain.connect(own_chain, out, private_key=keys[0], owner="funder")
    oracle.mine_empty_block()  # Ganache's clock stands still while idle (another test's wait)
    now = oracle.now()
    oracle.create_round(1, now + 600, now + 6000, funder.signer.address, "0x" + "ab" * 32)
    funder.fund_round(1, size * 5 * USD, 0, size * NMR)
    entries = []
    for index, key in enumerate(stakers[:size]):
        staker = Chain.connect(own_chain, out, private_key=key, owner="staker")
        staker.stake(1, 10 * NMR, WAD, "0x" + "01" * 32, model=index % 3)  # the whole balance
        assert staker.balances(staker.signer.address)["nmr_wei"] == staker.balances(staker.signer.address)["usd_units"] == 0
        entries.append((model_key(staker.signer.address, index % 3), NMR, 5 * USD, NMR))
    w3.provider.make_request("evm_increaseTime", [601])
    w3.provider.make_request("evm_mine", [])
    oracle.commit_results(1, "0x" + "cd" * 32, batch_hashes([entries], []))
    w3.provider.make_request("evm_increaseTime", [10])
    w3.provider.make_request("evm_mine", [])
    receipt = oracle.settle(1, entries)
    budget = SETTLE_GAS_BASE + size * SETTLE_GAS_PER_STAKER
    assert receipt["gas_used"] <= budget, f"{receipt['gas_used']:,} gas for {size} stakers; budget {budget:,}"
    assert oracle.round(1)["settled_count"] == size
