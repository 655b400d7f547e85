"""Deployment, treasury, pausing and the two-step admin transfer."""

import brownie
from brownie import TournamentEscrow, chain

DELAY = 3 * 24 * 3600


def test_deployment_wires_token_treasury_and_roles(escrow, nmr, admin, oracle, pauser, treasury):
    assert escrow.token() == nmr
    assert escrow.treasury() == treasury
    assert escrow.owner() == admin
    assert escrow.hasRole(escrow.ORACLE_ROLE(), oracle)
    assert escrow.hasRole(escrow.PAUSER_ROLE(), pauser)
    assert not escrow.hasRole(escrow.ORACLE_ROLE(), admin)


def test_deployment_with_zero_addresses_reverts(nmr, admin):
    with brownie.reverts("TournamentEscrowZeroAddress: "):
        TournamentEscrow.deploy(nmr, admin, brownie.ZERO_ADDRESS, DELAY, {"from": admin})
    with brownie.reverts("TournamentEscrowZeroAddress: "):
        TournamentEscrow.deploy(brownie.ZERO_ADDRESS, admin, admin, DELAY, {"from": admin})


def test_set_treasury(escrow, admin, treasury, rando):
    tx = escrow.setTreasury(rando, {"from": admin})
    assert escrow.treasury() == rando
    assert list(tx.events["TreasuryChanged"].values()) == [treasury, rando]


def test_set_treasury_to_zero_reverts(escrow, admin):
    with brownie.reverts("TournamentEscrowZeroAddress: "):
        escrow.setTreasury(brownie.ZERO_ADDRESS, {"from": admin})


def test_pause_and_unpause_emit(escrow, pauser):
    tx = escrow.pause({"from": pauser})
    assert escrow.paused() and "Paused" in tx.events
    tx = escrow.unpause({"from": pauser})
    assert not escrow.paused() and "Unpaused" in tx.events


def test_admin_transfer_takes_two_steps_and_the_delay(escrow, admin, rando):
    escrow.beginDefaultAdminTransfer(rando, {"from": admin})
    assert escrow.owner() == admin
    with brownie.reverts(revert_pattern=r"AccessControlEnforcedDefaultAdminDelay: \d+"):
        escrow.acceptDefaultAdminTransfer({"from": rando})
    chain.sleep(DELAY + 1)
    chain.mine()
    escrow.acceptDefaultAdminTransfer({"from": rando})
    assert escrow.owner() == rando
    assert not escrow.hasRole(escrow.DEFAULT_ADMIN_ROLE(), admin)


def test_only_the_pending_admin_accepts(escrow, admin, rando, alice):
    escrow.beginDefaultAdminTransfer(rando, {"from": admin})
    chain.sleep(DELAY + 1)
    with brownie.reverts(revert_pattern=r"AccessControlInvalidDefaultAdmin: .*"):
        escrow.acceptDefaultAdminTransfer({"from": alice})


def test_admin_role_cannot_be_granted_directly(escrow, admin, rando):
    with brownie.reverts("AccessControlEnforcedDefaultAdminRules: "):
        escrow.grantRole(escrow.DEFAULT_ADMIN_ROLE(), rando, {"from": admin})
