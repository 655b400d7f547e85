"""Gas is deterministic: the exact figures are asserted, and each is within its target.

The module deploys through scripts/gas_scenarios.deploy() on a reset chain, as
scripts/gas_report.py does on a fresh one, so both measure the same addresses and print
the same numbers. Update EXPECTED deliberately when the contracts change.
"""

import os

import pytest
from brownie import web3

from scripts import gas_scenarios as gas

# Exact gas of each scenario.
EXPECTED = {
    "first stake": 73_442,
    "second model stake": 73_454,
    "top-up": 55_793,
    "permit stake": 106_974,
    "settle 200": 4_242_816,
    "settle 250": 5_282_530,
    "settle 200 rolled": 8_014_697,
    "settle 200 returned": 6_065_125,
    "prizes 100": 2_234_715,
    "commit 1": 102_651,
    "commit 5": 194_867,
    "dispute": 50_051,
    "rule upheld": 87_962,
    "rule rejected": 51_515,
}

# The same scenarios on the rehearsal chain (Anvil at prague, `make test-rehearsal`): the
# same bytecode; the largest transactions measure 108-192 gas more there (the
# figures above are Ganache's, at shanghai, the chain of `make test` and the gas report).
ON_ANVIL_PRAGUE = {
    "settle 200": 4_242_936,
    "settle 250": 5_282_722,
    "prizes 100": 2_234_823,
    "settle 200 rolled": 8_014_817,
    "settle 200 returned": 6_065_245,
}


def expected(scenario: str) -> int:
    """The exact gas of `scenario` on the chain the suite runs on."""
    if scenario in ON_ANVIL_PRAGUE and web3.client_version.lower().startswith("anvil"):
        return ON_ANVIL_PRAGUE[scenario]
    return EXPECTED[scenario]


LONG = os.environ.get("NMR_LONG_TESTS") == "1"


@pytest.fixture(scope="module")
def d(module_isolation):
    """The scenarios' deployment on a chain reset for this module; every test starts from
    it, as every scenario of the report does."""
    return gas.deploy()


def test_first_stake_into_a_round_with_stakers(d):
    used = gas.first_stake_gas(d, gas.stakers())
    assert used <= gas.TARGETS["first stake (round already has stakers)"]
    assert used == expected("first stake")


def test_first_stake_on_a_second_model(d):
    """A wallet already staking on model 0 opens a position on model 1: a first stake (a
    new slot and the staker count), within the first stake's target."""
    used = gas.second_model_stake_gas(d, gas.stakers())
    assert used <= gas.TARGETS["first stake on a second model (model 1)"]
    assert used == expected("second model stake")


def test_top_up(d):
    used = gas.top_up_gas(d, gas.stakers()[0])
    assert used <= gas.TARGETS["top-up"]
    assert used == expected("top-up")


def test_stake_with_permit(d):
    used = gas.permit_stake_gas(d, *gas.permit_staker(d))
    assert used <= gas.TARGETS["stakeWithPermit"]
    assert used == expected("permit stake")


def test_settle_200_stakers_in_one_batch(d):
    per_staker, total = gas.settle_batch_gas(d, 200)
    assert per_staker <= gas.TARGETS["settle, per staker (200-staker batch)"]
    assert total == expected("settle 200")


def test_a_rolled_position_costs_the_batch_at_most_10000_more(d):
    """200 stakers released with a $5 reward while the next round is open: rolling, their NMR
    moves into new positions there instead of back to their wallets. The settled position
    is deleted, and its slot's refund pays for most of the new one."""
    rolled_per_staker, rolled = gas.roll_batch_gas(d, 200, rolling=True, round_id=113)
    returned_per_staker, returned = gas.roll_batch_gas(d, 200, rolling=False, round_id=115)
    print(f"settle 200: rolled {rolled:,} ({rolled_per_staker:,.0f} a staker), returned {returned:,} "
          f"({returned_per_staker:,.0f}); a roll adds {rolled_per_staker - returned_per_staker:,.0f}")
    assert rolled_per_staker - returned_per_staker <= gas.TARGETS["settle, rolled position over a returned one"]
    assert (rolled, returned) == (expected("settle 200 rolled"), expected("settle 200 returned"))


def test_prizes_to_100_winners_holding_both_tokens(d):
    per_winner, total = gas.pay_prizes_gas(d)
    assert per_winner <= gas.TARGETS["payPrizes, per winner (100, USD + NMR)"]
    assert total == expected("prizes 100")
    assert total <= gas.BATCH_GAS_BUDGET


def test_a_250_staker_batch_fits_three_quarters_of_a_block(d):
    """The arithmetic of the 1,000-staker round: if 250 stakes settle in one transaction
    within 3/4 of a 12M block, 1,000 settle in four, and the 100 prizes (one transaction,
    asserted above to fit too) make five."""
    per_staker, total = gas.settle_batch_gas(d, 250, round_id=107)
    assert per_staker <= gas.TARGETS["settle, per staker (200-staker batch)"]
    assert total <= gas.BATCH_GAS_BUDGET
    assert total == expected("settle 250")
    assert -(-1_000 // 250) + 1 <= gas.TARGETS["1,000-staker round: transactions"]


def test_commit_results_per_batch_hash(d):
    """A 1,000-staker round commits five hashes (four settle batches and the prizes)."""
    one, five = gas.commit_gas(d, 1), gas.commit_gas(d, 5, round_id=111)
    print(f"commitResults: 1 hash {one:,}, 5 hashes {five:,}, per further hash {(five - one) / 4:,.0f}")
    assert (one, five) == (expected("commit 1"), expected("commit 5"))


def test_dispute(d):
    assert gas.dispute_gas(d) == expected("dispute")


@pytest.mark.parametrize("upheld", [True, False], ids=["upheld", "rejected"])
def test_rule(d, upheld):
    assert gas.rule_gas(d, upheld) == expected("rule upheld" if upheld else "rule rejected")


@pytest.mark.skipif(not LONG, reason="a 1,000-staker round: set NMR_LONG_TESTS=1")
def test_a_1000_staker_round_settles_in_five_transactions(d):
    sent = gas.round_settlement_gas(d, 1_000)
    assert sum(n for label, n, _ in sent if label == "settle") == 1_000
    assert all(used <= gas.BATCH_GAS_BUDGET for _, _, used in sent)
    # The target counts the transactions that move tokens; the commitment comes before them.
    assert len([s for s in sent if s[0] != "commit"]) <= gas.TARGETS["1,000-staker round: transactions"]
