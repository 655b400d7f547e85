"""Gas is deterministic: the exact figures are asserted, and each is within its target."""

import pytest

from scripts import gas_scenarios as gas

NMR = 10**18

# Exact gas of each scenario (update deliberately when the contract changes).
EXPECTED = {
    "first stake": 72_506,
    "top-up": 54_857,
    "permit stake": 105_841,
    "settle 200": 2_836_353,
}


@pytest.fixture(scope="module", autouse=True)
def fresh_chain(module_isolation):
    """A reset chain: the same contract addresses whatever ran before, so the permit's
    signature, and the zero bytes of its calldata, are the same in every run."""


def test_first_stake_into_a_round_with_stakers(escrow, nmr, oracle, alice, bob):
    used = gas.first_stake_gas(escrow, nmr, oracle, [alice, bob])
    assert used == EXPECTED["first stake"]
    assert used <= gas.TARGETS["first stake (round already has stakers)"]


def test_top_up(escrow, nmr, oracle, alice):
    used = gas.top_up_gas(escrow, nmr, oracle, alice)
    assert used == EXPECTED["top-up"]
    assert used <= gas.TARGETS["top-up"]


def test_stake_with_permit(escrow, nmr, oracle, permit_staker):
    key, staker = permit_staker(1)
    used = gas.permit_stake_gas(escrow, nmr, oracle, key, staker)
    assert used == EXPECTED["permit stake"]
    assert used <= gas.TARGETS["stakeWithPermit"]


def test_settlement_of_200_stakers(escrow, nmr, oracle, admin):
    stakers = gas.funded_local_accounts(nmr, admin, 200, 25 * NMR)
    per_staker, total = gas.settle_batch_gas(escrow, nmr, oracle, stakers)
    assert per_staker <= gas.TARGETS["settle, per staker (200-staker batch)"]
    assert total == EXPECTED["settle 200"]
