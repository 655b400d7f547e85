"""dispute: during a committed round's challenge window anyone locks a bond of NMR; one
open dispute at a time; settlement waits for the guardian's ruling."""

import brownie
import pytest
from brownie import chain

from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DISPUTE_BOND,
    NMR,
    chain_now,
    plain,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, close_round, alice):
    """Round 1 with the default pools; alice staked 100 NMR; closed."""
    open_round(1)
    stake(alice, 100 * NMR)
    close_round(1)


@pytest.fixture
def committed(commit, alice):
    """Round 1's plan committed, the challenge window running."""
    return commit(1, [[(alice.address, 0, 0, 0, 0, False)]], [], wait=False)


def _approve(nmr, escrow, who, amount=DISPUTE_BOND):
    nmr.approve(escrow, amount, {"from": who})


def test_dispute_locks_the_bond(escrow, nmr, rando, committed):
    _approve(nmr, escrow, rando)
    before, held = nmr.balanceOf(rando), nmr.balanceOf(escrow)
    tx = escrow.dispute(1, {"from": rando})
    assert nmr.balanceOf(rando) == before - DISPUTE_BOND
    assert nmr.balanceOf(escrow) == held + DISPUTE_BOND
    assert plain(tx.events["Disputed"].values()) == [1, rando, DISPUTE_BOND]
    assert escrow.getRound(1)["disputer"] == rando


def test_a_staker_may_dispute_too(escrow, nmr, alice, committed):
    _approve(nmr, escrow, alice)
    escrow.dispute(1, {"from": alice})
    assert escrow.getRound(1)["disputer"] == alice


def test_dispute_works_while_paused(escrow, nmr, pauser, rando, committed):
    """The pauser cannot silence a challenge."""
    escrow.pause({"from": pauser})
    _approve(nmr, escrow, rando)
    escrow.dispute(1, {"from": rando})
    assert escrow.getRound(1)["disputer"] == rando


def test_dispute_on_the_last_second_of_the_window(escrow, nmr, rando, committed):
    ends = escrow.getRound(1)["challengeEndsAt"]
    _approve(nmr, escrow, rando)
    chain.sleep(ends - chain_now() - 2)
    tx = escrow.dispute(1, {"from": rando})
    assert tx.timestamp < ends


def test_dispute_after_the_window_reverts(escrow, nmr, rando, committed):
    ends = escrow.getRound(1)["challengeEndsAt"]
    _approve(nmr, escrow, rando)
    chain.sleep(CHALLENGE_WINDOW + 1)
    with brownie.reverts(f"TournamentEscrowChallengeWindowOver: 1, {ends}"):
        escrow.dispute(1, {"from": rando})


def test_second_dispute_reverts(escrow, nmr, rando, sponsor, committed):
    _approve(nmr, escrow, rando)
    escrow.dispute(1, {"from": rando})
    _approve(nmr, escrow, sponsor)
    with brownie.reverts(f"TournamentEscrowAlreadyDisputed: 1, {rando.address.lower()}"):
        escrow.dispute(1, {"from": sponsor})


def test_dispute_before_commit_reverts(escrow, rando):
    with brownie.reverts("TournamentEscrowNotCommitted: 1"):
        escrow.dispute(1, {"from": rando})


def test_unknown_round_reverts(escrow, rando):
    with brownie.reverts("TournamentEscrowUnknownRound: 5"):
        escrow.dispute(5, {"from": rando})


def test_dispute_of_a_voided_round_reverts(escrow, nmr, rando, sponsor, guardian, committed):
    _approve(nmr, escrow, rando)
    escrow.dispute(1, {"from": rando})
    escrow.rule(1, True, {"from": guardian})
    _approve(nmr, escrow, sponsor)
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.dispute(1, {"from": sponsor})


def test_dispute_without_allowance_reverts(escrow, rando, committed):
    with brownie.reverts(f"ERC20InsufficientAllowance: {escrow.address.lower()}, 0, {DISPUTE_BOND}"):
        escrow.dispute(1, {"from": rando})
    assert escrow.getRound(1)["disputer"] == brownie.ZERO_ADDRESS
