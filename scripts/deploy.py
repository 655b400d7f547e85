"""Deploys NumeraireToken and TournamentEscrow (and a TestUSD on a development chain),
grants roles, writes the deployments file.

    brownie run scripts/deploy.py --network <network>

A thin call into app.chain.deploy.deploy_contracts (the same code `make run` uses). The admin
(also the treasury) is Brownie's first account, or the key in NMR_ADMIN_PRIVATE_KEY (a
network whose accounts Brownie holds no key for: Anvil, a testnet); the oracle and pauser default to the
next two, or NMR_ORACLE_ADDRESS / NMR_PAUSER_ADDRESS; the guardian (who rules on
disputes; never the oracle) to the fourth, or NMR_GUARDIAN_ADDRESS. The file goes to
NMR_DEPLOYMENTS_FILE (default deployments/local.json); the app and the pages read it.
On a real network set NMR_USD_ADDRESS to an existing stablecoin (no TestUSD is deployed)
and NMR_MAX_RESOLUTION_DELAY (seconds from a round's close to its oracle deadline at most;
default a week), NMR_CHALLENGE_WINDOW (seconds between a round's commitment and its
settlement, when anyone may dispute; the production example is a day, 86400; default
the local chain's 3 s) and NMR_DISPUTE_BOND (NMR wei a dispute locks; default 100 NMR).
A rehearsal funds its stakers at deploy: NMR_DEMO_STAKERS (comma-separated addresses) get
1,000 NMR and $1,000 of TestUSD each.
"""

import os
from pathlib import Path

from brownie import accounts, web3

from app.chain.deploy import (
    DISPUTE_BOND,
    LOCAL_CHALLENGE_WINDOW,
    LOCAL_RULING_PERIOD,
    deploy_contracts,
)
from client.core.money.units import NMR


def main():
    admin_key = os.environ.get("NMR_ADMIN_PRIVATE_KEY") or accounts[0].private_key
    oracle = os.environ.get("NMR_ORACLE_ADDRESS") or accounts[1].address
    pauser = os.environ.get("NMR_PAUSER_ADDRESS") or accounts[2].address
    guardian = os.environ.get("NMR_GUARDIAN_ADDRESS") or accounts[3].address
    out_file = os.environ.get("NMR_DEPLOYMENTS_FILE", "deployments/local.json")
    artifacts = Path(__file__).resolve().parent.parent / "build" / "contracts"
    record = deploy_contracts(
        web3, admin_key, oracle, pauser, artifacts, out_file,
        usd_address=os.environ.get("NMR_USD_ADDRESS") or None,
        max_resolution_delay=int(os.environ.get("NMR_MAX_RESOLUTION_DELAY", str(7 * 24 * 3600))),
        challenge_window=int(os.environ.get("NMR_CHALLENGE_WINDOW", str(LOCAL_CHALLENGE_WINDOW))),
        dispute_bond=int(os.environ.get("NMR_DISPUTE_BOND", str(DISPUTE_BOND))),
        guardian=guardian,
        ruling_period=int(os.environ.get("NMR_RULING_PERIOD", str(LOCAL_RULING_PERIOD))),
        demo_stakers=[a for a in os.environ.get("NMR_DEMO_STAKERS", "").split(",") if a],
        stake_funds=1_000 * NMR,
    )
    print(f"NumeraireToken {record['NumeraireToken']['address']}")
    print(f"USD ({record['USD']['symbol']}) {record['USD']['address']}")
    print(f"TournamentEscrow {record['TournamentEscrow']['address']}")
    print(f"deployments written to {out_file}")
