"""The client as its own package: a fresh venv with only ``pip install ./client`` runs
``nmr`` against the served app on a real Ganache, and has none of the server's packages.

The venv is made once per session; pip fetches from the machine's package index and
reuses its wheel cache (about 35 s the first time on a 2-core machine, less when cached)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
from eth_account import Account

from client import NumeraireClient
from tests.client.conftest import NMR, ROOT, STAKER, write_predictions

PACKAGE = ROOT / "client"


@pytest.fixture(scope="session")
def client_venv(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv holding only the client distribution."""
    folder = tmp_path_factory.mktemp("client-venv")
    try:
        venv.EnvBuilder(with_pip=True).create(folder / "venv")
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot create a virtual environment here ({exc}); the package test needs python -m venv")
    # Built from a copy, so the checkout gets no build/ or egg-info folders from the test.
    source = shutil.copytree(PACKAGE, folder / "src", ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    bin_dir = folder / "venv" / "bin"
    installed = subprocess.run([str(bin_dir / "pip"), "install", "-q", str(source)], capture_output=True, text=True,
                               timeout=900, check=False, cwd=folder, env=_isolated_env())
    assert installed.returncode == 0, installed.stderr[-3000:]
    return bin_dir


def _isolated_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would let the venv see the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("NMR_")}
    env["PATH"] = "/usr/bin:/bin"
    return {**env, **extra}


def run(bin_dir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, timeout=300,
                          check=False, cwd=cwd, env=_isolated_env(**env))


def test_the_venv_has_the_client_and_none_of_the_server(client_venv, tmp_path):
    where = run(client_venv, "python", "-c", "import client, client.core.chain; print(client.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(client_venv.parent)  # the installed copy, not the checkout
    for server_only in ("flask", "sqlalchemy", "app", "sklearn"):
        probe = run(client_venv, "python", "-c", f"import {server_only}", cwd=tmp_path)
        assert probe.returncode == 1 and f"No module named '{server_only}'" in probe.stderr
    assert "Commands:" in run(client_venv, "nmr", "--help", cwd=tmp_path).stdout


def test_installed_nmr_downloads_uploads_and_stakes(client_venv, server, round_number, keys, tmp_path):
    wallet = {"NMR_API_URL": server, "NMR_PRIVATE_KEY": keys[STAKER]}
    downloaded = run(client_venv, "nmr", "--json", "download", "--dest", "data", cwd=tmp_path, **wallet)
    assert downloaded.returncode == 0, downloaded.stderr
    dataset = Path(json.loads(downloaded.stdout)["path"])
    assert dataset.name == f"numerai_dataset_round{round_number}.parquet"

    write_predictions(tmp_path / dataset, tmp_path / "predictions.csv")
    uploaded = run(client_venv, "nmr", "--json", "upload", "predictions.csv", cwd=tmp_path, **wallet)
    assert uploaded.returncode == 0, uploaded.stderr
    file_hash = json.loads(uploaded.stdout)["hash"]

    staked = run(client_venv, "nmr", "--json", "stake", "7", "--confidence", "0.5", cwd=tmp_path, **wallet)
    assert staked.returncode == 0, staked.stderr
    assert json.loads(staked.stdout)["submission_hash"] == file_hash

    # What the server and the chain now hold, read from this (server-side) environment.
    reader = NumeraireClient(server, progress=False)
    staker = Account.from_key(keys[STAKER]).address
    assert reader.stake_of(round_number, staker)["amount"] == 7 * NMR
    [record] = [r for r in reader.chain().stake_records(round_number) if r.staker == staker]
    assert record.submission_hash == file_hash


def test_installed_nmr_refuses_a_bad_file_with_the_servers_words(client_venv, server, round_number, tmp_path):
    (tmp_path / "bad.csv").write_text("id,probability\nnot-an-id,2\n")
    dataset = run(client_venv, "nmr", "download", "--dest", ".", cwd=tmp_path, NMR_API_URL=server)
    assert dataset.returncode == 0, dataset.stderr
    checked = run(client_venv, "nmr", "check", "bad.csv", cwd=tmp_path, NMR_API_URL=server)
    assert checked.returncode == 1 and "bad.csv was not accepted" in checked.stderr + checked.stdout
    assert "Traceback" not in checked.stderr

