"""NumeraireToken: metadata, the weekly mint schedule and its cap, burning, permit."""

import brownie
import pytest
from brownie import NumeraireToken, chain

NMR = 10**18
WEEK = 7 * 24 * 3600
CAP = 21_000_000 * NMR
INITIAL = 1_000_000 * NMR
WEEKLY = 96_153_846153846153846153


@pytest.fixture
def fresh(admin):
    return NumeraireToken.deploy(admin, {"from": admin})


def test_metadata(nmr):
    assert (nmr.name(), nmr.symbol(), nmr.decimals()) == ("Numeraire", "NMR", 18)
    assert (nmr.CAP(), nmr.INITIAL_DISBURSEMENT(), nmr.WEEKLY_DISBURSEMENT()) == (CAP, INITIAL, WEEKLY)


def test_admin_holds_admin_and_minter_roles(nmr, admin, rando):
    assert nmr.hasRole(nmr.DEFAULT_ADMIN_ROLE(), admin)
    assert nmr.hasRole(nmr.MINTER_ROLE(), admin)
    assert not nmr.hasRole(nmr.MINTER_ROLE(), rando)


def test_initial_disbursement_mintable_at_deployment(fresh):
    assert fresh.mintable() == INITIAL
    assert fresh.totalSupply() == 0


def test_mint_moves_supply_and_minted_total(fresh, admin, alice):
    tx = fresh.mint(alice, 5 * NMR, {"from": admin})
    assert fresh.balanceOf(alice) == 5 * NMR
    assert fresh.totalMinted() == fresh.totalSupply() == 5 * NMR
    assert fresh.mintable() == INITIAL - 5 * NMR
    assert list(tx.events["Transfer"].values()) == [brownie.ZERO_ADDRESS, alice, 5 * NMR]


def test_mint_beyond_schedule_reverts(fresh, admin, alice):
    with brownie.reverts(f"NumeraireTokenMintExceedsSchedule: {INITIAL + 1}, {INITIAL}"):
        fresh.mint(alice, INITIAL + 1, {"from": admin})


def test_each_whole_week_releases_the_weekly_disbursement(fresh, admin, alice):
    fresh.mint(alice, INITIAL, {"from": admin})
    assert fresh.mintable() == 0
    chain.sleep(WEEK - 60)
    chain.mine()
    assert fresh.mintable() == 0
    chain.sleep(120)
    chain.mine()
    assert fresh.mintable() == WEEKLY
    chain.sleep(2 * WEEK)
    chain.mine()
    assert fresh.mintable() == 3 * WEEKLY


def test_schedule_reaches_the_cap_and_stops(fresh, admin, alice):
    chain.sleep(300 * WEEK)
    chain.mine()
    assert fresh.mintable() == CAP
    fresh.mint(alice, CAP, {"from": admin})
    assert fresh.totalSupply() == CAP
    with brownie.reverts("NumeraireTokenMintExceedsSchedule: 1, 0"):
        fresh.mint(alice, 1, {"from": admin})


def test_burning_does_not_free_minting_capacity(fresh, admin, alice):
    fresh.mint(alice, INITIAL, {"from": admin})
    fresh.burn(INITIAL // 2, {"from": alice})
    assert fresh.totalSupply() == INITIAL // 2
    assert fresh.totalMinted() == INITIAL
    assert fresh.mintable() == 0


def test_mint_by_non_minter_reverts(nmr, rando):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        nmr.mint(rando, 1, {"from": rando})


def test_burn_lowers_total_supply(nmr, alice):
    supply = nmr.totalSupply()
    tx = nmr.burn(3 * NMR, {"from": alice})
    assert nmr.totalSupply() == supply - 3 * NMR
    assert list(tx.events["Transfer"].values()) == [alice, brownie.ZERO_ADDRESS, 3 * NMR]


def test_burn_from_spends_allowance(nmr, alice, bob):
    nmr.approve(bob, 2 * NMR, {"from": alice})
    nmr.burnFrom(alice, 2 * NMR, {"from": bob})
    assert nmr.allowance(alice, bob) == 0
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        nmr.burnFrom(alice, 1, {"from": bob})


def test_permit_sets_allowance_and_nonce(nmr, permit_staker, sign_permit, bob):
    key, owner = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 7 * NMR, spender=bob)
    nmr.permit(owner, bob, 7 * NMR, deadline, v, r, s, {"from": bob})
    assert nmr.allowance(owner, bob) == 7 * NMR
    assert nmr.nonces(owner) == 1


def test_expired_permit_reverts(nmr, permit_staker, sign_permit, bob):
    key, owner = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR, spender=bob, deadline=chain.time() - 1)
    with brownie.reverts(revert_pattern=r"ERC2612ExpiredSignature: .*"):
        nmr.permit(owner, bob, NMR, deadline, v, r, s, {"from": bob})
