"""TestUSD: a 6-decimal stand-in stablecoin that only its owner mints."""

import brownie
from brownie import TestUSD

from tests.contracts.helpers import USD, plain


def test_metadata(usd, admin):
    assert (usd.name(), usd.symbol(), usd.decimals()) == ("Test USD", "tUSD", 6)
    assert usd.owner() == admin


def test_owner_mints(usd, admin, rando):
    before, supply = usd.balanceOf(rando), usd.totalSupply()
    tx = usd.mint(rando, 5 * USD, {"from": admin})
    assert usd.balanceOf(rando) == before + 5 * USD
    assert usd.totalSupply() == supply + 5 * USD
    assert plain(tx.events["Transfer"].values()) == [brownie.ZERO_ADDRESS, rando, 5 * USD]


def test_others_cannot_mint(usd, rando):
    with brownie.reverts(f"OwnableUnauthorizedAccount: {rando.address.lower()}"):
        usd.mint(rando, 1, {"from": rando})


def test_zero_owner_reverts(admin):
    with brownie.reverts(f"OwnableInvalidOwner: {brownie.ZERO_ADDRESS}"):
        TestUSD.deploy(brownie.ZERO_ADDRESS, {"from": admin})
