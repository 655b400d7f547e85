"""The deploy rehearsal (`make rehearsal`): the README's commands on the rehearsal chain,
one whole round, with the time and gas of each step printed.

Anvil at prague makes a block every 2 s and mines nothing on demand (tools/anvil.py), on
Brownie's ``anvil-rehearsal`` port; then, as an operator and two data scientists would:

1. ``brownie run scripts/deploy.py --network anvil-rehearsal`` (keys from the environment,
   as on a testnet);
2. the app served by gunicorn; ``flask oracle open`` (the funder's pools paid in);
3. each staker runs ``examples/example_model.py --stake`` (download, train, upload, then
   approve + stake through the client);
4. after the close, ``flask oracle close`` and ``flask oracle resolve`` (scored, published,
   committed); the challenge window; ``flask oracle settle`` and ``flask oracle finalize``;
5. ``nmr verify`` recomputes the round from the published files against the chain.

Nothing in it is mined early or skipped: every wait is the chain's. Prints one line a step
(seconds, transactions, gas) and exits 1 if a step fails, with its output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web3 import HTTPProvider, Web3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from client.core.chain.signing import key_from_mnemonic
from tools.anvil import start_anvil, stop
from tools.ganache import TEST_MNEMONIC, free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
REHEARSAL_PORT = 8557  # Brownie's anvil-rehearsal network (tools/bootstrap.sh)
STAKING_SECONDS, RESOLUTION_SECONDS, WINDOW, RULING = 120, 3600, 20, 20
STAKERS = (3, 4)


class Rehearsal:
    """The chain, the environment every command gets, and the steps' figures."""

    def __init__(self, work: Path, rpc_url: str):
        self.w3 = Web3(HTTPProvider(rpc_url))
        keys = [key_from_mnemonic(TEST_MNEMONIC, i) for i in range(10)]
        self.keys = keys
        app_port = free_port()
        self.api_url = f"http://127.0.0.1:{app_port}"
        self.app_port = app_port
        self.env = {
            **os.environ,
            "PATH": f"{ROOT / 'node_modules' / '.bin'}:{VENV_BIN}:{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),
            "NMR_RPC_URL": rpc_url, "NMR_CHAIN_ID": "31337",
            "NMR_DEPLOYMENTS_FILE": str(work / "deployments.json"),
            "NMR_DATABASE_URL": f"sqlite:///{work / 'rehearsal.sqlite3'}", "NMR_DATA_DIR": str(work / "data"),
            "NMR_SECRET_KEY": "rehearsal", "NMR_ROUND_EVERY": "0",
            "NMR_SIWE_DOMAIN": f"127.0.0.1:{app_port}", "NMR_SIWE_URI": self.api_url, "NMR_API_URL": self.api_url,
            "NMR_ADMIN_PRIVATE_KEY": keys[0], "NMR_TREASURY_PRIVATE_KEY": keys[0], "NMR_ORACLE_PRIVATE_KEY": keys[1],
            "NMR_CHALLENGE_WINDOW": str(WINDOW), "NMR_RULING_PERIOD": str(RULING),
            "NMR_DEMO_STAKERS": ",".join(key_address(keys[i]) for i in STAKERS),
            "NMR_MAX_FEE_GWEI": "50", "NMR_CONFIRMATIONS": "1",
        }
        self.rows: list[tuple[str, float, int, int]] = []

    def step(self, name: str, command: list[str], env: dict[str, str] | None = None) -> str:
        """Runs one command; records its seconds and the transactions and gas of the blocks
        the chain made meanwhile (nothing else uses this chain)."""
        first = self.w3.eth.block_number + 1
        started = time.monotonic()
        done = subprocess.run(command, check=False, cwd=ROOT, env=env or self.env, capture_output=True, text=True,
                              timeout=900)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            print(done.stdout + done.stderr)
            raise SystemExit(f"rehearsal: {name} failed (exit {done.returncode})")
        transactions = gas = 0
        for number in range(first, self.w3.eth.block_number + 1):
            block = self.w3.eth.get_block(number)
            transactions += len(block["transactions"])
            gas += int(block["gasUsed"])
        self.rows.append((name, seconds, transactions, gas))
        print(f"{name:<40} {seconds:7.1f} s {transactions:5d} tx {gas:12,d} gas", flush=True)
        return done.stdout

    def wait_until(self, timestamp: int) -> float:
        """Waits for the chain's clock to pass `timestamp`; the seconds it took."""
        started = time.monotonic()
        while self.w3.eth.get_block("latest")["timestamp"] <= timestamp:
            time.sleep(1)
        return time.monotonic() - started


def key_address(key: str) -> str:
    from eth_account import Account

    return Account.from_key(key).address


def flask(*args: str) -> list[str]:
    return [str(VENV_BIN / "flask"), "--app", "app:create_app", "oracle", *args]


def rehearse(work: Path) -> list[tuple[str, float, int, int]]:
    """Runs the whole rehearsal in `work`; returns the steps' (name, seconds, transactions, gas)."""
    process, rpc_url = start_anvil(block_time=2, port=REHEARSAL_PORT)
    server = None
    try:
        run = Rehearsal(work, rpc_url)
        print(f"rehearsal chain: Anvil at prague, a block every 2 s, on {rpc_url}")
        run.step("deploy (brownie run scripts/deploy.py)",
                 [str(VENV_BIN / "brownie"), "run", "scripts/deploy.py", "--network", "anvil-rehearsal"])
        server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{run.app_port}", "--workers", "1",
                                   "--threads", "4", "app:create_app()"], cwd=ROOT, env=run.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_server(run.api_url, server)  # its schema made before the oracle's command opens the same file
        run.step("flask oracle open", flask("open", "--round", "1", "--closes-in", str(STAKING_SECONDS),
                                            "--resolves-in", str(STAKING_SECONDS + RESOLUTION_SECONDS),
                                            "--usd-staking", "300", "--usd-prize", "360.303", "--nmr", "1441.213"))
        for number, index in enumerate(STAKERS, start=1):
            env = {**run.env, "NMR_PRIVATE_KEY": run.keys[index]}
            run.step(f"staker {number}: example_model.py --stake",
                     [str(VENV_BIN / "python"), "examples/example_model.py", "--stake", str(5 * number),
                      "--confidence", "0.5", "--dir", str(work / f"staker{number}")], env=env)
        escrow_round = _round_view(run)
        waited = run.wait_until(escrow_round["closes_at"])
        print(f"{'(staking open until the close)':<40} {waited:7.1f} s", flush=True)
        run.step("flask oracle close", flask("close", "1"))
        run.step("flask oracle resolve", flask("resolve", "1"))
        run.step("flask oracle settle (after the window)", flask("settle", "1", "--wait", "300"))
        run.step("flask oracle finalize", flask("finalize", "1"))
        run.step("nmr verify", [str(ROOT / "bin" / "nmr"), "verify", "1"])
        total_seconds = sum(row[1] for row in run.rows) + waited
        total_gas = sum(row[3] for row in run.rows)
        print(f"{'whole round':<40} {total_seconds:7.1f} s {sum(r[2] for r in run.rows):5d} tx {total_gas:12,d} gas")
        return run.rows
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        stop(process)


def _wait_for_server(url: str, server: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"rehearsal: the app did not start on {url}")
        try:
            urllib.request.urlopen(f"{url}/api/v1/rounds/current", timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"rehearsal: the app did not answer on {url}")


def _round_view(run: Rehearsal) -> dict:
    from client.core.chain.contracts import Chain

    chain = Chain.connect(run.env["NMR_RPC_URL"], run.env["NMR_DEPLOYMENTS_FILE"])
    return chain.round(1)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as work:
        rehearse(Path(work))


if __name__ == "__main__":
    main()
