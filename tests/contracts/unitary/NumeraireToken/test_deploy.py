"""NumeraireToken's constructor: metadata, the 2017 constants, roles and the schedule's start."""

import brownie
from brownie import NumeraireToken, web3

from tests.contracts.helpers import ADMIN_TRANSFER_DELAY, NMR

CAP = 21_000_000 * NMR
INITIAL = 1_000_000 * NMR
WEEKLY = 96_153_846153846153846153


def test_metadata(nmr):
    assert (nmr.name(), nmr.symbol(), nmr.decimals()) == ("Numeraire", "NMR", 18)


def test_schedule_constants_are_the_2017_ones(nmr):
    assert (nmr.CAP(), nmr.INITIAL_DISBURSEMENT(), nmr.WEEKLY_DISBURSEMENT()) == (CAP, INITIAL, WEEKLY)
    # 5,000,000 NMR a year over 52 weeks, rounded down to the wei.
    assert WEEKLY == 5_000_000 * NMR // 52


def test_constructor_gives_the_admin_both_roles_and_starts_the_schedule(admin, rando):
    token = NumeraireToken.deploy(admin, ADMIN_TRANSFER_DELAY, {"from": admin})
    assert token.defaultAdmin() == admin
    assert token.hasRole(token.DEFAULT_ADMIN_ROLE(), admin)
    assert token.hasRole(token.MINTER_ROLE(), admin)
    assert not token.hasRole(token.MINTER_ROLE(), rando)
    assert token.defaultAdminDelay() == ADMIN_TRANSFER_DELAY
    assert token.deployedAt() == web3.eth.get_block(token.tx.block_number)["timestamp"]
    assert (token.totalSupply(), token.totalMinted(), token.currentWeek()) == (0, 0, 0)
    assert token.mintable() == INITIAL + WEEKLY


def test_role_identifiers(nmr):
    assert bytes(nmr.MINTER_ROLE()) == bytes(web3.keccak(text="MINTER_ROLE"))
    assert bytes(nmr.DEFAULT_ADMIN_ROLE()) == b"\x00" * 32


def test_zero_admin_reverts(admin):
    with brownie.reverts(f"AccessControlInvalidDefaultAdmin: {brownie.ZERO_ADDRESS}"):
        NumeraireToken.deploy(brownie.ZERO_ADDRESS, ADMIN_TRANSFER_DELAY, {"from": admin})


def test_fixture_separates_admin_and_minter(nmr, admin, minter):
    """The suite's deployment: the admin gave its minter role to a dedicated minter."""
    assert nmr.hasRole(nmr.MINTER_ROLE(), minter)
    assert not nmr.hasRole(nmr.MINTER_ROLE(), admin)
    assert nmr.getRoleAdmin(nmr.MINTER_ROLE()) == nmr.DEFAULT_ADMIN_ROLE()
