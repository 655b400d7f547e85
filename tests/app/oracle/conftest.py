"""A real Ganache started by the tests, the contracts deployed on it, and the app wired to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from client.core.chain.signing import key_from_mnemonic
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD  # noqa: F401
from tests.support import chain_app, deploy
from tools.ganache import TEST_MNEMONIC, start_ganache, stop

ROOT = Path(__file__).resolve().parents[3]
MNEMONIC = TEST_MNEMONIC
N_ACCOUNTS = 30


@pytest.fixture(scope="session")
def ganache_url():
    """Ganache on a free loopback port for this test session; stopped at the end."""
    if not (ROOT / "build" / "contracts" / "TournamentEscrow.json").is_file():
        pytest.fail("contracts not compiled: run `make compile` (make test does it first)")
    process, url = start_ganache(accounts=N_ACCOUNTS, mnemonic=MNEMONIC)
    yield url
    stop(process)


@pytest.fixture(scope="session")
def keys():
    """Private keys of Ganache's accounts: 0 admin/treasury, 1 oracle, 2 pauser, 3.. stakers."""
    return [key_from_mnemonic(MNEMONIC, i) for i in range(N_ACCOUNTS)]


@pytest.fixture(scope="session")
def w3(ganache_url):
    return Web3(HTTPProvider(ganache_url))


@pytest.fixture
def deployment(w3, keys, tmp_path):
    """Fresh contracts for each test (so tests never see each other's rounds)."""
    return deploy(w3, keys, tmp_path / "deployments.json", [Account.from_key(k).address for k in keys[3:]])


@pytest.fixture
def app(ganache_url, deployment, keys, tmp_path):
    return chain_app(tmp_path, ganache_url, deployment[0], keys[1], treasury_key=keys[0])


def deploy_guarded(w3: Web3, keys: list[str], out: Path, window: int, stakers: slice = slice(3, -1),
                   ruling_period: int = 300) -> dict:
    """Fresh contracts with a `window`-second challenge window and a guardian (the last key)
    who has `ruling_period` seconds after it to rule: Ganache's clock also runs with the
    wall clock, so a busy machine must not let a ruling lapse between two lines of a test.
    The keys in `stakers` get 1,000 NMR and $1,000 of TestUSD."""
    from app.chain.deploy import deploy_contracts

    return deploy_contracts(
        w3, keys[0], Account.from_key(keys[1]).address, Account.from_key(keys[2]).address,
        ROOT / "build" / "contracts", out, demo_stakers=[Account.from_key(k).address for k in keys[stakers]],
        stake_funds=1_000 * NMR, challenge_window=window, guardian=Account.from_key(keys[-1]).address,
        ruling_period=ruling_period,
    )


def advance_chain_time(w3: Web3, seconds: int) -> None:
    """Moves Ganache's clock forward and mines a block."""
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def token_and_escrow(w3: Web3, record: dict):
    token = w3.eth.contract(address=record["NumeraireToken"]["address"], abi=record["NumeraireToken"]["abi"])
    escrow = w3.eth.contract(address=record["TournamentEscrow"]["address"], abi=record["TournamentEscrow"]["abi"])
    return token, escrow


def usd_token(w3: Web3, record: dict):
    return w3.eth.contract(address=record["USD"]["address"], abi=record["USD"]["abi"])


def send(w3: Web3, key: str, fn) -> dict:
    """Signs and sends a contract call as the holder of `key` (a staker's own wallet)."""
    account = Account.from_key(key)
    tx = fn.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address),
                               "chainId": 1337, "gas": 300_000, "gasPrice": 2 * 10**9})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    assert receipt["status"] == 1
    return receipt


__all__ = ["advance_chain_time", "deploy_guarded", "json", "send", "token_and_escrow", "usd_token"]
