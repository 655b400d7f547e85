"""Start a throwaway Anvil on a free loopback port: the rehearsal chain (tests/rehearsal,
tools/rehearse.py). A real network's pace: prague, a block every `block_time` seconds and
none mined on demand, EIP-1559 fees, chain id 31337 (not the local chain the keeper mines
on). Its accounts are the test mnemonic's, as on the tests' Ganache."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from web3 import HTTPProvider, Web3

from tools.ganache import TEST_MNEMONIC, free_port, stop

__all__ = ["ANVIL", "REHEARSAL_CHAIN_ID", "start_anvil", "stop"]

ROOT = Path(__file__).resolve().parent.parent
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
REHEARSAL_CHAIN_ID = 31337


def start_anvil(block_time: int = 2, accounts: int = 30, hardfork: str = "prague",
                port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Launches Anvil and waits until it answers; returns the process and its URL."""
    port = port or free_port()
    process = subprocess.Popen(
        [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(REHEARSAL_CHAIN_ID),
         "--hardfork", hardfork, "--block-time", str(block_time), "--accounts", str(accounts),
         "--mnemonic", TEST_MNEMONIC, "--gas-limit", "30000000", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(HTTPProvider(url))
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"anvil exited at start (status {process.returncode}): is it installed (npm ci)?")
        if w3.is_connected():
            return process, url
        time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"anvil did not start on {url}")
