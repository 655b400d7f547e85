"""TournamentEscrow's constructor and views: tokens, the USD unit, the resolution bound, the
challenge window, the dispute bond, roles (the guardian apart from the oracle)."""

import brownie
from brownie import NumeraireToken, TournamentEscrow, web3

from client.core.money.batches import batch_hashes
from tests.contracts.helpers import (
    ADMIN_TRANSFER_DELAY,
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DISPUTE_BOND,
    MAX_RESOLUTION_DELAY,
    NMR,
    RESULTS_DIGEST,
    RULING_PERIOD,
    WAD,
    plain,
)


def _deploy(nmr, usd, admin, delay=MAX_RESOLUTION_DELAY, window=CHALLENGE_WINDOW, bond=DISPUTE_BOND, admin_delay=0,
            ruling=RULING_PERIOD):
    return TournamentEscrow.deploy(nmr, usd, admin, admin_delay, delay, window, bond, ruling, {"from": admin})


def test_deployment_wires_tokens_bound_and_roles(escrow, nmr, usd, admin, oracle, pauser, guardian):
    assert (escrow.token(), escrow.usd()) == (nmr, usd)
    assert escrow.maxResolutionDelay() == MAX_RESOLUTION_DELAY
    assert (escrow.challengeWindow(), escrow.disputeBond()) == (CHALLENGE_WINDOW, DISPUTE_BOND)
    assert escrow.rulingPeriod() == RULING_PERIOD
    assert escrow.MAX_COMMITTED_BATCHES() == 256
    assert escrow.hasRole(escrow.GUARDIAN_ROLE(), guardian)
    assert not escrow.hasRole(escrow.GUARDIAN_ROLE(), oracle)
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
    assert bytes(escrow.GUARDIAN_ROLE()) == bytes(web3.keccak(text="GUARDIAN_ROLE"))


def test_the_oracle_cannot_be_made_guardian(escrow, admin, oracle, guardian):
    """The guardian checks the oracle's plan, so one key never holds both roles."""
    guardian_role, oracle_role = escrow.GUARDIAN_ROLE(), escrow.ORACLE_ROLE()
    with brownie.reverts(f"TournamentEscrowRoleConflict: {oracle.address.lower()}, {bytes(guardian_role)!r}"):
        escrow.grantRole(guardian_role, oracle, {"from": admin})
    with brownie.reverts(f"TournamentEscrowRoleConflict: {guardian.address.lower()}, {bytes(oracle_role)!r}"):
        escrow.grantRole(oracle_role, guardian, {"from": admin})


def test_unknown_round_and_stake_read_as_zero(escrow, alice):
    assert plain(escrow.getRound(5))[:16] == [0, 0, brownie.ZERO_ADDRESS] + [0] * 11 + [0, 0]
    assert escrow.getRound(5)["batchCount"] == 0 and list(escrow.committedBatches(5)) == []
    assert plain(escrow.getStake(5, alice, 0)) == [0, 0, 0, False]


def test_zero_token_addresses_revert(nmr, usd, admin):
    for tokens in [(brownie.ZERO_ADDRESS, usd), (nmr, brownie.ZERO_ADDRESS)]:
        with brownie.reverts("TournamentEscrowZeroAddress: "):
            _deploy(*tokens, admin, admin_delay=ADMIN_TRANSFER_DELAY)


def test_zero_admin_reverts(nmr, usd, admin):
    with brownie.reverts(f"AccessControlInvalidDefaultAdmin: {brownie.ZERO_ADDRESS}"):
        TournamentEscrow.deploy(
            nmr, usd, brownie.ZERO_ADDRESS, 0, MAX_RESOLUTION_DELAY, CHALLENGE_WINDOW, DISPUTE_BOND, RULING_PERIOD,
            {"from": admin},
        )


def test_resolution_delay_out_of_range_reverts(nmr, usd, admin):
    for delay in (0, 2**40):
        with brownie.reverts(f"TournamentEscrowInvalidSchedule: 0, {delay}"):
            _deploy(nmr, usd, admin, delay=delay)


def test_widest_resolution_delay_is_accepted(nmr, usd, admin):
    contract = _deploy(nmr, usd, admin, delay=2**40 - 1)
    assert contract.maxResolutionDelay() == 2**40 - 1


def test_challenge_window_out_of_range_reverts(nmr, usd, admin):
    """The window must leave time to settle before the deadline."""
    for window in (0, MAX_RESOLUTION_DELAY):
        with brownie.reverts(f"TournamentEscrowInvalidChallengeWindow: {window}, {MAX_RESOLUTION_DELAY}"):
            _deploy(nmr, usd, admin, window=window)


def test_ruling_period_out_of_range_reverts(nmr, usd, admin):
    """Zero, or so long that the window and the ruling leave no time to settle."""
    for ruling in (0, MAX_RESOLUTION_DELAY - CHALLENGE_WINDOW):
        with brownie.reverts(
            f"TournamentEscrowInvalidRulingPeriod: {ruling}, {CHALLENGE_WINDOW}, {MAX_RESOLUTION_DELAY}"
        ):
            _deploy(nmr, usd, admin, ruling=ruling)


def test_longest_ruling_period_is_accepted(nmr, usd, admin):
    contract = _deploy(nmr, usd, admin, ruling=MAX_RESOLUTION_DELAY - CHALLENGE_WINDOW - 1)
    assert contract.rulingPeriod() == MAX_RESOLUTION_DELAY - CHALLENGE_WINDOW - 1


def test_zero_dispute_bond_reverts(nmr, usd, admin):
    with brownie.reverts("TournamentEscrowZeroAmount: "):
        _deploy(nmr, usd, admin, bond=0)


def test_bid_unit_follows_the_stablecoin_decimals(nmr, admin, alice, minter):
    """With an 18-decimal 'dollar' the bid of 1 NMR at confidence 1 is 1e18 units, not 1e6:
    round 1 asks one unit more and is refused, round 2 asks exactly the bid and pays it."""
    dollar = NumeraireToken.deploy(admin, 0, {"from": admin})
    contract = _deploy(nmr, dollar, admin, window=100, ruling=100)
    contract.grantRole(contract.ORACLE_ROLE(), admin, {"from": admin})
    closes_at = web3.eth.get_block("latest")["timestamp"] + 100
    dollar.mint(admin, 20 * NMR, {"from": admin})
    dollar.approve(contract, 20 * NMR, {"from": admin})
    nmr.approve(contract, 2 * NMR, {"from": alice})
    for round_id in (1, 2):
        contract.createRound(round_id, closes_at, closes_at + 1000, admin, DATASET_DIGEST, {"from": admin})
        contract.fundRound(round_id, 10 * NMR, 0, 0, {"from": admin})
        contract.stake(round_id, 0, NMR, WAD, b"\x01" * 32, {"from": alice})
    brownie.chain.sleep(101)
    over, bid = [(alice, 0, 0, NMR + 1, 0, False)], [(alice, 0, 0, NMR, 0, False)]
    contract.commitResults(1, RESULTS_DIGEST, batch_hashes([over], []), {"from": admin})
    contract.commitResults(2, RESULTS_DIGEST, batch_hashes([bid], []), {"from": admin})
    brownie.chain.sleep(101)
    with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {alice.address.lower()}, {NMR + 1}, {NMR}"):
        contract.settle(1, over, {"from": admin})
    contract.settle(2, bid, {"from": admin})
    assert dollar.balanceOf(alice) == NMR


def test_the_escrow_fits_a_real_network(escrow):
    """EIP-170: deployed code over 24,576 bytes cannot be deployed on a real network (Ganache
    and Anvil may be told to allow it; mainnet and its L2s never do)."""
    assert len(web3.eth.get_code(escrow.address)) <= 24_576
