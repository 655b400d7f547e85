"""The example model script, end to end on a full-size round: download, train, upload,
stake (its run time is a figure for a benchmark, not something this test times)."""

from __future__ import annotations

import os
import subprocess
import sys

from client import NumeraireClient
from tests.client.conftest import NMR, ROOT, STAKER, open_next_round


def test_example_model_uploads_and_stakes(app, server, keys, tmp_path):
    number = open_next_round(app, dataset_options=None)
    env = {**os.environ, "NMR_API_URL": server, "NMR_PRIVATE_KEY": keys[STAKER]}
    for name in ("NMR_API_TOKEN", "NMR_KEYSTORE", "NMR_RPC_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "example_model.py"), "--stake", "25", "--confidence", "0.3",
         "--dir", str(tmp_path)],
        check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"round {number}: uploaded" in result.stdout and "staked 25 NMR at confidence 0.3: tx 0x" in result.stdout

    client = NumeraireClient(server, private_key=keys[STAKER], progress=False)
    file_hash = client.submission_hash(number)
    assert f"hash {file_hash}" in result.stdout
    assert client.stake_of(number) == {"amount": 25 * NMR, "confidence": 3 * NMR // 10, "status": "active",
                                      "rolls": False}
    (record,) = client.chain().stake_records(number)
    assert record.submission_hash == file_hash
    metrics = client.current_round(mine=True)["my_submission"]["metrics"]
    assert metrics["validation_logloss"] < 0.6932  # the model learned something
