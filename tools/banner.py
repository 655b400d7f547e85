"""`make run`'s welcome: what is running and the next three things to do (open the site,
import a wallet, run the example model), with the balances the two wallets actually hold,
read from the chain.

    python tools/banner.py    # NMR_API_URL, NMR_RPC_URL, NMR_DEPLOYMENTS_FILE, NMR_DEV_MNEMONIC
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from eth_account import Account
from web3 import HTTPProvider, Web3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.web.formatting import format_nmr, format_units, format_usd
from client.core.chain.signing import key_from_mnemonic

# Ganache accounts 10 and 11 are the person's (tools/run_local.py gives them NMR and TestUSD).
WALLET_INDICES = (10, 11)


def wallet_lines(w3: Web3, deployments: dict, keys: list[str]) -> list[str]:
    """Two lines per wallet: its address with what it holds now, and its private key."""
    token = w3.eth.contract(address=deployments["NumeraireToken"]["address"], abi=deployments["NumeraireToken"]["abi"])
    usd_record = deployments["USD"]
    usd = w3.eth.contract(address=usd_record["address"], abi=usd_record["abi"])
    lines = []
    for key in keys:
        address = Account.from_key(key).address
        eth = format_units(w3.eth.get_balance(address), 10**18, 2)
        nmr = format_nmr(token.functions.balanceOf(address).call())
        dollars = format_usd(usd.functions.balanceOf(address).call(), int(usd_record.get("decimals", 6)))
        lines += [f"       {address}  holds {eth} ETH, {nmr} NMR, {dollars} TestUSD",
                  f"         private key 0x{key.removeprefix('0x')}"]
    return lines


def banner(api_url: str, rpc_url: str, chain_id: int, wallets: list[str], first_key: str) -> str:
    """The text `make run` prints once everything is up."""
    return "\n".join([
        "",
        f"  Numeraire Tournament is running: {api_url}  (chain {rpc_url}, chain id {chain_id})",
        "",
        "  1. Open the site:",
        f"       {api_url}          rounds, downloads, uploads, leaderboard",
        f"       {api_url}/stake    stake NMR from your wallet",
        "",
        f"  2. Import a wallet. In MetaMask add a network (RPC URL {rpc_url}, chain id {chain_id}, currency ETH),",
        "     then import one of these private keys. Two wallets for you, with what they hold now:",
        *wallets,
        "     The command line uses the same key:",
        f"       export NMR_API_URL={api_url}",
        f"       export NMR_PRIVATE_KEY=0x{first_key.removeprefix('0x')}",
        "",
        "  3. Run the example model (download, train, upload, stake 10 NMR at confidence 0.5):",
        "       .venv/bin/python examples/example_model.py --stake 10 --confidence 0.5",
        "     or the CLI: bin/nmr status · bin/nmr leaderboard · bin/nmr --help",
        "",
        "  Seven simulated data scientists play every round; rounds close and settle on their own.",
        "  Ctrl-C stops everything.",
        "",
    ])


def main() -> None:
    """Print the banner for the running chain and app."""
    api_url, rpc_url = os.environ["NMR_API_URL"], os.environ["NMR_RPC_URL"]
    w3 = Web3(HTTPProvider(rpc_url))
    deployments = json.loads(Path(os.environ["NMR_DEPLOYMENTS_FILE"]).read_text())
    keys = [key_from_mnemonic(os.environ["NMR_DEV_MNEMONIC"], i) for i in WALLET_INDICES]
    print(banner(api_url, rpc_url, w3.eth.chain_id, wallet_lines(w3, deployments, keys), keys[0]), flush=True)


if __name__ == "__main__":
    main()
