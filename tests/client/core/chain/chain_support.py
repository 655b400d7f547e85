"""Helpers of the chain tests: the compiled ABIs, and a Chain on them that never reaches a
node unless a test calls it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from client.core.chain.contracts import Chain

ROOT = Path(__file__).resolve().parents[4]
CONTRACTS = ("NumeraireToken", "TournamentEscrow", "TestUSD")
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused


def compiled_abi(name: str) -> list[dict]:
    """`name`'s ABI from build/contracts (the contracts must be compiled)."""
    path = ROOT / "build" / "contracts" / f"{name}.json"
    if not path.is_file():
        pytest.fail("contracts not compiled: run `make compile` (make test does it first)")
    return json.loads(path.read_text())["abi"]


def offline_chain() -> Chain:
    """A Chain on the compiled ABIs at made-up addresses, its node unreachable."""
    deployments = {"chain_id": 1337, "USD": {"address": f"0x{3:040x}", "abi": compiled_abi("TestUSD"), "decimals": 6}}
    for index, name in enumerate(("NumeraireToken", "TournamentEscrow"), start=1):
        deployments[name] = {"address": f"0x{index:040x}", "abi": compiled_abi(name)}
    return Chain(Web3(HTTPProvider(UNREACHABLE, request_kwargs={"timeout": 5})), deployments)
