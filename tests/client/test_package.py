"""The client as its own package: a fresh venv with only ``pip install ./client`` runs
``nmr`` against the served app on a real Ganache, and has none of the server's packages.

The venv is made once per session (:mod:`tests.venvs`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account

from client import NumeraireClient
from tests import venvs
from tests.client.conftest import NMR, STAKER, write_predictions


@pytest.fixture(scope="session")
def client_venv(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv holding only the client distribution."""
    try:
        return venvs.client_venv(tmp_path_factory.mktemp("client-venv"))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot create a virtual environment here ({exc}); the package test needs python -m venv")


def run(bin_dir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return venvs.run_in(bin_dir, *args, cwd=cwd, **env)


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
    [record] = [r for r in reader.chain().stake_records(round_number) if r.model == staker]
    assert record.submission_hash == file_hash


def test_installed_nmr_refuses_a_bad_file_with_the_servers_words(client_venv, server, round_number, tmp_path):
    (tmp_path / "bad.csv").write_text("id,probability\nnot-an-id,2\n")
    dataset = run(client_venv, "nmr", "download", "--dest", ".", cwd=tmp_path, NMR_API_URL=server)
    assert dataset.returncode == 0, dataset.stderr
    checked = run(client_venv, "nmr", "check", "bad.csv", cwd=tmp_path, NMR_API_URL=server)
    assert checked.returncode == 1 and "bad.csv was not accepted" in checked.stderr + checked.stdout
    assert "Traceback" not in checked.stderr



def test_the_client_names_the_version_its_distribution_has():
    import tomllib

    from client import settings

    pyproject = Path(__file__).resolve().parents[2] / "client" / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    assert settings.CLIENT_VERSION == project["version"]
