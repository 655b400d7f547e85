"""mint: only MINTER_ROLE, at most mintable(); the 2017 weekly schedule without carry-over.

Week 0 allows INITIAL_DISBURSEMENT + WEEKLY_DISBURSEMENT, every later week
WEEKLY_DISBURSEMENT; what a week leaves unminted lapses; the cap bounds all ever minted.
"""

import brownie
import pytest
from brownie import NumeraireToken, chain

from tests.contracts.helpers import (
    ADMIN_TRANSFER_DELAY,
    NMR,
    WEEK,
    chain_now,
    plain,
    role_error,
)

CAP = 21_000_000 * NMR
INITIAL = 1_000_000 * NMR
WEEKLY = 96_153_846153846153846153


@pytest.fixture
def fresh(admin):
    """A token deployed by this test, so its week 0 starts now and nothing is minted."""
    return NumeraireToken.deploy(admin, ADMIN_TRANSFER_DELAY, {"from": admin})


def _to_week(token, week, offset=60):
    """Moves time to `offset` seconds into week `week` of `token`'s schedule."""
    chain.sleep(token.deployedAt() + week * WEEK + offset - chain_now())
    chain.mine()
    assert token.currentWeek() == week


def test_mint_credits_and_counts(fresh, admin, alice):
    tx = fresh.mint(alice, 5 * NMR, {"from": admin})
    assert fresh.balanceOf(alice) == 5 * NMR
    assert fresh.totalMinted() == fresh.totalSupply() == 5 * NMR
    assert fresh.mintable() == INITIAL + WEEKLY - 5 * NMR
    assert plain(tx.events["Transfer"].values()) == [brownie.ZERO_ADDRESS, alice, 5 * NMR]


def test_week_zero_allows_initial_plus_weekly(fresh, admin, alice):
    fresh.mint(alice, INITIAL + WEEKLY, {"from": admin})
    assert fresh.mintable() == 0
    with brownie.reverts("NumeraireTokenMintExceedsSchedule: 1, 0"):
        fresh.mint(alice, 1, {"from": admin})


def test_mint_beyond_schedule_reverts(fresh, admin, alice):
    with brownie.reverts(f"NumeraireTokenMintExceedsSchedule: {INITIAL + WEEKLY + 1}, {INITIAL + WEEKLY}"):
        fresh.mint(alice, INITIAL + WEEKLY + 1, {"from": admin})
    assert fresh.totalMinted() == 0


def test_several_mints_share_a_week(fresh, admin, alice):
    fresh.mint(alice, INITIAL, {"from": admin})
    fresh.mint(alice, WEEKLY // 2, {"from": admin})
    assert fresh.mintable() == WEEKLY - WEEKLY // 2
    with brownie.reverts(f"NumeraireTokenMintExceedsSchedule: {WEEKLY}, {WEEKLY - WEEKLY // 2}"):
        fresh.mint(alice, WEEKLY, {"from": admin})


def test_next_week_allows_the_weekly_disbursement_only(fresh, admin, alice):
    fresh.mint(alice, INITIAL + WEEKLY, {"from": admin})
    chain.sleep(fresh.deployedAt() + WEEK - 30 - chain_now())
    chain.mine()
    assert (fresh.currentWeek(), fresh.mintable()) == (0, 0)
    _to_week(fresh, 1)
    assert fresh.mintable() == WEEKLY
    fresh.mint(alice, WEEKLY, {"from": admin})
    assert fresh.mintable() == 0


def test_unminted_week_zero_does_not_carry_over(fresh, admin, alice):
    """Nothing minted in week 0: week 1 still allows one weekly disbursement."""
    _to_week(fresh, 1)
    assert fresh.mintable() == WEEKLY
    with brownie.reverts(f"NumeraireTokenMintExceedsSchedule: {WEEKLY + 1}, {WEEKLY}"):
        fresh.mint(alice, WEEKLY + 1, {"from": admin})


def test_a_skipped_week_does_not_add_to_the_next(fresh, admin, alice):
    _to_week(fresh, 1)
    fresh.mint(alice, WEEKLY, {"from": admin})
    _to_week(fresh, 3)  # week 2 passed with nothing minted
    assert fresh.mintable() == WEEKLY
    with brownie.reverts(f"NumeraireTokenMintExceedsSchedule: {2 * WEEKLY}, {WEEKLY}"):
        fresh.mint(alice, 2 * WEEKLY, {"from": admin})
    fresh.mint(alice, WEEKLY, {"from": admin})
    assert fresh.totalMinted() == 2 * WEEKLY


def test_a_partly_minted_week_leaves_nothing_behind(fresh, admin, alice):
    _to_week(fresh, 1)
    fresh.mint(alice, NMR, {"from": admin})
    _to_week(fresh, 2)
    assert fresh.mintable() == WEEKLY
    _to_week(fresh, 10)
    assert (fresh.currentWeek(), fresh.mintable(), fresh.totalMinted()) == (10, WEEKLY, NMR)


def test_the_cap_bounds_all_ever_minted(fresh, admin, alice):
    """Minting every week's full allowance: weeks 0..207 mint in full, week 208 the last 176
    wei below the cap (21M - 1M is not a whole number of weekly disbursements); then nothing."""
    last = CAP - INITIAL - 208 * WEEKLY
    assert last == 176
    for week in range(209):
        # No block is mined between the jump and the mint: the mint's own block is in `week`.
        chain.sleep(fresh.deployedAt() + week * WEEK + 60 - chain_now())
        amount = INITIAL + WEEKLY if week == 0 else WEEKLY if week < 208 else last
        # Both test chains mine a transaction as it is sent; not waiting for each receipt
        # keeps Brownie's receipt poll, which can race Anvil and call a mined transaction
        # dropped, out of 209 sends. The totals below are read from the chain.
        fresh.mint(alice, amount, {"from": admin, "silent": True, "required_confs": 0})
    assert fresh.totalMinted() == fresh.totalSupply() == CAP
    assert fresh.currentWeek() == 208
    with brownie.reverts("NumeraireTokenMintExceedsSchedule: 1, 0"):
        fresh.mint(alice, 1, {"from": admin})
    _to_week(fresh, 209)
    assert fresh.mintable() == 0


def test_burning_does_not_free_minting_capacity(fresh, admin, alice):
    fresh.mint(alice, INITIAL + WEEKLY, {"from": admin})
    fresh.burn(INITIAL // 2, {"from": alice})
    assert fresh.totalSupply() == INITIAL // 2 + WEEKLY
    assert fresh.totalMinted() == INITIAL + WEEKLY
    assert fresh.mintable() == 0


def test_mint_by_a_non_minter_reverts(nmr, admin, rando):
    for caller in (rando, admin):  # the suite's admin gave its minter role away
        with brownie.reverts(role_error(caller, nmr.MINTER_ROLE())):
            nmr.mint(rando, 1, {"from": caller})


def test_a_granted_minter_mints_and_a_revoked_one_cannot(nmr, admin, rando):
    nmr.grantRole(nmr.MINTER_ROLE(), rando, {"from": admin})
    nmr.mint(rando, NMR, {"from": rando})
    nmr.revokeRole(nmr.MINTER_ROLE(), rando, {"from": admin})
    with brownie.reverts(role_error(rando, nmr.MINTER_ROLE())):
        nmr.mint(rando, NMR, {"from": rando})
