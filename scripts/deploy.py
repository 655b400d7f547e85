"""Deploys NumeraireToken and TournamentEscrow, grants roles, writes the deployments file.

    brownie run scripts/deploy.py --network <network>

A thin call into app.chain.deploy_contracts (the same code `make run` uses). The admin
(also the treasury) is Brownie's first account; the oracle and pauser default to the
next two, or NMR_ORACLE_ADDRESS / NMR_PAUSER_ADDRESS. The file goes to
NMR_DEPLOYMENTS_FILE (default deployments/local.json); the app and the pages read it.
"""

import os
from pathlib import Path

from brownie import accounts, web3

from app.chain import deploy_contracts


def main():
    admin = accounts[0]
    oracle = os.environ.get("NMR_ORACLE_ADDRESS") or accounts[1].address
    pauser = os.environ.get("NMR_PAUSER_ADDRESS") or accounts[2].address
    out_file = os.environ.get("NMR_DEPLOYMENTS_FILE", "deployments/local.json")
    artifacts = Path(__file__).resolve().parent.parent / "build" / "contracts"
    record = deploy_contracts(web3, admin.private_key, oracle, pauser, artifacts, out_file)
    print(f"NumeraireToken {record['NumeraireToken']['address']}")
    print(f"TournamentEscrow {record['TournamentEscrow']['address']}")
    print(f"deployments written to {out_file}")
