"""The README's run command, started in the background as a newcomer would: the app comes
up, the example model plays through the client, the round settles on its own, and Ctrl-C
leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import requests
from eth_account import Account

from client.api import NumeraireClient
from client.core.chain.signing import key_from_mnemonic
from client.core.money.verify import verify_published
from tests import venvs
from tests.figures import FIGURES
from tools.ganache import TEST_MNEMONIC, free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(condition, timeout: float, what: str, process: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run command exited early while waiting for {what}")
        value = condition()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _get(url: str):
    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException:
        return None
    return response.json() if response.ok else None


def _start(tmp_path: Path, rpc_port: int, app_port: int, log_name: str = "run.log",
           **extra_env: str) -> tuple[subprocess.Popen, Path]:
    """tools/run.sh (what `make run` runs) on the given ports with its state under tmp_path."""
    env = {
        **os.environ,
        "NMR_RPC_PORT": str(rpc_port), "NMR_APP_PORT": str(app_port),
        "NMR_DEVCHAIN_DIR": str(tmp_path / "chain"), "NMR_DEPLOYMENTS_FILE": str(tmp_path / "deployments.json"),
        "NMR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "NMR_DATA_DIR": str(tmp_path / "data"),
        "NMR_SECRET_KEY": "run-command-test", "NMR_DEMO_CLOSES_IN": "100", "NMR_DEV_MNEMONIC": TEST_MNEMONIC,
        **extra_env,
    }
    with open(tmp_path / log_name, "w") as log:
        process = subprocess.Popen(["bash", str(ROOT / "tools" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, tmp_path / log_name


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person stops `make run` (SIGKILL if it hangs)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def running(tmp_path):
    """tools/run.sh (what `make run` runs) on free ports with its state under tmp_path."""
    rpc_port, app_port = free_port(), free_port()
    process, log = _start(tmp_path, rpc_port, app_port)
    try:
        yield process, f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rpc_port}", log
    finally:
        _stop(process)


def test_run_command_serves_a_living_tournament(running, tmp_path, record_property):
    process, api, _, log_path = running
    # An auditor's venv with only the client and its verify extra, built while the app boots.
    auditor = ThreadPoolExecutor(1)
    auditor_venv = auditor.submit(_timed, venvs.client_venv, tmp_path / "auditor", ("verify",))
    page = _wait_for(lambda: _get(f"{api}/api/v1/rounds/current"), 240, "the app to serve a round", process)
    number = page["round"]["number"]
    assert page["round"]["status"] == "open"

    key = key_from_mnemonic(TEST_MNEMONIC, 10)
    env = {**os.environ, "NMR_API_URL": api, "NMR_PRIVATE_KEY": key}
    example = subprocess.run([sys.executable, str(ROOT / "examples" / "example_model.py"), "--stake", "7",
                              "--confidence", "0.5"], env=env, capture_output=True, text=True, timeout=180,
                             check=False)
    assert example.returncode == 0, example.stderr
    client = NumeraireClient(api, private_key=key, progress=False)
    assert client.stake_of(number)["amount"] == 7 * 10**18

    def finalized():
        results = _get(f"{api}/api/v1/rounds/{number}")
        return results if results and results["round"]["status"] == "finalized" else None

    results = _wait_for(finalized, 420, f"round {number} to settle on its own", process)
    board = _get(f"{api}/api/v1/leaderboard?round={number}")
    mine = next(r for r in board["rows"] if r["address"] == client.address)
    assert mine["stake_wei"] == str(7 * 10**18)
    assert len(board["rows"]) >= 5, "the simulated participants play too"
    # The demo round funds both pools and pays both tokens.
    assert int(results["usd_paid"]) > 0 and int(results["nmr_paid"]) > 0, results
    assert client.stake_of(number)["status"] == "settled"
    _assert_banner(log_path.read_text(), api, key)
    # Later rounds opened on the schedule meanwhile, whatever this one was doing.
    newer = (_get(f"{api}/api/v1/rounds/current") or {}).get("round") or {}
    assert newer.get("number", 0) > number and newer.get("status") == "open", newer

    # Anyone can check the round with the client alone: no server package in that venv.
    bin_dir, seconds = auditor_venv.result(timeout=600)
    auditor.shutdown()
    record_property(FIGURES, f"client[verify] venv installed in {seconds:.0f} s")
    assert "No module named 'app'" in venvs.run_in(bin_dir, "python", "-c", "import app", cwd=tmp_path).stderr
    verified = venvs.run_in(bin_dir, "nmr", "--json", "verify", str(number), cwd=tmp_path, NMR_API_URL=api)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] and report["mismatches"] == [] and report["state"] == "finalized", report
    assert any("on-chain settlements" in line for line in report["checked"]), report


def _timed(function, *args):
    started = time.monotonic()
    return function(*args), time.monotonic() - started


def _assert_banner(log: str, api: str, key: str) -> None:
    """The banner's next three steps, and the wallets' balances as the chain had them then:
    wallet 11 untouched (Ganache's 1,000 ETH, the deployment's NMR and USD); wallet 10 maybe
    already spent by the example model the test runs meanwhile."""
    rpc = log.split("(chain ", 1)[1].split(",", 1)[0]
    for line in (f"Numeraire Tournament is running: {api}", f"{api}/stake", f"RPC URL {rpc}, chain id 1337",
                 "Two wallets for you", f"export NMR_PRIVATE_KEY=0x{key.removeprefix('0x')}",
                 f"export NMR_API_URL={api}", ".venv/bin/python examples/example_model.py --stake 10", "bin/nmr status"):
        assert line in log, line
    first, second = (Account.from_key(key_from_mnemonic(TEST_MNEMONIC, index)).address for index in (10, 11))
    assert re.search(rf"{first}  holds [\d,]+\.\d\d ETH, [\d,]+\.\d\d NMR, \$[\d,]+\.\d\d TestUSD\n", log), log[-3000:]
    assert f"{second}  holds 1,000.00 ETH, 10,000.00 NMR, $1,000.00 TestUSD" in log, log[-3000:]
    assert "100 ETH" not in log


def test_ctrl_c_stops_everything(running):
    process, api, _, _ = running
    _wait_for(lambda: _get(f"{api}/api/v1/rounds/current"), 240, "the app to serve a round", process)
    children = psutil.Process(process.pid).children(recursive=True)
    assert any("ganache" in " ".join(p.cmdline()) for p in children)
    assert any("gunicorn" in " ".join(p.cmdline()) for p in children)
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    time.sleep(1)
    assert [p.pid for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []


def _rounds(api: str) -> list[dict]:
    return (_get(f"{api}/api/v1/rounds") or {}).get("rounds") or []


def test_rounds_in_flight_survive_a_stop_in_the_challenge_window_and_one_past_the_deadline(tmp_path, record_property):
    rpc_port, app_port = free_port(), free_port()
    api, rpc = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rpc_port}"
    # A window long enough to stop and start again inside it; a round every 80 s.
    schedule = {"NMR_CHALLENGE_WINDOW": "150", "NMR_ROUND_EVERY": "80", "NMR_ROUND_LIVE_SECONDS": "60"}
    process, _ = _start(tmp_path, rpc_port, app_port, **schedule)
    try:
        def committed_round():
            for entry in _rounds(api):
                if entry.get("state") == "committed":
                    return entry
            return None

        started = time.monotonic()
        committed = _wait_for(committed_round, 480, "a round in its challenge window", process)
        number = committed["number"]

        def three_in_flight():
            """The committed round, one waiting for live data or closing, one open (the next
            round may open a few seconds after the first commit: the window is 150 s)."""
            states = {e["number"]: e["state"] for e in _rounds(api)
                      if e["status"] not in ("finalized", "expired", "voided")}
            ready = len(states) >= 3 and "open" in states.values() and states.get(number) == "committed"
            return states if ready else None

        in_flight = _wait_for(three_in_flight, 100, f"three rounds in flight with round {number} committed", process)
        staker = NumeraireClient(api, private_key=key_from_mnemonic(TEST_MNEMONIC, 3), progress=False)
    finally:
        _stop(process)
    stopped_in_window = time.monotonic()

    process, log = _start(tmp_path, rpc_port, app_port, "restart.log", **schedule)
    try:
        def ended(n):
            results = _get(f"{api}/api/v1/rounds/{n}") or {}
            return results if (results.get("round") or {}).get("status") in ("finalized", "voided") else None

        results = _wait_for(lambda: ended(number), 300, f"round {number} to end after the restart", process)
        restarted_in = time.monotonic() - stopped_in_window
        assert results["chain_state"]["finalized"], results["chain_state"]
        # What the page calls paid is the chain's: recorded from the escrow when the round ended.
        assert results["paid_source"] == "recorded from the chain when the round ended"
        assert results["planned_unpaid"] is False
        assert "retrying" not in log.read_text()
        # Anyone can check the round from its published files against the chain.
        verdict = verify_published(tmp_path / "data" / "published" / f"round-{number}", rpc)
        assert verdict.ok, verdict.mismatches
    finally:
        _stop(process)
    # Started again two hours later (by the chain's clock): past every round's oracle deadline.
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    process, log = _start(tmp_path, rpc_port, app_port, "late.log", NMR_CHAIN_TIME=later, **schedule)
    try:
        newest = max(in_flight)

        def all_ended():
            rounds = {e["number"]: e["status"] for e in _rounds(api)}
            old = [rounds.get(n) for n in range(1, newest + 1)]
            return rounds if all(s in ("finalized", "expired", "voided") for s in old) else None

        rounds = _wait_for(all_ended, 300, "every round of before the stop to end", process)
        assert "expired" in rounds.values(), rounds
        expired = [n for n, s in rounds.items() if s == "expired" and n <= newest]
        _wait_for(lambda: all(staker.stake_of(n)["status"] in ("withdrawn", "none", "settled") for n in expired), 120,
                  "the demo's stakers to take back their expired stakes", process)
        assert "escape-hatch" in log.read_text()
    finally:
        _stop(process)
    record_property(FIGURES, f"run command: round {number} committed after {stopped_in_window - started:.0f} s; stopped in its window, "
          f"restarted and finalized {restarted_in:.0f} s later; rounds past the deadline: {expired}")
