"""Prints the escrow's gas figures beside their targets and an ERC20 transfer.

Run with `make gas-report` (Brownie launches a throwaway Ganache). The same scenarios
are asserted exactly in tests/contracts/unitary/TournamentEscrow/test_gas.py.
"""

from brownie import NumeraireToken, TournamentEscrow, accounts
from eth_account import Account

from scripts import gas_scenarios as gas

NMR = 10**18


def main():
    admin, oracle, alice, bob = accounts[0], accounts[1], accounts[3], accounts[4]
    nmr = NumeraireToken.deploy(admin, {"from": admin, "silent": True})
    escrow = TournamentEscrow.deploy(nmr, admin, admin, 0, {"from": admin, "silent": True})
    escrow.grantRole(escrow.ORACLE_ROLE(), oracle, {"from": admin, "silent": True})
    nmr.mint(admin, 500_000 * NMR, {"from": admin, "silent": True})
    nmr.approve(escrow, 2**256 - 1, {"from": admin, "silent": True})
    for staker in (alice, bob):
        nmr.mint(staker, 1_000 * NMR, {"from": admin, "silent": True})

    key = Account.from_key(gas.web3.keccak(text="gas-report-permit"))
    permit_staker = accounts.add(key.key.hex())
    admin.transfer(permit_staker, "1 ether", silent=True)
    nmr.mint(permit_staker, 100 * NMR, {"from": admin, "silent": True})
    settle_stakers = gas.funded_local_accounts(nmr, admin, 200, 25 * NMR)

    per_staker, batch_total = gas.settle_batch_gas(escrow, nmr, oracle, settle_stakers)
    measured = {
        "first stake (round already has stakers)": gas.first_stake_gas(escrow, nmr, oracle, [alice, bob]),
        "top-up": gas.top_up_gas(escrow, nmr, oracle, alice),
        "stakeWithPermit": gas.permit_stake_gas(escrow, nmr, oracle, key, permit_staker),
        "settle, per staker (200-staker batch)": per_staker,
    }
    reference = gas.transfer_gas(nmr, alice, bob)

    print(f"\n{'operation':<42}{'gas':>10}{'target':>10}{'vs ERC20 transfer':>20}")
    for name, used in measured.items():
        print(f"{name:<42}{used:>10,.0f}{gas.TARGETS[name]:>10,}{used / reference:>19.2f}x")
    print(f"{'ERC20 transfer (reference)':<42}{reference:>10,}{'':>10}{1:>19.2f}x")
    print(f"settle batch of {len(settle_stakers)}: {batch_total:,} gas in one transaction")
