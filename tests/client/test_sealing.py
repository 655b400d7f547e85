"""The client in a sealed round, against the real app and Ganache: ``upload_predictions``
seals the file (hash and shape sent, a local copy kept), ``reveal_predictions`` and
``nmr reveal`` send it once the round has closed on chain, and not after its deadline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import oracle, store
from client.cli import main
from client.core.money.stakes import Pools
from tests.client.conftest import (
    CLOSES_IN,
    DATASET,
    NMR,
    RESOLVES_IN,
    STAKER,
    USD,
    advance_chain_time,
    write_predictions,
)

REVEAL_IN = 200


@pytest.fixture
def round_number(app, server) -> int:
    """A new sealed round: reveals for REVEAL_IN s after its close, live targets later."""
    with app.app_context():
        number = max((r.number for r in store.list_rounds()), default=0) + 1
        oracle.open_round(number, closes_in=CLOSES_IN, live_in=CLOSES_IN + 2 * REVEAL_IN, resolves_in=RESOLVES_IN,
                          pools=Pools(100 * USD, 50 * USD, 100 * NMR), dataset_options=DATASET, sealed=True,
                          reveal_in=REVEAL_IN, report=lambda _: None)
    return number


def stored(app, number: int) -> list[tuple[str, str]]:
    """The round's current submissions as (hash, stored path)."""
    with app.app_context():
        store.get_session().expire_all()
        return [(s.hash, s.stored_path) for s in store.list_submissions(number)]


def test_a_sealed_file_is_sealed_here_and_revealed_after_the_close(make_client, round_number, app, w3, tmp_path):
    nmr = make_client(sealed_dir=tmp_path / "sealed")
    path = write_predictions(nmr.download_dataset(tmp_path / "data"), tmp_path / "predictions.csv")
    sealed = nmr.upload_predictions(path)
    assert sealed["awaiting_reveal"] is True and sealed["format"] == "sealed" and sealed["metrics"] == {
        "columns": ["id", "probability"]}
    assert sealed["sealed"]["reveal_until"] and Path(sealed["record"]).is_file()
    assert stored(app, round_number) == [(sealed["hash"], "")]
    [pending] = nmr.pending_reveals(round_number)
    assert pending.hash == sealed["hash"] and Path(pending.copy).read_bytes() == path.read_bytes()
    original = path.read_bytes()
    path.write_text("id,probability\n")  # next round's file lands on the same name: the copy is what is revealed

    [waiting] = nmr.reveal_predictions()
    assert waiting["status"] == "waiting" and "closes on chain" in waiting["message"]
    assert stored(app, round_number) == [(sealed["hash"], "")]  # nothing left this machine

    advance_chain_time(w3, CLOSES_IN + 1)
    [revealed] = nmr.reveal_predictions()
    assert revealed["status"] == "revealed" and revealed["hash"] == sealed["hash"]
    assert revealed["submission"]["metrics"]["validation_logloss"] > 0
    [(file_hash, stored_path)] = stored(app, round_number)
    assert file_hash == sealed["hash"] and Path(stored_path).is_file()
    assert nmr.pending_reveals() == [] and not Path(sealed["record"]).exists()
    path.write_bytes(original)
    again = nmr.reveal_predictions(round_number, path=path)  # by hand, the same file: answered again
    assert again[0]["status"] == "revealed"


def test_a_file_sealed_too_late_to_reveal_is_dropped_and_scores_as_missing(make_client, round_number, app, w3,
                                                                           tmp_path):
    nmr = make_client(sealed_dir=tmp_path / "sealed")
    path = write_predictions(nmr.download_dataset(tmp_path / "data"), tmp_path / "predictions.csv")
    nmr.upload_predictions(path)
    advance_chain_time(w3, CLOSES_IN + REVEAL_IN + 1)
    [late] = nmr.reveal_predictions(round_number)
    assert late["status"] == "too late" and "released without reward" in late["message"]
    assert nmr.pending_reveals() == []
    assert [p for _h, p in stored(app, round_number)] == [""]


def test_nmr_upload_says_it_sealed_the_file_and_nmr_reveal_reveals_it(round_number, server, keys, w3, tmp_path,
                                                                      make_client):
    env = {"NMR_API_URL": server, "NMR_PRIVATE_KEY": keys[STAKER + 1], "NMR_API_TOKEN": None, "NMR_KEYSTORE": None,
           "NMR_RPC_URL": None, "NMR_SEALED_DIR": str(tmp_path / "sealed")}

    def nmr(*args: str) -> str:
        result = CliRunner().invoke(main, ["--quiet", *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    path = write_predictions(make_client(STAKER + 1).download_dataset(tmp_path / "data"), tmp_path / "p.csv")
    out = nmr("upload", str(path))
    assert f"sealed: round {round_number}" in out and "only this hash and the row count were sent" in out
    assert f"nmr reveal {round_number}" in out
    assert "waiting" in nmr("reveal")
    advance_chain_time(w3, CLOSES_IN + 1)
    out = json.loads(nmr("--json", "reveal", str(round_number)))
    assert [o["status"] for o in out] == ["revealed"]
    assert "nothing to reveal" in nmr("reveal")
