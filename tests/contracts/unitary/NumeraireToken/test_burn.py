"""burn and burnFrom: supply falls for good."""

import brownie

from tests.contracts.helpers import NMR, plain


def test_burn_lowers_supply_not_minted_total(nmr, alice):
    supply, minted = nmr.totalSupply(), nmr.totalMinted()
    tx = nmr.burn(3 * NMR, {"from": alice})
    assert nmr.totalSupply() == supply - 3 * NMR
    assert nmr.totalMinted() == minted
    assert plain(tx.events["Transfer"].values()) == [alice, brownie.ZERO_ADDRESS, 3 * NMR]


def test_burn_beyond_balance_reverts(nmr, alice):
    balance = nmr.balanceOf(alice)
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, {balance}, {balance + 1}"):
        nmr.burn(balance + 1, {"from": alice})


def test_burn_from_spends_the_allowance(nmr, alice, bob):
    nmr.approve(bob, 2 * NMR, {"from": alice})
    supply = nmr.totalSupply()
    nmr.burnFrom(alice, 2 * NMR, {"from": bob})
    assert nmr.allowance(alice, bob) == 0
    assert nmr.totalSupply() == supply - 2 * NMR
    with brownie.reverts(f"ERC20InsufficientAllowance: {bob.address.lower()}, 0, 1"):
        nmr.burnFrom(alice, 1, {"from": bob})
