"""Deploying the contracts from Brownie's build artifacts, through the core's one
transaction path (:func:`client.core.chain.transactions.transact`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address
from web3 import Web3

from client.core.chain.abi import ERC20_ABI
from client.core.chain.contracts import USD_DECIMALS_LOCAL
from client.core.chain.errors import ChainError, ErrorDecoder
from client.core.chain.transactions import transact

# The local chain's challenge window: seconds, so `make run` and the tests wait a moment
# (the production example in the README is a day, NMR_CHALLENGE_WINDOW=86400).
LOCAL_CHALLENGE_WINDOW = 3
# The guardian's time to rule after the window, on the local chain (a day in production,
# NMR_RULING_PERIOD=86400); past it an unruled dispute lapses.
LOCAL_RULING_PERIOD = 3
DISPUTE_BOND = 100 * 10**18


def deploy_contracts(
    w3: Web3,
    admin_key: str,
    oracle: str,
    pauser: str,
    artifacts_dir: str | Path,
    out_file: str | Path,
    demo_stakers: Iterable[str] = (),
    stake_funds: int = 10_000 * 10**18,
    treasury_mint: int = 1_000_000 * 10**18,
    usd_address: str | None = None,
    treasury_usd: int = 10_000_000 * 10**USD_DECIMALS_LOCAL,
    staker_usd: int = 1_000 * 10**USD_DECIMALS_LOCAL,
    admin_transfer_delay: int = 2 * 24 * 3600,
    max_resolution_delay: int = 7 * 24 * 3600,
    challenge_window: int = LOCAL_CHALLENGE_WINDOW,
    dispute_bond: int = DISPUTE_BOND,
    guardian: str | None = None,
    ruling_period: int = LOCAL_RULING_PERIOD,
) -> dict[str, Any]:
    """Deploys NumeraireToken and TournamentEscrow (and, unless `usd_address` names an
    existing stablecoin, a 6-decimal TestUSD) from Brownie's build artifacts, grants the
    oracle and pauser roles, mints the initial NMR disbursement (treasury = admin, minus
    `stake_funds` for each demo staker), funds the treasury and demo stakers with TestUSD,
    and writes the deployments file the app reads. The treasury approves nothing: it pays
    each round's pools itself (fundRound). `guardian` (an account apart from the oracle;
    a multisig in production) gets GUARDIAN_ROLE: it rules on disputes raised during the
    `challenge_window` (seconds after each commitResults), each locking `dispute_bond` NMR
    wei, within `ruling_period` seconds after the window (an unruled dispute then lapses).
    Used by scripts/deploy.py and `make run`."""
    names = ("NumeraireToken", "TournamentEscrow") + (() if usd_address else ("TestUSD",))
    artifacts = {name: _artifact(Path(artifacts_dir), name) for name in names}
    decoder = ErrorDecoder(build["abi"] for build in artifacts.values())
    admin = Account.from_key(admin_key)
    stakers = [to_checksum_address(s) for s in demo_stakers]

    def send(call: Any, description: str) -> dict:
        return transact(w3, admin, call, f"deploy: {description}", decoder=decoder)

    def create(name: str, *args: Any) -> tuple[Any, dict]:
        build = artifacts[name]
        factory = w3.eth.contract(abi=build["abi"], bytecode=build["bytecode"])
        receipt = send(factory.constructor(*args), name)
        return w3.eth.contract(address=receipt["contract_address"], abi=build["abi"]), receipt

    token, token_receipt = create("NumeraireToken", admin.address, admin_transfer_delay)
    if usd_address:
        usd = w3.eth.contract(address=to_checksum_address(usd_address), abi=ERC20_ABI)
    else:
        usd, _ = create("TestUSD", admin.address)
        send(usd.functions.mint(admin.address, treasury_usd), "mint USD to the treasury")
        for staker in stakers:
            send(usd.functions.mint(staker, staker_usd), f"mint USD to {staker}")
    escrow, _ = create("TournamentEscrow", token.address, usd.address, admin.address, admin_transfer_delay,
                       max_resolution_delay, challenge_window, dispute_bond, ruling_period)
    roles = [("ORACLE_ROLE", oracle), ("PAUSER_ROLE", pauser)] + ([("GUARDIAN_ROLE", guardian)] if guardian else [])
    for role, holder in roles:
        role_id = getattr(escrow.functions, role)().call()
        send(escrow.functions.grantRole(role_id, to_checksum_address(holder)), f"grant {role}")
    send(token.functions.mint(admin.address, treasury_mint - stake_funds * len(stakers)), "mint NMR to the treasury")
    for staker in stakers:
        send(token.functions.mint(staker, stake_funds), f"mint NMR to {staker}")

    record = {
        "chain_id": w3.eth.chain_id,
        "deployed_at_block": token_receipt["block"],
        "treasury": admin.address,
        "admin": admin.address,
        "oracle": to_checksum_address(oracle),
        "pauser": to_checksum_address(pauser),
        "guardian": to_checksum_address(guardian) if guardian else None,
        "max_resolution_delay": max_resolution_delay,
        "challenge_window": challenge_window,
        "ruling_period": ruling_period,
        "dispute_bond": str(dispute_bond),
        "NumeraireToken": {"address": token.address, "abi": token.abi},
        "USD": {"address": usd.address, "abi": usd.abi, "decimals": int(usd.functions.decimals().call()),
                "symbol": usd.functions.symbol().call()},
        "TournamentEscrow": {"address": escrow.address, "abi": escrow.abi},
    }
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    return record


def _artifact(artifacts: Path, name: str) -> dict:
    path = artifacts / f"{name}.json"
    if not path.is_file():
        raise ChainError(f"{path} missing: compile the contracts first (`make compile`)")
    return json.loads(path.read_text())
