"""The client installs and imports without the server: ``import client`` and the CLI load
neither Flask nor SQLAlchemy nor the scoring engine's sklearn/scipy, nor anything of app/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_verify_without_the_verify_extra_says_how_to_install_it():
    probe = (
        "import sys; sys.modules['sklearn'] = None  # as if the verify extra were not installed\n"
        "from client import NumeraireClient, NumeraireError\n"
        "try:\n    NumeraireClient('http://127.0.0.1:9', progress=False).verify(1)\n"
        "except NumeraireError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "needs the client's verify extra" in result.stdout
    assert "pip install './client[verify]'" in result.stdout


def test_the_money_core_imports_without_the_server():
    probe = (
        "import json, sys; import client.core.money.verify; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'app'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
