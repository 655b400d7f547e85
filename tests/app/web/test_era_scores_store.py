"""``Score.era_scores`` in the store: what ``save_scores`` accepts and refuses, how a
model's rounds serve it, and an older database gaining the column on start, its rows
read as having no era scores (numerapi's per-era entries fall back to ``per_era``).

Every store test runs on SQLite and on a throwaway PostgreSQL server (tests/postgres.py);
the migration test is SQLite's (its old schema is a SQLite script)."""

from __future__ import annotations

import math
import sqlite3

import pytest
from sqlalchemy import inspect

from app import create_app, db, reports, store
from tests.app.web.test_store import HUGE, OLD_SCHEMA, A

BOTH_DATABASES = True  # tests/postgres.py
ERAS = [
    {"era": "era4", "data_type": "validation", "logloss": 0.69, "corr": 0.02, "mmc": None, "fnc": 0.01},
    {"era": "era7", "data_type": "live", "logloss": 0.68, "corr": 0.05, "mmc": -0.01, "fnc": None},
]


def test_era_scores_are_stored_and_served_with_the_model_rounds(app, alice):
    with app.app_context():
        store.set_round_status(7, "resolved")
        store.save_scores(7, [{"address": alice.address, "live_logloss": 0.68, "era_scores": ERAS},
                              {"address": f"{alice.address}-1", "live_logloss": 0.7}])  # fmt: skip
        [score] = store.user_scores(alice.address)
        assert score.era_scores == ERAS
        [row] = reports.account_results(alice.address)["scores"]
        assert row["era_scores"] == ERAS
        # A row saved without them (an older oracle, a hand-made row) serves an empty list.
        assert store.user_scores(f"{alice.address}-1")[0].era_scores is None
        assert reports.account_results(f"{alice.address}-1")["scores"][0]["era_scores"] == []


@pytest.mark.parametrize(("era_scores", "message"), [
    ({"era7": 0.6}, "era_scores must be a list of eras, not dict"),
    ([{"data_type": "live", "corr": 0.1}], "every entry needs an era name"),
    (["era7"], "every entry needs an era name"),
    ([{"era": "era7", "corr": math.nan}], "era7 corr must be a finite number or null"),
    ([{"era": "era7", "mmc": math.inf}], "era7 mmc must be a finite number or null"),
    ([{"era": "era7", "fnc": "0.1"}], "era7 fnc must be a finite number or null"),
    ([{"era": "era7", "logloss": True}], "era7 logloss must be a finite number or null"),
    ([{"era": "era7", "tc": 0.1}], r"era7: unknown field\(s\) tc"),
])  # fmt: skip
def test_bad_era_scores_are_refused_saying_why(app, alice, era_scores, message):
    with app.app_context():
        with pytest.raises(store.StoreError, match=message):
            store.save_scores(7, [{"address": alice.address, "era_scores": era_scores}])
        assert store.round_scores(7) == []  # nothing written


def test_an_older_database_gains_era_scores_and_its_rows_fall_back_to_per_era(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_SCHEMA.format(a=A, huge=HUGE))
        connection.execute("""UPDATE scores SET per_era = '{"era5": 0.69, "era6": 0.67}'""")
    application = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{path}",
                              "DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    engine = application.extensions["db"].engine
    assert "era_scores" in {c["name"] for c in inspect(engine).get_columns("scores")}
    assert db.add_missing_columns(engine) == []  # idempotent
    with application.app_context():
        [score] = store.round_scores(3)
        assert score.era_scores is None and score.per_era == {"era5": 0.69, "era6": 0.67}
        assert reports.account_results(A)["scores"][0]["era_scores"] == []
    query = """query($m: String!) { v2RoundModelPerformances(modelId: $m, tournament: 8) {
                 intraRoundSubmissionScores { day era displayName value percentile } } }"""
    body = application.test_client().post("/graphql", json={"query": query, "variables": {"m": A}}).get_json()
    [performance] = body["data"]["v2RoundModelPerformances"]
    assert performance["intraRoundSubmissionScores"] == [
        {"day": 1, "era": "era5", "displayName": "logloss", "value": 0.69, "percentile": None},
        {"day": 2, "era": "era6", "displayName": "logloss", "value": 0.67, "percentile": None},
    ]
