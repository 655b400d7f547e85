"""A stablecoin that refuses a payee (USDC's blacklist): settle, payPrizes and the pools'
return go on, and the refused USD waits as the payee's credit in the round (UsdCredited).
The payee claims it once it can receive; the round's funder may take it after resolvesBy;
nobody else. The escrow counts credits among what it owes."""

import brownie
import pytest
from brownie import BlocklistUSD, TournamentEscrow, chain

from client.core.money.batches import batch_hashes
from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DISPUTE_BOND,
    HASH,
    MAX_RESOLUTION_DELAY,
    NMR,
    RESULTS_DIGEST,
    RULING_PERIOD,
    USD,
    WAD,
    chain_now,
    plain,
)

WINDOW = 5 * 24 * 3600  # close to resolvesBy


@pytest.fixture(scope="module")
def busd(admin):
    return BlocklistUSD.deploy({"from": admin})


@pytest.fixture(scope="module")
def bescrow(nmr, busd, admin, oracle):
    contract = TournamentEscrow.deploy(
        nmr, busd, admin, 0, MAX_RESOLUTION_DELAY, CHALLENGE_WINDOW, DISPUTE_BOND, RULING_PERIOD, {"from": admin}
    )
    contract.grantRole(contract.ORACLE_ROLE(), oracle, {"from": admin})
    return contract


@pytest.fixture(scope="module", autouse=True)
def committed(bescrow, busd, nmr, oracle, treasury, alice, bob):
    """Round 1: $3,000 staking and $1,000 prize pools; alice and bob staked 100 NMR; its
    plan pays each $100 from the staking pool and $50 as a prize; committed, window over."""
    closes_at = chain_now() + 100
    bescrow.createRound(1, closes_at, closes_at + WINDOW, treasury, DATASET_DIGEST, {"from": oracle})
    busd.mint(treasury, 4_000 * USD, {"from": treasury})
    busd.approve(bescrow, 4_000 * USD, {"from": treasury})
    bescrow.fundRound(1, 3_000 * USD, 1_000 * USD, 0, {"from": treasury})
    for staker in (alice, bob):
        nmr.approve(bescrow, 100 * NMR, {"from": staker})
        bescrow.stake(1, 0, 100 * NMR, WAD // 10, HASH, {"from": staker})
    chain.sleep(101)
    bescrow.commitResults(1, RESULTS_DIGEST, batch_hashes([_settlements(alice, bob)], _prizes(alice, bob)),
                          {"from": oracle})
    chain.sleep(CHALLENGE_WINDOW + 1)
    chain.mine()


def _settlements(alice, bob):
    return [(alice.address, 0, 0, 100 * USD, 0, False), (bob.address, 0, 0, 100 * USD, 0, False)]


def _prizes(alice, bob):
    return sorted([(alice.address, 50 * USD, 0), (bob.address, 50 * USD, 0)])


def test_a_refused_reward_becomes_a_credit_and_the_batch_goes_on(bescrow, busd, nmr, oracle, alice, bob):
    busd.setBlocked(bob, True, {"from": bob})
    nmr_before = nmr.balanceOf(bob)
    tx = bescrow.settle(1, _settlements(alice, bob), {"from": oracle})
    assert plain(tx.events["UsdCredited"].values()) == [1, bob, 100 * USD]
    assert busd.balanceOf(alice) == 100 * USD and busd.balanceOf(bob) == 0
    assert nmr.balanceOf(bob) == nmr_before + 100 * NMR  # the NMR stake came back all the same
    assert bescrow.creditOf(1, bob) == 100 * USD
    assert bescrow.getRound(1)["usdCredited"] == 100 * USD
    assert bescrow.accounted(busd) == busd.balanceOf(bescrow)


def test_prizes_and_the_funders_return_credit_refused_payees_too(bescrow, busd, oracle, treasury, alice, bob):
    busd.setBlocked(bob, True, {"from": bob})
    busd.setBlocked(treasury, True, {"from": treasury})
    bescrow.settle(1, _settlements(alice, bob), {"from": oracle})
    tx = bescrow.payPrizes(1, _prizes(alice, bob), {"from": oracle})
    assert plain(tx.events["UsdCredited"].values()) == [1, bob, 50 * USD]
    tx = bescrow.finalize(1, {"from": alice})
    returned = 4_000 * USD - 300 * USD
    assert plain(tx.events["UsdCredited"].values()) == [1, treasury, returned]
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, returned, 0]
    assert bescrow.creditOf(1, bob) == 150 * USD and bescrow.creditOf(1, treasury) == returned
    assert bescrow.accounted(busd) == busd.balanceOf(bescrow) == 150 * USD + returned


def test_the_payee_claims_its_credit_once_it_can_receive(bescrow, busd, oracle, alice, bob):
    busd.setBlocked(bob, True, {"from": bob})
    bescrow.settle(1, _settlements(alice, bob), {"from": oracle})
    busd.setBlocked(bob, False, {"from": bob})
    tx = bescrow.claimCredit(1, bob, {"from": bob})
    assert plain(tx.events["CreditClaimed"].values()) == [1, bob, bob, 100 * USD]
    assert busd.balanceOf(bob) == 100 * USD and bescrow.creditOf(1, bob) == 0
    with brownie.reverts(f"TournamentEscrowNoCredit: 1, {bob.address.lower()}"):
        bescrow.claimCredit(1, bob, {"from": bob})


def test_nobody_else_claims_it_and_the_funder_only_after_resolves_by(bescrow, busd, oracle, treasury, alice, bob):
    busd.setBlocked(bob, True, {"from": bob})
    bescrow.settle(1, _settlements(alice, bob), {"from": oracle})
    for caller in (alice, treasury):
        with brownie.reverts(
            f"TournamentEscrowNotCreditClaimer: 1, {bob.address.lower()}, {caller.address.lower()}"
        ):
            bescrow.claimCredit(1, bob, {"from": caller})
    chain.sleep(WINDOW)
    chain.mine()
    before = busd.balanceOf(treasury)
    tx = bescrow.claimCredit(1, bob, {"from": treasury})
    assert plain(tx.events["CreditClaimed"].values()) == [1, bob, treasury, 100 * USD]
    assert busd.balanceOf(treasury) == before + 100 * USD


def test_a_round_with_a_credit_stays_on_the_books_until_it_is_claimed(bescrow, busd, oracle, alice, bob):
    busd.setBlocked(bob, True, {"from": bob})
    bescrow.settle(1, _settlements(alice, bob), {"from": oracle})
    bescrow.payPrizes(1, _prizes(alice, bob), {"from": oracle})
    bescrow.finalize(1, {"from": alice})
    assert bescrow.accounted(busd) == 150 * USD == busd.balanceOf(bescrow)
    busd.setBlocked(bob, False, {"from": bob})
    bescrow.claimCredit(1, bob, {"from": bob})
    assert bescrow.accounted(busd) == 0 == busd.balanceOf(bescrow)
