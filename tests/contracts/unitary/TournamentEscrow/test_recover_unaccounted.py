"""recoverUnaccounted: the admin recovers NMR or USD sent straight to the escrow (or any
other token), and never a stake, a pool, a dispute bond or a credit: what the escrow owes
({accounted}) is summed over every round whose books are open."""

import brownie
import pytest
from brownie import TestUSD

from tests.contracts.helpers import (
    DISPUTE_BOND,
    NMR,
    NMR_POOL,
    USD,
    USD_PRIZE_POOL,
    USD_STAKING_POOL,
    plain,
)


@pytest.fixture(scope="module", autouse=True)
def rounds(open_round, stake, alice, bob):
    """Round 1 funded with alice's and bob's stakes; round 2 funded, nobody staked."""
    open_round(1)
    open_round(2)
    stake(alice, 100 * NMR)
    stake(bob, 50 * NMR)


def test_what_the_escrow_owes_is_its_stakes_and_pools(escrow, nmr, usd):
    assert escrow.accounted(nmr) == 150 * NMR + 2 * NMR_POOL == nmr.balanceOf(escrow)
    assert escrow.accounted(usd) == 2 * (USD_STAKING_POOL + USD_PRIZE_POOL) == usd.balanceOf(escrow)


def test_nothing_sent_straight_means_nothing_to_recover(escrow, nmr, usd, admin, treasury):
    for token in (nmr, usd):
        with brownie.reverts(f"TournamentEscrowNothingToRecover: {token.address.lower()}"):
            escrow.recoverUnaccounted(token, treasury, {"from": admin})


def test_nmr_and_usd_sent_straight_go_back_and_only_them(escrow, nmr, usd, admin, treasury, rando):
    nmr.transfer(escrow, 7 * NMR, {"from": rando})
    usd.transfer(escrow, 3 * USD, {"from": rando})
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)
    tx = escrow.recoverUnaccounted(nmr, treasury, {"from": admin})
    assert plain(tx.events["TokensRecovered"].values()) == [nmr, treasury, 7 * NMR]
    assert tx.return_value == 7 * NMR
    escrow.recoverUnaccounted(usd, treasury, {"from": admin})
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == (before[0] + 7 * NMR, before[1] + 3 * USD)
    assert nmr.balanceOf(escrow) == escrow.accounted(nmr) and usd.balanceOf(escrow) == escrow.accounted(usd)


def test_an_open_dispute_bond_is_owed(escrow, nmr, rando, admin, treasury, close_round, commit):
    close_round(1)
    commit(1, [[]], [], wait=False)
    nmr.approve(escrow, DISPUTE_BOND, {"from": rando})
    escrow.dispute(1, {"from": rando})
    assert escrow.accounted(nmr) == 150 * NMR + 2 * NMR_POOL + DISPUTE_BOND == nmr.balanceOf(escrow)
    with brownie.reverts(f"TournamentEscrowNothingToRecover: {nmr.address.lower()}"):
        escrow.recoverUnaccounted(nmr, treasury, {"from": admin})


def test_a_finalized_round_owes_only_the_stakes_still_to_withdraw(escrow, nmr, usd, alice, bob, close_round):
    close_round(2, past_deadline=True)
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": alice})
    escrow.finalize(2, {"from": alice})
    assert escrow.accounted(nmr) == 150 * NMR == nmr.balanceOf(escrow)
    assert escrow.accounted(usd) == 0 == usd.balanceOf(escrow)
    escrow.withdrawStake(1, 0, {"from": alice})
    escrow.withdrawStake(1, 0, {"from": bob})
    assert escrow.accounted(nmr) == 0 == nmr.balanceOf(escrow)


def test_any_other_token_is_recovered_whole(escrow, admin, treasury, rando):
    stray = TestUSD.deploy(rando, {"from": rando})
    stray.mint(escrow, 5 * USD, {"from": rando})
    assert escrow.accounted(stray) == 0
    escrow.recoverUnaccounted(stray, treasury, {"from": admin})
    assert stray.balanceOf(treasury) == 5 * USD


def test_zero_recipient_reverts(escrow, nmr, admin):
    with brownie.reverts("TournamentEscrowZeroAddress: "):
        escrow.recoverUnaccounted(nmr, brownie.ZERO_ADDRESS, {"from": admin})
