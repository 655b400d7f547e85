"""`make run`'s Python half: deploy the contracts on the local chain if needed, then one
pass of the keeper (a round is open before the app serves; after a long stop, rounds past
their deadline are expired and the schedule's next round opens).

Ganache was started by tools/run.sh with a fixed development mnemonic; its accounts are
admin/treasury (0), oracle (1), pauser (2), simulated participants (3..9) and two
wallets for a person (10, 11); 3..11 get 10,000 NMR and $1,000 of TestUSD each. The
treasury pays each round's pools (NMR_TREASURY_PRIVATE_KEY, set by tools/run.sh).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from eth_account import Account
from web3 import HTTPProvider, Web3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app, oracle, store
from app.chain.deploy import deploy_contracts
from client.core.chain.signing import key_from_mnemonic

MNEMONIC = os.environ["NMR_DEV_MNEMONIC"]


def main() -> None:
    rpc_url = os.environ["NMR_RPC_URL"]
    deployments = Path(os.environ["NMR_DEPLOYMENTS_FILE"])
    w3 = Web3(HTTPProvider(rpc_url))
    keys = [key_from_mnemonic(MNEMONIC, i) for i in range(13)]
    if not deployments.is_file() or not w3.eth.get_code(_escrow_address(deployments)):
        deploy_contracts(
            w3, keys[0], Account.from_key(keys[1]).address, Account.from_key(keys[2]).address,
            ROOT / "build" / "contracts", deployments,
            demo_stakers=[Account.from_key(k).address for k in keys[3:12]],
            # A minute to verify and dispute a committed round; the guardian is account 12.
            challenge_window=int(os.environ.get("NMR_CHALLENGE_WINDOW", "60")),
            # And a minute for the guardian to rule before an unruled dispute lapses.
            ruling_period=int(os.environ.get("NMR_RULING_PERIOD", "60")),
            guardian=Account.from_key(keys[12]).address,
        )
        print(f"contracts deployed; addresses in {deployments}")
    app = create_app()
    with app.app_context():
        oracle.run(once=True, report=lambda line: print(f"oracle: {line}", flush=True))
        current = store.current_round()
        print(f"round {current.number} open until {current.closes_at:%Y-%m-%d %H:%M:%S} UTC")


def _escrow_address(path: Path) -> str:
    import json

    return json.loads(path.read_text())["TournamentEscrow"]["address"]


if __name__ == "__main__":
    main()
