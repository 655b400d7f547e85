"""The round page's "Submit from a script" panel: its lines, copied as a data scientist
would (the token filled in), upload for real — the `nmr` lines in a shell, the numerapi
lines in a fresh Python — and name this server's URL."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from app import store
from tests.app.numerapi.conftest import ROUND, csv_bytes

ROOT = Path(__file__).resolve().parents[3]


def _panel_lines(base: str, block: str) -> str:
    page = requests.get(f"{base}/", timeout=10).text
    found = re.search(rf'<pre id="{block}"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert found, f"no {block} block on the round page"
    return html.unescape(found.group(1))


def test_the_panels_lines_upload_with_a_token_from_a_shell_and_from_numerapi(server, app, token, alice,
                                                                             make_predictions, tmp_path):
    (tmp_path / "predictions.csv").write_bytes(csv_bytes(make_predictions(1)))
    public_id, secret = token(alice)

    shell = _panel_lines(server, "script-nmr")
    assert f"NMR_API_URL={server}" in shell
    done = subprocess.run(["bash", "-c", shell.replace("PUBLIC$SECRET", f"{public_id}${secret}")], cwd=tmp_path,
                          env={**os.environ, "PATH": f"{ROOT / 'bin'}:{os.environ['PATH']}"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with app.app_context():
        first = store.current_submission(ROUND, alice)
    assert first is not None and first.original_filename == "predictions.csv"

    (tmp_path / "predictions.csv").write_bytes(csv_bytes(make_predictions(2)))
    script = _panel_lines(server, "script-numerapi")
    assert f'API_TOURNAMENT_URL = "{server}/graphql"' in script
    done = subprocess.run([sys.executable, "-c", script.replace('"PUBLIC", "SECRET"', f'"{public_id}", "{secret}"')],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with app.app_context():
        second = store.current_submission(ROUND, alice)
    assert second is not None and second.id != first.id  # the numerapi upload is the current file now


def test_a_closed_round_shows_no_panel(server, app):
    assert 'id="submit-from-a-script"' in requests.get(f"{server}/", timeout=10).text
    with app.app_context():
        store.set_round_status(ROUND, "closed")
    page = requests.get(f"{server}/", timeout=10).text
    assert 'id="submit-from-a-script"' not in page and "are closed" in page
