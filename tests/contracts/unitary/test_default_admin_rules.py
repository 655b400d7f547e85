"""The admin of both contracts changes hands in two steps (OpenZeppelin's
AccessControlDefaultAdminRules): begin, wait the delay, the new admin accepts."""

import brownie
import pytest
from brownie import chain

from tests.contracts.helpers import ADMIN_TRANSFER_DELAY, plain


@pytest.fixture(params=["nmr", "escrow"])
def contract(request, nmr, escrow):
    # Both deployments are requested by name so they exist before the test's snapshot.
    return {"nmr": nmr, "escrow": escrow}[request.param]


def _accept_schedule(contract):
    return contract.pendingDefaultAdmin()[1]


def test_transfer_takes_two_steps_and_the_delay(contract, admin, rando):
    tx = contract.beginDefaultAdminTransfer(rando, {"from": admin})
    schedule = _accept_schedule(contract)
    assert schedule == tx.timestamp + ADMIN_TRANSFER_DELAY
    assert plain(tx.events["DefaultAdminTransferScheduled"].values()) == [rando, schedule]
    assert contract.defaultAdmin() == admin
    with brownie.reverts(f"AccessControlEnforcedDefaultAdminDelay: {schedule}"):
        contract.acceptDefaultAdminTransfer({"from": rando})
    chain.sleep(ADMIN_TRANSFER_DELAY + 1)
    contract.acceptDefaultAdminTransfer({"from": rando})
    assert contract.defaultAdmin() == rando
    assert contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), rando)
    assert not contract.hasRole(contract.DEFAULT_ADMIN_ROLE(), admin)


def test_the_new_admin_governs_the_roles(contract, admin, rando, bob):
    contract.beginDefaultAdminTransfer(rando, {"from": admin})
    chain.sleep(ADMIN_TRANSFER_DELAY + 1)
    contract.acceptDefaultAdminTransfer({"from": rando})
    role = contract.MINTER_ROLE() if hasattr(contract, "MINTER_ROLE") else contract.ORACLE_ROLE()
    contract.grantRole(role, bob, {"from": rando})
    assert contract.hasRole(role, bob)
    with brownie.reverts(f"AccessControlUnauthorizedAccount: {admin.address.lower()}, {bytes(32)!r}"):
        contract.revokeRole(role, bob, {"from": admin})


def test_only_the_pending_admin_accepts(contract, admin, rando, alice):
    contract.beginDefaultAdminTransfer(rando, {"from": admin})
    chain.sleep(ADMIN_TRANSFER_DELAY + 1)
    with brownie.reverts(f"AccessControlInvalidDefaultAdmin: {alice.address.lower()}"):
        contract.acceptDefaultAdminTransfer({"from": alice})


def test_a_cancelled_transfer_cannot_be_accepted(contract, admin, rando):
    contract.beginDefaultAdminTransfer(rando, {"from": admin})
    contract.cancelDefaultAdminTransfer({"from": admin})
    chain.sleep(ADMIN_TRANSFER_DELAY + 1)
    with brownie.reverts(f"AccessControlInvalidDefaultAdmin: {rando.address.lower()}"):
        contract.acceptDefaultAdminTransfer({"from": rando})
    assert contract.defaultAdmin() == admin


def test_admin_role_cannot_be_granted_or_revoked_directly(contract, admin, rando):
    with brownie.reverts("AccessControlEnforcedDefaultAdminRules: "):
        contract.grantRole(contract.DEFAULT_ADMIN_ROLE(), rando, {"from": admin})
    with brownie.reverts("AccessControlEnforcedDefaultAdminRules: "):
        contract.revokeRole(contract.DEFAULT_ADMIN_ROLE(), admin, {"from": admin})


def test_renouncing_the_admin_role_also_takes_two_steps(contract, admin):
    schedule_error = "AccessControlEnforcedDefaultAdminDelay: 0"
    with brownie.reverts(schedule_error):
        contract.renounceRole(contract.DEFAULT_ADMIN_ROLE(), admin, {"from": admin})
    contract.beginDefaultAdminTransfer(brownie.ZERO_ADDRESS, {"from": admin})
    chain.sleep(ADMIN_TRANSFER_DELAY + 1)
    contract.renounceRole(contract.DEFAULT_ADMIN_ROLE(), admin, {"from": admin})
    assert contract.defaultAdmin() == brownie.ZERO_ADDRESS


def test_only_the_admin_begins_a_transfer(contract, oracle, rando):
    with brownie.reverts(f"AccessControlUnauthorizedAccount: {rando.address.lower()}, {bytes(32)!r}"):
        contract.beginDefaultAdminTransfer(rando, {"from": rando})
