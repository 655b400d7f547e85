"""stakeWithPermit: one signature and one transaction; a spent permit still works."""

import brownie
import pytest

NMR = 10**18
WAD = 10**18
HASH = b"\xcc" * 32


@pytest.fixture(autouse=True)
def round_one(open_round):
    return open_round(1)


def test_stake_with_permit_stakes_without_prior_approve(escrow, nmr, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    tx = escrow.stakeWithPermit(1, 30 * NMR, WAD, HASH, deadline, v, r, s, {"from": staker})
    assert escrow.getStake(1, staker)["amount"] == 30 * NMR
    assert nmr.allowance(staker, escrow) == 0
    assert nmr.nonces(staker) == 1
    assert tx.events["Staked"]["amount"] == 30 * NMR


def test_front_run_permit_still_stakes(escrow, nmr, permit_staker, sign_permit, rando):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    nmr.permit(staker, escrow, 30 * NMR, deadline, v, r, s, {"from": rando})
    escrow.stakeWithPermit(1, 30 * NMR, WAD, HASH, deadline, v, r, s, {"from": staker})
    assert escrow.getStake(1, staker)["amount"] == 30 * NMR


def test_bad_signature_without_allowance_reverts(escrow, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        escrow.stakeWithPermit(1, 31 * NMR, WAD, HASH, deadline, v, r, s, {"from": staker})


def test_permit_stake_after_close_reverts(escrow, permit_staker, sign_permit, close_round):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR, deadline=2**40)
    close_round(1)
    with brownie.reverts(revert_pattern=r"TournamentEscrowRoundClosed: 1, \d+"):
        escrow.stakeWithPermit(1, NMR, WAD, HASH, deadline, v, r, s, {"from": staker})


def test_permit_stake_while_paused_reverts(escrow, permit_staker, sign_permit, pauser):
    key, staker = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR)
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        escrow.stakeWithPermit(1, NMR, WAD, HASH, deadline, v, r, s, {"from": staker})
