"""The client installs and imports without the server: ``import client`` and the CLI load
neither Flask nor SQLAlchemy nor the scoring engine's sklearn/scipy, nor anything of app/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = ("flask", "sqlalchemy", "sklearn", "scipy", "app")


def test_import_client_and_cli_loads_nothing_of_the_server():
    probe = (
        "import json, sys; import client; import client.cli; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_ONLY!r})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_verify_without_the_server_package_says_what_is_missing(monkeypatch):
    from client import NumeraireClient, NumeraireError

    monkeypatch.setitem(sys.modules, "app.verify", None)  # as if app/ were not installed
    with pytest.raises(NumeraireError, match=r"verify recomputes the scores with the tournament server's package"):
        NumeraireClient("http://127.0.0.1:9", progress=False).verify(1)
