"""stake: before close only, top-ups add, confidence never falls, hash in the event."""

import brownie
import pytest

NMR = 10**18
WAD = 10**18
HASH_A = b"\xaa" * 32
HASH_B = b"\xbb" * 32


@pytest.fixture(autouse=True)
def round_one(open_round):
    return open_round(1)


def test_first_stake_records_position_and_totals(escrow, nmr, stake, alice):
    before = nmr.balanceOf(alice)
    tx = stake(alice, 100 * NMR, confidence=2 * WAD, submission=HASH_A)
    assert tuple(escrow.getStake(1, alice)) == (100 * NMR, 2 * WAD, 1)
    info = escrow.getRound(1)
    assert (info["totalStaked"], info["stakerCount"]) == (100 * NMR, 1)
    assert nmr.balanceOf(alice) == before - 100 * NMR
    assert list(tx.events["Staked"].values()) == [1, alice, 100 * NMR, 2 * WAD, "0x" + HASH_A.hex()]


def test_top_up_adds_and_replaces_hash(escrow, stake, alice):
    stake(alice, 100 * NMR, submission=HASH_A)
    tx = stake(alice, 40 * NMR, submission=HASH_B)
    assert escrow.getStake(1, alice)["amount"] == 140 * NMR
    assert escrow.getRound(1)["stakerCount"] == 1
    assert escrow.getRound(1)["totalStaked"] == 140 * NMR
    assert tx.events["Staked"]["submissionHash"] == "0x" + HASH_B.hex()


def test_confidence_may_rise(escrow, stake, alice):
    stake(alice, NMR, confidence=WAD)
    stake(alice, NMR, confidence=3 * WAD)
    assert escrow.getStake(1, alice)["confidence"] == 3 * WAD


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
        escrow.stake(1, 0, WAD, HASH_A, {"from": alice})


@pytest.mark.parametrize("confidence", [0, 2**64])
def test_confidence_out_of_range_reverts(escrow, alice, confidence):
    with brownie.reverts(f"TournamentEscrowInvalidConfidence: {confidence}"):
        escrow.stake(1, NMR, confidence, HASH_A, {"from": alice})


def test_amount_beyond_uint96_reverts(escrow, alice):
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**96}"):
        escrow.stake(1, 2**96, WAD, HASH_A, {"from": alice})


def test_stake_without_allowance_reverts(escrow, alice):
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        escrow.stake(1, NMR, WAD, HASH_A, {"from": alice})


def test_stake_beyond_balance_reverts(escrow, nmr, alice):
    balance = nmr.balanceOf(alice)
    nmr.approve(escrow, balance + 1, {"from": alice})
    with brownie.reverts(revert_pattern=r"ERC20InsufficientBalance: .*"):
        escrow.stake(1, balance + 1, WAD, HASH_A, {"from": alice})


def test_stake_while_paused_reverts_and_resumes_after_unpause(escrow, stake, pauser, alice):
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        stake(alice, NMR)
    escrow.unpause({"from": pauser})
    stake(alice, NMR)
    assert escrow.getStake(1, alice)["amount"] == NMR
