"""stakeWithPermit: one signature and one transaction; a spent permit still works."""

import brownie
import pytest

from tests.contracts.helpers import ACTIVE, NMR, WAD, plain

HASH = b"\xcc" * 32


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round):
    return open_round(1)


def test_stake_with_permit_stakes_without_prior_approve(escrow, nmr, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    tx = escrow.stakeWithPermit(1, 0, 30 * NMR, 2 * WAD, HASH, deadline, v, r, s, {"from": staker})
    assert plain(escrow.getStake(1, staker, 0)) == [30 * NMR, 2 * WAD, ACTIVE, False]
    assert nmr.allowance(staker, escrow) == 0
    assert nmr.nonces(staker) == 1
    assert plain(tx.events["Staked"].values()) == [1, staker, 0, 30 * NMR, 2 * WAD, "0x" + HASH.hex()]
    assert plain(tx.events["Approval"][0].values()) == [staker, escrow, 30 * NMR]


def test_permit_top_up(escrow, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    for amount in (10 * NMR, 5 * NMR):
        deadline, v, r, s = sign_permit(key, amount)
        escrow.stakeWithPermit(1, 0, amount, WAD, HASH, deadline, v, r, s, {"from": staker})
    assert escrow.getStake(1, staker, 0)["amount"] == 15 * NMR
    assert escrow.getRound(1)["stakerCount"] == 1


def test_front_run_permit_still_stakes(escrow, nmr, permit_staker, sign_permit, rando):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    nmr.permit(staker, escrow, 30 * NMR, deadline, v, r, s, {"from": rando})
    escrow.stakeWithPermit(1, 0, 30 * NMR, WAD, HASH, deadline, v, r, s, {"from": staker})
    assert escrow.getStake(1, staker, 0)["amount"] == 30 * NMR


def test_bad_signature_with_an_allowance_still_stakes(escrow, nmr, alice):
    """The permit is a convenience: a caller who approved beforehand needs no valid one."""
    nmr.approve(escrow, NMR, {"from": alice})
    escrow.stakeWithPermit(1, 0, NMR, WAD, HASH, 0, 27, b"\x00" * 32, b"\x00" * 32, {"from": alice})
    assert escrow.getStake(1, alice, 0)["amount"] == NMR


def test_bad_signature_without_allowance_reverts(escrow, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    with brownie.reverts(f"ERC20InsufficientAllowance: {escrow.address.lower()}, 0, {31 * NMR}"):
        escrow.stakeWithPermit(1, 0, 31 * NMR, WAD, HASH, deadline, v, r, s, {"from": staker})


def test_permit_signed_for_another_caller_does_not_help(escrow, permit_staker, sign_permit, alice):
    key, _ = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR)
    with brownie.reverts(f"ERC20InsufficientAllowance: {escrow.address.lower()}, 0, {NMR}"):
        escrow.stakeWithPermit(1, 0, NMR, WAD, HASH, deadline, v, r, s, {"from": alice})


def test_permit_stake_with_zero_hash_reverts(escrow, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR)
    with brownie.reverts("TournamentEscrowZeroSubmissionHash: "):
        escrow.stakeWithPermit(1, 0, NMR, WAD, b"\x00" * 32, deadline, v, r, s, {"from": staker})


def test_permit_stake_after_close_reverts(escrow, permit_staker, sign_permit, close_round):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR, deadline=2**40)
    close_round(1)
    closes_at = escrow.getRound(1)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundClosed: 1, {closes_at}"):
        escrow.stakeWithPermit(1, 0, NMR, WAD, HASH, deadline, v, r, s, {"from": staker})


def test_permit_stake_while_paused_reverts(escrow, permit_staker, sign_permit, pauser):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR)
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        escrow.stakeWithPermit(1, 0, NMR, WAD, HASH, deadline, v, r, s, {"from": staker})
