"""stake: before close only, top-ups add, confidence never falls, the hash is in the event."""

import brownie
import pytest

from tests.contracts.helpers import ACTIVE, NMR, WAD, plain

HASH_A = b"\xaa" * 32
HASH_B = b"\xbb" * 32


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round):
    return open_round(1)


def test_first_stake_records_position_and_totals(escrow, nmr, stake, alice):
    before, held = nmr.balanceOf(alice), nmr.balanceOf(escrow)
    tx = stake(alice, 100 * NMR, confidence=2 * WAD, submission=HASH_A)
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, False]
    info = escrow.getRound(1)
    assert (info["totalStaked"], info["stakerCount"], info["settledCount"]) == (100 * NMR, 1, 0)
    assert nmr.balanceOf(alice) == before - 100 * NMR
    assert nmr.balanceOf(escrow) == held + 100 * NMR
    assert plain(tx.events["Staked"].values()) == [1, alice, 0, 100 * NMR, 2 * WAD, "0x" + HASH_A.hex()]
    assert nmr.allowance(alice, escrow) == 0


def test_top_up_adds_and_replaces_hash(escrow, stake, alice):
    stake(alice, 100 * NMR, submission=HASH_A)
    tx = stake(alice, 40 * NMR, submission=HASH_B)
    assert escrow.getStake(1, alice, 0)["amount"] == 140 * NMR
    info = escrow.getRound(1)
    assert (info["stakerCount"], info["totalStaked"]) == (1, 140 * NMR)
    # The event carries the added amount; the latest hash is the committed one.
    assert plain(tx.events["Staked"].values()) == [1, alice, 0, 40 * NMR, WAD, "0x" + HASH_B.hex()]


def test_confidence_may_rise(escrow, stake, alice):
    stake(alice, NMR, confidence=WAD)
    stake(alice, NMR, confidence=3 * WAD)
    assert escrow.getStake(1, alice, 0)["confidence"] == 3 * WAD


def test_confidence_may_stay(escrow, stake, alice):
    stake(alice, NMR, confidence=3 * WAD)
    stake(alice, NMR, confidence=3 * WAD)
    assert plain(escrow.getStake(1, alice, 0)) == [2 * NMR, 3 * WAD, ACTIVE, False]


def test_confidence_may_not_fall(escrow, stake, alice):
    stake(alice, NMR, confidence=2 * WAD)
    with brownie.reverts(f"TournamentEscrowConfidenceLowered: 1, {2 * WAD}, {WAD}"):
        stake(alice, NMR, confidence=WAD)


def test_stakers_are_counted_once_each(escrow, stake, alice, bob):
    stake(alice, NMR)
    stake(bob, 2 * NMR)
    stake(alice, NMR)
    info = escrow.getRound(1)
    assert (info["stakerCount"], info["totalStaked"]) == (2, 4 * NMR)


def test_stakes_in_two_rounds_are_separate(escrow, stake, open_round, alice):
    open_round(2)
    stake(alice, NMR, round_id=1)
    stake(alice, 5 * NMR, confidence=9 * WAD, round_id=2)
    assert plain(escrow.getStake(1, alice, 0)) == [NMR, WAD, ACTIVE, False]
    assert plain(escrow.getStake(2, alice, 0)) == [5 * NMR, 9 * WAD, ACTIVE, False]


def test_a_round_nobody_funded_takes_stakes(escrow, stake, create_round, alice):
    create_round(2)
    stake(alice, NMR, round_id=2)
    assert escrow.getRound(2)["totalStaked"] == NMR


def test_stake_after_close_reverts(escrow, stake, close_round, alice):
    close_round(1)
    closes_at = escrow.getRound(1)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundClosed: 1, {closes_at}"):
        stake(alice, NMR)


def test_stake_on_unknown_round_reverts(stake, alice):
    with brownie.reverts("TournamentEscrowUnknownRound: 9"):
        stake(alice, NMR, round_id=9)


def test_zero_amount_reverts(escrow, alice):
    with brownie.reverts("TournamentEscrowZeroAmount: "):
        escrow.stake(1, 0, 0, WAD, HASH_A, {"from": alice})


def test_zero_submission_hash_reverts(escrow, stake, alice):
    with brownie.reverts("TournamentEscrowZeroSubmissionHash: "):
        stake(alice, NMR, submission=b"\x00" * 32)


@pytest.mark.parametrize("confidence", [0, 2**64])
def test_confidence_out_of_range_reverts(escrow, alice, confidence):
    with brownie.reverts(f"TournamentEscrowInvalidConfidence: {confidence}"):
        escrow.stake(1, 0, NMR, confidence, HASH_A, {"from": alice})


def test_widest_confidence_is_accepted(escrow, stake, alice):
    stake(alice, NMR, confidence=2**64 - 1)
    assert escrow.getStake(1, alice, 0)["confidence"] == 2**64 - 1


def test_amount_beyond_uint96_reverts(escrow, alice):
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**96}"):
        escrow.stake(1, 0, 2**96, WAD, HASH_A, {"from": alice})


def test_top_up_beyond_uint96_reverts(escrow, stake, alice):
    stake(alice, NMR)
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**96 - 1 + NMR}"):
        escrow.stake(1, 0, 2**96 - 1, WAD, HASH_A, {"from": alice})


def test_stake_without_allowance_reverts(escrow, alice):
    with brownie.reverts(f"ERC20InsufficientAllowance: {escrow.address.lower()}, 0, {NMR}"):
        escrow.stake(1, 0, NMR, WAD, HASH_A, {"from": alice})


def test_stake_beyond_balance_reverts(escrow, nmr, alice):
    balance = nmr.balanceOf(alice)
    nmr.approve(escrow, balance + 1, {"from": alice})
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, {balance}, {balance + 1}"):
        escrow.stake(1, 0, balance + 1, WAD, HASH_A, {"from": alice})


def test_stake_while_paused_reverts_and_resumes_after_unpause(escrow, stake, pauser, alice):
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        stake(alice, NMR)
    escrow.unpause({"from": pauser})
    stake(alice, NMR)
    assert escrow.getStake(1, alice, 0)["amount"] == NMR


def test_huge_top_up_gets_the_error_not_an_overflow(escrow, stake, alice):
    stake(alice, NMR)
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**256 - 1}"):
        escrow.stake(1, 0, 2**256 - 1, WAD, HASH_A, {"from": alice})


def test_top_up_keeps_the_position_active(escrow, stake, alice):
    stake(alice, NMR)
    stake(alice, NMR, confidence=2 * WAD)
    assert plain(escrow.getStake(1, alice, 0)) == [2 * NMR, 2 * WAD, ACTIVE, False]
