"""Prints the escrow's gas figures beside their targets and an ERC20 transfer.

Run with `make gas-report` (Brownie launches a throwaway Ganache). The same scenarios, from
the same state (scripts/gas_scenarios.deploy, the chain reverted to it after each one),
are asserted exactly in tests/contracts/unitary/TournamentEscrow/test_gas.py, so the
figures here are the tested ones. The 1,000-staker round takes a minute and a half to
build; GAS_REPORT_QUICK=1 leaves it out.
"""

import contextlib
import io
import os
import threading

from brownie import chain

from scripts import gas_scenarios as gas


def _measure():
    """Every scenario from the deployed state, as the tests run them."""
    d = gas.deploy()
    chain.snapshot()

    def fresh(scenario, *args):
        try:
            return scenario(d, *args)
        finally:
            chain.revert()

    alice, bob = gas.stakers()
    measured = {
        "first stake (round already has stakers)": fresh(gas.first_stake_gas, [alice, bob]),
        "first stake on a second model (model 1)": fresh(gas.second_model_stake_gas, [alice, bob]),
        "top-up": fresh(gas.top_up_gas, alice),
        "stakeWithPermit": fresh(lambda d: gas.permit_stake_gas(d, *gas.permit_staker(d))),
    }
    per_staker, settle_200 = fresh(gas.settle_batch_gas, 200)
    measured["settle, per staker (200-staker batch)"] = per_staker
    rolled, returned = fresh(gas.roll_batch_gas, 200, True)[0], fresh(gas.roll_batch_gas, 200, False)[0]
    measured["settle, rolled position over a returned one"] = rolled - returned
    per_winner, prizes_100 = fresh(gas.pay_prizes_gas)
    measured["payPrizes, per winner (100, USD + NMR)"] = per_winner
    _per, settle_250 = fresh(gas.settle_batch_gas, 250, 107)
    commitment = {
        "commitResults, 1 hash (prize list only)": fresh(gas.commit_gas, 1),
        "commitResults, 5 hashes (1,000 stakers)": fresh(gas.commit_gas, 5),
        "dispute (bond 100 NMR)": fresh(gas.dispute_gas),
        "rule, upheld (void, reward, pools back)": fresh(gas.rule_gas, True),
        "rule, rejected (bond burned)": fresh(gas.rule_gas, False),
    }
    reference = fresh(gas.transfer_gas, alice, bob)
    round_1000 = [] if os.environ.get("GAS_REPORT_QUICK") == "1" else fresh(gas.round_settlement_gas, 1_000)
    return measured, reference, (settle_200, prizes_100, settle_250), round_1000, commitment


def _print(measured, reference, batches, round_1000, commitment):
    settle_200, prizes_100, settle_250 = batches
    budget = gas.BATCH_GAS_BUDGET
    print(f"\n{'operation':<44}{'gas':>12}{'target':>12}{'/ transfer':>11}")
    for name, used in measured.items():
        print(f"{name:<44}{used:>12,.0f}{gas.TARGETS[name]:>12,}{used / reference:>10.2f}x")
    print(f"{'ERC20 transfer (reference)':<44}{reference:>12,}{'':>12}{1:>10.2f}x")
    print()
    for name, used in commitment.items():
        print(f"{name:<44}{used:>12,}{'':>12}{used / reference:>10.2f}x")
    one, five = commitment["commitResults, 1 hash (prize list only)"], commitment["commitResults, 5 hashes (1,000 stakers)"]
    print(f"{'commitResults, per further batch hash':<44}{(five - one) / 4:>12,.0f}")
    print(f"\nsettle, 200 stakers in one transaction: {settle_200:,} gas")
    print(f"payPrizes, 100 winners in one transaction: {prizes_100:,} gas (budget {budget:,})")
    print(f"settle, 250 stakers in one transaction: {settle_250:,} gas (budget {budget:,}: 3/4 of a 12M block)")
    if round_1000:
        print(f"\n1,000-staker round: {len(round_1000)} transactions "
              f"(target {gas.TARGETS['1,000-staker round: transactions']} that move tokens, after the commitment),"
              f" each within {budget:,} gas")
        units = {"settle": "stakers", "payPrizes": "winners", "commit": "hashes"}
        for label, count, used in round_1000:
            print(f"  {label:<10} {count:>5} {units[label]:<8} {used:>12,} gas")


def main():
    # Brownie prints every transaction; the scenarios' thousands would bury the table.
    with contextlib.redirect_stdout(io.StringIO()):
        results = _measure()
    _print(*results)
    # Let Brownie's per-transaction bookkeeping threads finish before it stops Ganache.
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=10)
