"""Start a throwaway Ganache on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from web3 import HTTPProvider, Web3

ROOT = Path(__file__).resolve().parent.parent
GANACHE = ROOT / "node_modules" / ".bin" / "ganache"
TEST_MNEMONIC = "test test test test test test test test test test test junk"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ganache(accounts: int = 30, mnemonic: str = TEST_MNEMONIC,
                  gas_limit: int = 30_000_000) -> tuple[subprocess.Popen, str]:
    """Launches Ganache (shanghai, chain id 1337) and waits until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(GANACHE), "--server.host", "127.0.0.1", "--server.port", str(port), "--chain.chainId", "1337",
         "--chain.networkId", "1337", "--wallet.mnemonic", mnemonic, "--wallet.totalAccounts", str(accounts),
         "--hardfork", "shanghai", "--miner.blockGasLimit", str(gas_limit), "--logging.quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(HTTPProvider(url))
    for _ in range(300):
        if w3.is_connected():
            return process, url
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"ganache did not start on {url}")


def stop(process: subprocess.Popen) -> None:
    """Stops a Ganache started here."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
