"""Sealed rounds on the web side (docs/sealed.md): the commitment before the close stores
a hash and a shape and nothing else, the reveal after it is checked against that hash,
and the pages, the rules and numerapi say so. The chain's clock is set by the tests."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect

from app import create_app, db, store
from app.web import performance, sealed
from client.core.predictions import canonical_hash
from tests.app.web.conftest import ROUND
from tests.support import (
    database_texts,
    folder_texts,
    predictions_found,
    probability_texts,
)

REVEAL_WINDOW = timedelta(hours=1)


@pytest.fixture
def clock(app, monkeypatch):
    """The chain's clock, in seconds: ``clock["now"]`` (starts before the close)."""
    with app.app_context():
        row = store.get_round(ROUND)
        row.sealed, row.live_until = True, row.closes_at + 2 * REVEAL_WINDOW
        row.reveal_until = row.closes_at + REVEAL_WINDOW
        store.get_session().commit()
        times = {"closes": int(row.closes_at.timestamp()), "until": int(row.reveal_until.timestamp())}
    reading = {"now": times["closes"] - 60, **times}
    monkeypatch.setattr(sealed.reads, "now", lambda: reading["now"])
    return reading


def close(clock, app) -> None:
    """The round closed on chain, and marked closed by the oracle."""
    clock["now"] = clock["closes"] + 1
    with app.app_context():
        store.set_round_status(ROUND, "closed")


def frame_of(body: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(body), dtype={"id": str})


def commitment(body: bytes, **changes) -> dict:
    frame = frame_of(body)
    return {"hash": canonical_hash(frame), "rows": len(frame), "columns": ["id", "probability"],
            "filename": "secret.csv", **changes}


def commit(client, headers, payload: dict):
    return client.post(f"/api/v1/rounds/{ROUND}/commitments", json=payload, headers=headers)


def reveal(client, headers, body: bytes, name: str = "secret.csv"):
    return client.post(f"/api/v1/rounds/{ROUND}/reveals", data={"file": (io.BytesIO(body), name)}, headers=headers)


def leaked(app, body: bytes) -> set[str]:
    """The file's probabilities found in any database row or any file under DATA_DIR but
    the round's own dataset."""
    corpus = database_texts(app) + folder_texts(Path(app.config["DATA_DIR"]), skip=["datasets"])
    return predictions_found(probability_texts(frame_of(body)), corpus)


def test_a_commitment_stores_the_hash_and_shape_and_nothing_else(signed_in, csrf_headers, make_predictions, app,
                                                                   clock):
    body = make_predictions()
    response = commit(signed_in, csrf_headers(signed_in), commitment(body))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["accepted"] and answer["awaiting_reveal"] and answer["hash"] == commitment(body)["hash"]
    assert answer["metrics"] == {"columns": ["id", "probability"]} and answer["format"] == "sealed"
    assert answer["sealed"]["reveal_until"].endswith("Z") and answer["sealed"]["accepted"] is False
    with app.app_context():
        [row] = store.list_submissions(ROUND)
        assert (row.stored_path, row.rows, row.file_format, row.revealed_at) == ("", len(frame_of(body)), "sealed", None)
    assert not list((Path(app.config["DATA_DIR"]) / "uploads").rglob("*.csv"))
    assert leaked(app, body) == set()


@pytest.mark.parametrize(("changes", "status", "words"), [
    ({"hash": "0x1234"}, 400, "64 hex digits"),
    ({"hash": "0x" + "0" * 64}, 400, "all zeros"),
    ({"rows": True}, 400, "row count"),
    ({"columns": "id,probability"}, 400, "column names"),
    ({"rows": 5}, 422, "tournament ids"),
    ({"columns": ["id", "probability", "era"]}, 422, "unexpected column 'era'"),
    ({"columns": ["id"]}, 422, "no 'probability' column"),
])
def test_an_impossible_commitment_is_refused_and_leaves_no_trace(signed_in, csrf_headers, make_predictions, clock,
                                                                  snapshot, changes, status, words):
    before = snapshot()
    response = commit(signed_in, csrf_headers(signed_in), commitment(make_predictions(), **changes))
    assert response.status_code == status
    answer = response.get_json()
    said = answer["error"]["message"] if "error" in answer else " ".join(answer["problems"])
    assert words in said
    assert snapshot() == before


def test_no_commitment_after_the_close(signed_in, csrf_headers, make_predictions, app, clock, snapshot):
    with app.app_context():
        row = store.get_round(ROUND)
        row.closes_at = store.utcnow() - timedelta(seconds=1)
        store.get_session().commit()
    before = snapshot()
    response = commit(signed_in, csrf_headers(signed_in), commitment(make_predictions()))
    assert response.status_code == 409 and "closed to uploads" in response.get_json()["error"]["message"]
    assert snapshot() == before


def test_an_open_round_takes_no_commitment(signed_in, csrf_headers, make_predictions):
    response = commit(signed_in, csrf_headers(signed_in), commitment(make_predictions()))
    assert response.status_code == 409 and "not sealed" in response.get_json()["error"]["message"]


def test_a_whole_file_is_refused_by_a_sealed_round_through_the_api_and_the_form(signed_in, csrf_headers,
                                                                                make_predictions, clock, snapshot):
    before = snapshot()
    body = make_predictions()
    api = signed_in.post(f"/api/v1/rounds/{ROUND}/submissions", data={"file": (io.BytesIO(body), "p.csv")},
                         headers=csrf_headers(signed_in))
    assert api.status_code == 409 and "nmr upload FILE" in api.get_json()["error"]["message"]
    form = signed_in.post(f"/rounds/{ROUND}/upload", data={"file": (io.BytesIO(body), "p.csv"),
                                                           "csrf_token": csrf_headers(signed_in)["X-CSRF-Token"]})
    assert form.status_code == 409 and "is sealed" in form.get_data(as_text=True)
    assert snapshot() == before


def wait_for_performance(app, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not performance.idle(ROUND, str(app.config["DATABASE_URL"])):
        assert time.monotonic() < deadline, "the Performance panel never finished"
        time.sleep(0.05)


def test_the_committed_file_revealed_after_the_close_is_stored_and_scored(signed_in, csrf_headers, make_predictions,
                                                                          app, clock):
    body = make_predictions()
    commit(signed_in, csrf_headers(signed_in), commitment(body))
    close(clock, app)
    response = reveal(signed_in, csrf_headers(signed_in), body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["awaiting_reveal"] is False and answer["revealed_at"] and answer["format"] == "csv"
    assert 0.6 < answer["metrics"]["validation_logloss"] < 0.7 and answer["metrics"]["columns"] == ["id", "probability"]
    wait_for_performance(app)
    with app.app_context():
        [row] = store.list_submissions(ROUND)
        assert "0x" + hashlib.sha256(Path(row.stored_path).read_bytes()).hexdigest() == row.hash == answer["hash"]
        assert row.metrics["performance"]["original"] is True and "concordance" in row.metrics["performance"]
    again = reveal(signed_in, csrf_headers(signed_in), body)  # a retry answers with the same file
    assert again.status_code == 201 and again.get_json()["id"] == answer["id"]


def test_a_file_that_does_not_match_the_commitment_is_refused_and_changes_nothing(signed_in, csrf_headers,
                                                                                  make_predictions, app, clock,
                                                                                  snapshot):
    committed = make_predictions(seed=1)
    commit(signed_in, csrf_headers(signed_in), commitment(committed))
    close(clock, app)
    before = snapshot()
    other = make_predictions(seed=2)
    response = reveal(signed_in, csrf_headers(signed_in), other)
    assert response.status_code == 409
    message = response.get_json()["error"]["message"]
    assert canonical_hash(frame_of(other)) in message and commitment(committed)["hash"] in message
    assert "Nothing was stored" in message
    assert snapshot() == before
    assert not list((Path(app.config["DATA_DIR"]) / "uploads").rglob("*.csv"))
    bad = reveal(signed_in, csrf_headers(signed_in), b"id,probability\nnope,2\n")
    assert bad.status_code == 422 and bad.get_json()["problems"]
    assert snapshot() == before


def test_no_reveal_before_the_close_nor_after_the_deadline(signed_in, csrf_headers, make_predictions, app, clock,
                                                           snapshot):
    body = make_predictions()
    commit(signed_in, csrf_headers(signed_in), commitment(body))
    before = snapshot()
    early = reveal(signed_in, csrf_headers(signed_in), body)
    assert early.status_code == 409 and "still open" in early.get_json()["error"]["message"]
    assert snapshot() == before
    close(clock, app)
    clock["now"] = clock["until"]
    before = snapshot()
    late = reveal(signed_in, csrf_headers(signed_in), body)
    assert late.status_code == 410
    assert "released without reward" in late.get_json()["error"]["message"]
    assert snapshot() == before


def test_the_pages_say_the_round_is_sealed_until_when_and_which_files_await_reveal(signed_in, csrf_headers,
                                                                                   make_predictions, app, clock):
    body = make_predictions()
    answer = commit(signed_in, csrf_headers(signed_in), commitment(body)).get_json()
    page = signed_in.get("/").get_data(as_text=True)
    assert 'id="sealed"' in page and 'id="upload-form"' not in page and 'id="sealed-upload"' in page
    assert answer["hash"] in page.split('id="awaiting-reveal"', 1)[1].split("</ul>", 1)[0]
    assert 'id="script-numerapi-sealed"' in page and 'id="submission-sealed"' in page
    assert 'id="performance"' not in page  # nothing to measure before the reveal
    api = signed_in.get("/api/v1/rounds/current").get_json()
    assert api["round"]["sealed"] is True and api["sealed"]["awaiting"][0]["hash"] == answer["hash"]
    results = signed_in.get(f"/api/v1/rounds/{ROUND}").get_json()
    assert results["sealed"]["reveal_until"] == api["round"]["reveal_until"]
    assert 'id="reveal-until"' in signed_in.get(f"/rounds/{ROUND}").get_data(as_text=True)
    close(clock, app)
    reveal(signed_in, csrf_headers(signed_in), body)
    assert signed_in.get("/api/v1/rounds/current").get_json()["sealed"]["awaiting"] == []


def test_the_rules_explain_sealed_rounds_with_a_worked_example(client, clock):
    page = client.get("/rules").get_data(as_text=True)
    section = page.split('id="sealed-rounds"', 1)[1].split("</section>", 1)[0]
    assert "released without reward" in section and 'id="sealed-example"' in section
    example = client.get("/api/v1/rules").get_json()["sealed"]
    text = example["text"].encode()
    assert "0x" + hashlib.sha256(text).hexdigest() == example["hash"] != example["changed_hash"]
    never = example["rows_table"][1]
    assert never["revealed"] is False and never["burn_wei"] == "0" and never["usd_reward"] == "0"
    assert never["reason"].startswith("released without reward: sealed file not revealed by 20")
    assert 'id="rules-sealed"' in page


def test_an_older_database_gains_the_sealed_columns_and_its_rows_are_open_books(app, signed_in, csrf_headers,
                                                                               make_predictions):
    body = make_predictions()
    assert signed_in.post(f"/api/v1/rounds/{ROUND}/submissions", data={"file": (io.BytesIO(body), "p.csv")},
                          headers=csrf_headers(signed_in)).status_code == 201
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    app.extensions["db"].engine.dispose()
    with sqlite3.connect(path) as connection:  # the tables as a version before sealed rounds made them
        for table, column in (("rounds", "sealed"), ("rounds", "reveal_until"), ("submissions", "revealed_at")):
            connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    again = create_app({**app.config, "TESTING": True})
    engine = again.extensions["db"].engine
    assert {"sealed", "reveal_until"} <= {c["name"] for c in inspect(engine).get_columns("rounds")}
    assert db.add_missing_columns(engine) == []  # idempotent
    with again.app_context():
        row = store.get_round(ROUND)
        assert row.sealed is False and row.reveal_until is None and sealed.reveal_window(row) is None
        [submission] = store.list_submissions(ROUND)
        assert submission.revealed_at is None and not submission.awaiting_reveal
