"""TournamentEscrow's constructor and views: tokens, the USD unit, the resolution bound, roles."""

import brownie
from brownie import NumeraireToken, TournamentEscrow, web3

from tests.contracts.helpers import (
    ADMIN_TRANSFER_DELAY,
    MAX_RESOLUTION_DELAY,
    NMR,
    WAD,
    plain,
)


def test_deployment_wires_tokens_bound_and_roles(escrow, nmr, usd, admin, oracle, pauser):
    assert (escrow.token(), escrow.usd()) == (nmr, usd)
    assert escrow.maxResolutionDelay() == MAX_RESOLUTION_DELAY
    assert escrow.MAX_PRIZE_WINNERS() == 100
    assert escrow.defaultAdmin() == admin
    assert escrow.defaultAdminDelay() == ADMIN_TRANSFER_DELAY
    assert escrow.hasRole(escrow.ORACLE_ROLE(), oracle)
    assert escrow.hasRole(escrow.PAUSER_ROLE(), pauser)
    assert not escrow.hasRole(escrow.ORACLE_ROLE(), admin)
    assert not escrow.hasRole(escrow.PAUSER_ROLE(), admin)
    assert not escrow.paused()


def test_role_identifiers(escrow):
    assert bytes(escrow.ORACLE_ROLE()) == bytes(web3.keccak(text="ORACLE_ROLE"))
    assert bytes(escrow.PAUSER_ROLE()) == bytes(web3.keccak(text="PAUSER_ROLE"))


def test_unknown_round_and_stake_read_as_zero(escrow, alice):
    assert plain(escrow.getRound(5)) == [0, 0, brownie.ZERO_ADDRESS] + [0] * 11 + [0, 0]
    assert plain(escrow.getStake(5, alice)) == [0, 0, 0]


def test_zero_token_addresses_revert(nmr, usd, admin):
    for tokens in [(brownie.ZERO_ADDRESS, usd), (nmr, brownie.ZERO_ADDRESS)]:
        with brownie.reverts("TournamentEscrowZeroAddress: "):
            TournamentEscrow.deploy(*tokens, admin, ADMIN_TRANSFER_DELAY, MAX_RESOLUTION_DELAY, {"from": admin})


def test_zero_admin_reverts(nmr, usd, admin):
    with brownie.reverts(f"AccessControlInvalidDefaultAdmin: {brownie.ZERO_ADDRESS}"):
        TournamentEscrow.deploy(nmr, usd, brownie.ZERO_ADDRESS, 0, MAX_RESOLUTION_DELAY, {"from": admin})


def test_resolution_delay_out_of_range_reverts(nmr, usd, admin):
    for delay in (0, 2**40):
        with brownie.reverts(f"TournamentEscrowInvalidSchedule: 0, {delay}"):
            TournamentEscrow.deploy(nmr, usd, admin, 0, delay, {"from": admin})


def test_widest_resolution_delay_is_accepted(nmr, usd, admin):
    contract = TournamentEscrow.deploy(nmr, usd, admin, 0, 2**40 - 1, {"from": admin})
    assert contract.maxResolutionDelay() == 2**40 - 1


def test_bid_unit_follows_the_stablecoin_decimals(nmr, admin, alice, minter):
    """With an 18-decimal 'dollar' the bid of 1 NMR at confidence 1 is 1e18 units, not 1e6."""
    dollar = NumeraireToken.deploy(admin, 0, {"from": admin})
    contract = TournamentEscrow.deploy(nmr, dollar, admin, 0, MAX_RESOLUTION_DELAY, {"from": admin})
    contract.grantRole(contract.ORACLE_ROLE(), admin, {"from": admin})
    closes_at = web3.eth.get_block("latest")["timestamp"] + 100
    contract.createRound(1, closes_at, closes_at + 100, {"from": admin})
    dollar.approve(contract, 10 * NMR, {"from": admin})
    dollar.mint(admin, 10 * NMR, {"from": admin})
    contract.fundRound(1, 10 * NMR, 0, 0, {"from": admin})
    nmr.approve(contract, NMR, {"from": alice})
    contract.stake(1, NMR, WAD, b"\x01" * 32, {"from": alice})
    brownie.chain.sleep(101)
    with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {alice.address.lower()}, {NMR + 1}, {NMR}"):
        contract.settle(1, [(alice, 0, NMR + 1, 0)], {"from": admin})
    contract.settle(1, [(alice, 0, NMR, 0)], {"from": admin})
    assert dollar.balanceOf(alice) == NMR
