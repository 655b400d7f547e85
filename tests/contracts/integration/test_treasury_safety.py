"""A stranger or the oracle cannot move treasury funds.

The treasury approved the escrow without limit on both tokens (the worst case: a careless
operator). The oracle and a stranger then try every path the escrow offers: creating
rounds, funding rounds from themselves or on the treasury's behalf, committing the worst
plan the bounds allow, settling with rewards beyond the pools, a sybil stake's bid or the
committed plan, paying prizes beyond the pools, finalizing and withdrawing. The treasury's balances of both tokens never fall except through the
treasury's own fundRound; every Transfer out of the treasury on chain is one.
"""

import brownie
import pytest
from brownie import chain, web3
from brownie.exceptions import VirtualMachineError

from tests.contracts.helpers import (
    DATASET_DIGEST,
    DAY,
    HASH,
    NMR,
    USD,
    WAD,
    address_topic,
    chain_now,
    event_topic,
    hex0x,
    role_error,
)

UNLIMITED = 2**256 - 1
TRANSFER_TOPIC = event_topic("Transfer(address,address,uint256)")


@pytest.fixture(scope="module", autouse=True)
def unlimited_approvals(nmr, usd, escrow, treasury, oracle, rando, minter, admin):
    nmr.approve(escrow, UNLIMITED, {"from": treasury})
    usd.approve(escrow, UNLIMITED, {"from": treasury})
    # The attackers hold tokens of their own, so paths that spend "their own" are real.
    for account in (oracle, rando):
        nmr.mint(account, 5_000 * NMR, {"from": minter})
        usd.mint(account, 5_000 * USD, {"from": admin})
        nmr.approve(escrow, UNLIMITED, {"from": account})
        usd.approve(escrow, UNLIMITED, {"from": account})


class Ledger:
    """The treasury's balances as they must be: only its own fundRound lowers them."""

    def __init__(self, nmr, usd, escrow, treasury):
        self.nmr, self.usd, self.escrow, self.treasury = nmr, usd, escrow, treasury
        self.expected = [nmr.balanceOf(treasury), usd.balanceOf(treasury)]
        self.start_block = web3.eth.block_number + 1

    def check(self):
        assert [self.nmr.balanceOf(self.treasury), self.usd.balanceOf(self.treasury)] == self.expected

    def attempt(self, method, *args):
        """An attack: whatever it does, the treasury's balances must not change."""
        try:
            method(*args)
        except VirtualMachineError:
            pass
        self.check()

    def treasury_funds(self, round_id, usd_staking, usd_prize, nmr_pool):
        self.escrow.fundRound(round_id, usd_staking, usd_prize, nmr_pool, {"from": self.treasury})
        self.expected[0] -= nmr_pool
        self.expected[1] -= usd_staking + usd_prize
        self.check()

    def returned(self, tx):
        event = tx.events["RoundFinalized"]
        if event["funder"] == self.treasury:
            self.expected[0] += event["nmrReturned"]
            self.expected[1] += event["usdReturned"]
        self.check()

    def transfers_out_are_own_funding(self):
        """Every Transfer from the treasury, in every block since the start, was sent by the
        treasury itself, to the escrow's fundRound."""
        fund_selector = self.escrow.fundRound.signature
        logs = web3.eth.get_logs({
            "fromBlock": self.start_block,
            "toBlock": "latest",
            "address": [self.nmr.address, self.usd.address],
            "topics": [TRANSFER_TOPIC, address_topic(self.treasury)],
        })
        assert logs, "the treasury funded rounds: its own transfers must be seen"
        for log in logs:
            tx = web3.eth.get_transaction(log["transactionHash"])
            assert (tx["from"], tx["to"]) == (self.treasury.address, self.escrow.address)
            assert hex0x(tx["input"])[:10] == fund_selector
        return len(logs)


def test_nobody_but_the_treasury_moves_treasury_funds(
    escrow, nmr, usd, oracle, rando, treasury, alice, settle_entry, prize_list, commit
):
    ledger = Ledger(nmr, usd, escrow, treasury)
    now = chain_now()
    closes_at, resolves_by = now + 1_000, now + 1_000 + 3 * DAY

    # createRound takes no amounts and pulls nothing, whoever calls it or whoever it names.
    escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    ledger.check()
    ledger.attempt(escrow.createRound, 2, closes_at, resolves_by, rando, DATASET_DIGEST, {"from": rando})
    escrow.createRound(2, closes_at, resolves_by, oracle, DATASET_DIGEST, {"from": oracle})
    escrow.createRound(3, closes_at, resolves_by, rando, DATASET_DIGEST, {"from": oracle})

    # The treasury funds round 1 itself: the one way its balances may fall.
    ledger.treasury_funds(1, 3_000 * USD, 1_000 * USD, 1_000 * NMR)

    # fundRound only ever pulls from its caller, the round's named funder: the oracle and
    # the stranger fund rounds 2 and 3 with their own tokens.
    escrow.fundRound(2, 10 * USD, 0, 0, {"from": oracle})
    escrow.fundRound(3, 0, 10 * USD, NMR, {"from": rando})
    ledger.check()
    assert (escrow.getRound(2)["funder"], escrow.getRound(3)["funder"]) == (oracle, rando)
    # Nobody adds to the treasury's round, nor funds beyond their own balance.
    with brownie.reverts(f"TournamentEscrowNotFunder: 1, {treasury.address.lower()}"):
        escrow.fundRound(1, USD, 0, 0, {"from": oracle})
    ledger.attempt(escrow.fundRound, 2, 0, 0, 10**9 * NMR, {"from": oracle})
    ledger.attempt(escrow.fundRound, 3, 10**9 * USD, 0, 0, {"from": rando})
    # The approval is the escrow's, not the oracle's: the token refuses a direct pull.
    with brownie.reverts(f"ERC20InsufficientAllowance: {oracle.address.lower()}, 0, {NMR}"):
        nmr.transferFrom(treasury, oracle, NMR, {"from": oracle})

    # A sybil stake of 1 wei NMR by the oracle, and an honest 4,000 NMR stake ($4,000 bid).
    escrow.stake(1, 0, 1, WAD, HASH, {"from": oracle})
    nmr.approve(escrow, 4_000 * NMR, {"from": alice})
    escrow.stake(1, 0, 4_000 * NMR, WAD, HASH, {"from": alice})
    chain.sleep(1_001)
    chain.mine()
    ledger.check()

    # The oracle commits the worst plan the bounds allow: the whole prize pool and NMR
    # issuance to itself, the sybil's 1 wei back, alice's stake back with $0.
    misallocation = [settle_entry(oracle, nmr_reward=1), settle_entry(alice)]
    own_prizes = prize_list([(oracle, 1_000 * USD, 1_000 * NMR - 1)])
    commit(1, [misallocation], own_prizes)

    # settle: rewards beyond the sybil's bid and stake, beyond the pools, to the treasury,
    # by a stranger: none of them is the committed plan.
    with brownie.reverts(revert_pattern="TournamentEscrowBatchMismatch: 1, 0, .*"):
        escrow.settle(1, [settle_entry(oracle, usd_reward=1)], {"from": oracle})
    ledger.attempt(escrow.settle, 1, [settle_entry(oracle, nmr_reward=2)], {"from": oracle})
    ledger.attempt(escrow.settle, 1, [settle_entry(alice, usd_reward=3_000 * USD + 1)], {"from": oracle})
    ledger.attempt(escrow.settle, 1, [settle_entry(treasury, usd_reward=1)], {"from": oracle})
    with brownie.reverts(role_error(rando, escrow.ORACLE_ROLE())):
        escrow.settle(1, misallocation, {"from": rando})
    ledger.check()

    # payPrizes beyond each pool, then by a stranger.
    ledger.attempt(escrow.payPrizes, 1, prize_list([(oracle, 1_000 * USD + 1, 0)]), {"from": oracle})
    ledger.attempt(escrow.payPrizes, 1, prize_list([(oracle, 0, 600 * NMR), (rando, 0, 400 * NMR + 1)]),
                   {"from": oracle})
    with brownie.reverts(role_error(rando, escrow.ORACLE_ROLE())):
        escrow.payPrizes(1, own_prizes, {"from": rando})
    # Whatever the oracle misallocates stays inside round 1's pools.
    escrow.payPrizes(1, own_prizes, {"from": oracle})
    escrow.settle(1, misallocation, {"from": oracle})
    ledger.check()
    # ... and the prizes are paid once: nothing more, from any pool.
    with brownie.reverts("TournamentEscrowPrizesAlreadyPaid: 1"):
        escrow.payPrizes(1, prize_list([(oracle, 0, 0)]), {"from": oracle})

    # Finalize, by a stranger: what is unspent goes back to the treasury, never the caller.
    ledger.returned(escrow.finalize(1, {"from": rando}))
    for round_id in (2, 3):
        ledger.attempt(escrow.finalize, round_id, {"from": oracle})
    ledger.attempt(escrow.withdrawStake, 1, 0, {"from": oracle})
    chain.sleep(resolves_by - chain_now() + 1)
    for round_id in (2, 3):
        ledger.returned(escrow.finalize(round_id, {"from": oracle}))
    ledger.attempt(escrow.withdrawStake, 1, 0, {"from": rando})

    # The treasury lost exactly what round 1 spent: $1,000 of prizes and 1,000 NMR.
    assert nmr.balanceOf(escrow) == usd.balanceOf(escrow) == 0
    assert ledger.transfers_out_are_own_funding() == 2
