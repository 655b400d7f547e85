"""The store on a real SQLite file: the oracle's calls, exact amounts of both tokens, the
leaderboard/round results/account views, the added-columns migration of an older file,
no import circle; and config from env and the OpenAPI file covering the API."""

from __future__ import annotations

import ast
import math
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from eth_utils import to_checksum_address
from sqlalchemy import func, inspect, select

from app import config, create_app, db, reports, store
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

ROOT = Path(__file__).resolve().parents[3]
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)
HUGE = 2**200 + 1
# Checksummed, as the store writes every address (app.columns.Address).
A, B, C, D, E = (to_checksum_address("0x" + digit * 40) for digit in "abcde")


def test_oracle_round_lifecycle(app, alice):
    with app.app_context():
        assert store.set_round_status(7, "closed").status == "closed"
        assert store.save_scores(7, [{"address": alice.address, "live_logloss": 0.69, "stake_wei": 3 * 10**30}]) == 1
        assert store.save_scores(7, [{"address": alice.address, "live_logloss": 0.68}]) == 1  # replaces
        assert [s.live_logloss for s in store.round_scores(7)] == [0.68]
        plan_id = store.save_plan(7, {"stakers": [alice.address], "burns": ["0"], "rewards": ["5"]})
        assert store.latest_plan(7)["rewards"] == ["5"] and plan_id > 0
        store.record_transaction(7, "settle", 0, None, "pending")
        store.record_transaction(7, "settle", 0, "0x" + "01" * 32, "confirmed")  # resumed: same row updated
        store.record_transaction(7, "create", 0, "0x" + "02" * 32, "confirmed")
        assert [(t.kind, t.position, t.status) for t in store.list_transactions(7)] == [
            ("create", 0, "confirmed"), ("settle", 0, "confirmed")]  # in the order a round sends them
        store.record_chain_totals(7, paid_usd=1, paid_nmr=2, burned_nmr=3, returned_usd=4, returned_nmr=12,
                                  unsettled_stakes=0)
        done = store.set_round_status(7, "finalized", resolved_at=store.utcnow())
        assert reports.chain_totals(done) == {"usd_paid": 1, "nmr_paid": 2, "burned": 3, "usd_returned": 4,
                                            "nmr_returned": 12}
        assert done.resolved_at is not None and store.rounds_in_flight() == []


def test_wei_beyond_64_bits_round_trips(app, alice):
    with app.app_context():
        store.save_scores(7, [{"address": alice.address, "stake_wei": 2**200, "nmr_reward": 1}])
        assert store.round_scores(7)[0].stake_wei == 2**200


def test_new_score_fields_round_trip_exactly(app, alice):
    amounts = {key: HUGE + i for i, key in enumerate(store.SCORE_AMOUNTS)}
    reason = "in the money: stake back + $500 " + "x" * (store.REASON_MAX_CHARS - 32)
    with app.app_context():
        store.save_scores(7, [{"address": alice.address, **amounts, "prize_rank": 3, "reason": reason}])
    with app.app_context():  # a new session: the values come back from the file
        [score] = store.round_scores(7)
        assert {key: getattr(score, key) for key in store.SCORE_AMOUNTS} == amounts
        assert (score.prize_rank, score.reason) == (3, reason)


def test_pools_and_funder_round_trip_exactly(app):
    with app.app_context():
        store.create_round(8, closes_at=NOON, resolves_by=NOON + timedelta(hours=1),
                           usd_staking_pool=HUGE, usd_prize_pool=HUGE + 1, nmr_pool=HUGE + 2)  # fmt: skip
        store.set_round_funding(8, usd_prize_pool=HUGE + 3, funder=A)
        store.set_round_status(8, "expired")
    with app.app_context():
        row = store.get_round(8)
        assert (row.usd_staking_pool, row.usd_prize_pool, row.nmr_pool) == (HUGE, HUGE + 3, HUGE + 2)
        assert (row.funder, row.status) == (A, "expired")


def test_views_carry_no_old_names_of_amounts():
    old = {"reward_wei", "round_nmr_wei", "reward_budget_wei", "paid_wei", "burned_wei", "career_nmr_wei"}
    assert not old & set(reports.score_view(store.Score()))


def test_addresses_are_stored_checksummed_and_found_however_cased(app):
    lower = A.lower()
    with app.app_context():
        store.create_round(9, closes_at=NOON, resolves_by=NOON + timedelta(hours=1))
        store.set_round_funding(9, funder=lower)
        store.ensure_user(lower)
    with app.app_context():
        assert store.get_round(9).funder == A
        assert store.get_user(lower).address == A
        assert store.get_user(A.upper().replace("0X", "0x")).address == A


def test_a_string_that_is_not_an_address_is_never_stored(app):
    # Past the store's own checks (funder: a clear error), the column type still refuses it.
    with app.app_context():
        session = store.get_session()
        session.add(store.User(address="0x1234"))
        with pytest.raises(Exception, match="not an address"):
            session.commit()
        session.rollback()
    with app.app_context():
        assert store.get_session().scalar(select(func.count()).select_from(store.User)) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: store.set_round_status(7, "exploded"),
        lambda: store.set_round_status(99, "closed"),
        lambda: store.save_scores(99, []),
        lambda: store.save_scores(7, [{"address": A, "bogus": 1}]),
        lambda: store.save_scores(7, [{"live_logloss": 0.5}]),
        lambda: store.save_scores(7, [{"address": A}, {"address": A}]),
        lambda: store.save_scores(7, [{"address": A, "usd_reward": 1.5}]),
        lambda: store.save_scores(7, [{"address": A, "prize_nmr": -1}]),
        lambda: store.save_scores(7, [{"address": A, "prize_usd": "5"}]),
        lambda: store.save_scores(7, [{"address": A, "prize_rank": 0}]),
        lambda: store.save_scores(7, [{"address": A, "reason": "x" * (store.REASON_MAX_CHARS + 1)}]),
        lambda: store.save_scores(7, [{"address": A, "reason": "two\nlines"}]),
        lambda: store.save_scores(7, [{"address": A, "reward_wei": 1}]),  # the old name of nmr_reward
        lambda: store.save_scores(7, [{"address": A}, {"address": B, "burn_wei": 0.0}]),  # all or nothing
        lambda: store.record_transaction(7, "settle", 0, None, "maybe"),
        lambda: store.record_transaction(7, "bribe", 0, None, "pending"),
        lambda: store.record_transaction(99, "settle", 0, None, "pending"),
        lambda: store.record_chain_totals(7, paid_usd=1, unsettled_stakes=0),
        lambda: store.create_round(7, closes_at=store.utcnow(), resolves_by=store.utcnow() + timedelta(days=1)),
        lambda: store.create_round(8, closes_at=NOON, resolves_by=NOON),
        lambda: store.create_round(8, closes_at=NOON, resolves_by=NOON + timedelta(1), usd_prize_pool=-1),
        lambda: store.create_round(8, closes_at=NOON, resolves_by=NOON + timedelta(1), funder="treasury"),
        lambda: store.set_round_funding(7, nmr_pool=0.5),
        lambda: store.set_round_funding(99, nmr_pool=1),
    ],
)
def test_store_refuses_bad_calls(app, call, snapshot):
    before = snapshot()
    with app.app_context(), pytest.raises(store.StoreError):
        call()
    assert snapshot() == before


def _score(address, live, *, usd=0, nmr=0, prize_usd=0, prize_nmr=0, burn=0, eligible=True, consistency=1.0):
    return {"address": address, "live_logloss": live, "validation_logloss": 0.69, "consistency": consistency,
            "originality": eligible, "concordance": eligible, "usd_reward": usd, "nmr_reward": nmr,
            "prize_usd": prize_usd, "prize_nmr": prize_nmr, "burn_wei": burn, "stake_wei": burn or 10 * NMR,
            "reason": f"reason of {address[:4]}"}  # fmt: skip


def test_leaderboard_sums_careers_over_rounds_and_shares_ranks(app):
    with app.app_context():
        store.create_round(6, closes_at=NOON, resolves_by=NOON + timedelta(hours=1), status="finalized")
        store.save_scores(6, [_score(A, 0.68, usd=500 * USD, prize_nmr=4 * NMR, burn=HUGE),
                              _score(B, 0.70, nmr=HUGE)])  # fmt: skip
        store.create_round(5, closes_at=NOON, resolves_by=NOON + timedelta(hours=1), status="expired")
        store.save_scores(5, [_score(A, 0.60, usd=7 * USD, prize_nmr=7)])  # expired after paying A: counted
        store.save_scores(7, [_score(A, 0.69, prize_usd=HUGE, prize_nmr=1), _score(B, 0.67),
                              _score(C, 0.69, usd=1), _score(D, 0.695)])  # fmt: skip
        board = reports.leaderboard()
    assert board["round"] == 7
    rows = {r["address"]: r for r in board["rows"]}
    assert [(r["rank"], r["address"]) for r in board["rows"]] == [(1, B), (2, A), (2, C), (4, D)]
    assert rows[A]["career_usd"] == 507 * USD + HUGE
    assert rows[A]["career_nmr"] == 4 * NMR + 8 - HUGE
    assert (rows[B]["career_usd"], rows[B]["career_nmr"]) == (0, HUGE)
    assert (rows[A]["round_usd"], rows[A]["round_nmr"], rows[A]["net_nmr"]) == (HUGE, 1, 1)
    assert rows[A]["reason"] == f"reason of {A[:4]}" and rows[A]["name"] == f"{A[:6]}…{A[-4:]}"


def test_round_results_count_controlling_capital_and_add_up_the_rows(app):
    with app.app_context():
        store.set_round_funding(7, usd_staking_pool=3_000 * USD, usd_prize_pool=HUGE, funder=A)
        store.save_scores(7, [
            _score(A, 0.68, usd=500 * USD, prize_usd=HUGE, prize_nmr=4 * NMR),  # controlling
            _score(B, 0.69, usd=2_000 * USD, consistency=0.75),  # controlling: 75% is enough
            _score(C, math.log(2), burn=10 * NMR),  # exactly ln 2 is not below it
            _score(D, 0.60, prize_nmr=3, eligible=False),  # not original, not concordant
            _score(E, 0.60, consistency=0.7499),  # consistency short of 75%
        ])  # fmt: skip
        store.record_chain_totals(7, paid_usd=HUGE, paid_nmr=5, burned_nmr=0, returned_usd=0, returned_nmr=0,
                                  unsettled_stakes=0)
        store.set_round_status(7, "finalized", resolved_at=NOON)
        results = reports.round_results(7)
    assert results["controlling_capital"] == 2 and results["n_participants"] == 5
    assert type(results["controlling_capital"]) is int  # JSON-ready, not a numpy integer
    assert results["usd_paid"] == 2_500 * USD + HUGE
    assert results["nmr_paid"] == 4 * NMR + 3
    assert results["burned"] == 10 * NMR
    assert (results["usd_staking_pool"], results["usd_prize_pool"], results["nmr_pool"]) == (3_000 * USD, HUGE, 1000 * NMR)
    assert (results["funder"], results["resolved_at"], results["status"]) == (A, NOON, "finalized")
    assert results["on_chain"] == {"usd_paid": HUGE, "nmr_paid": 5, "burned": 0, "usd_returned": 0, "nmr_returned": 0}
    rows = {p["address"]: p for p in results["participants"]}
    assert (rows[A]["round_usd"], rows[A]["round_nmr"], rows[A]["burned"]) == (500 * USD + HUGE, 4 * NMR, 0)
    assert (rows[C]["round_nmr"], rows[C]["burned"], rows[C]["net_nmr"]) == (0, 10 * NMR, -10 * NMR)
    assert rows[D]["reason"] == f"reason of {D[:4]}"


def test_round_results_show_unscored_submitters(app, alice):
    with app.app_context():
        store.save_submission(7, alice.address, stored_path="p.csv", original_filename="p.csv",
                              file_hash="0x" + "ab" * 32, file_format="csv", rows=1, metrics={})  # fmt: skip
        [row] = reports.round_results(7)["participants"]
    assert row["address"] == alice.address and row["round_usd"] is None and row["reason"] is None
    assert set(reports.UNSCORED) <= set(row)


def test_account_results_carry_each_rounds_money_and_reason(app):
    with app.app_context():
        store.create_round(6, closes_at=NOON, resolves_by=NOON + timedelta(hours=1), status="settled")
        store.save_scores(6, [_score(A, 0.68, usd=500 * USD, burn=0, prize_nmr=HUGE) | {"per_era": {"1": 0.6}}])
        store.save_scores(7, [_score(A, 0.70, burn=2 * NMR) | {"reason": "burned: live logloss 0.7000 >= ln 2"}])
        account = reports.account_results(A)
    assert [(r["round"], r["round_status"]) for r in account["scores"]] == [(7, "open"), (6, "settled")]
    assert account["scores"][0]["reason"] == "burned: live logloss 0.7000 >= ln 2"
    assert (account["scores"][1]["round_usd"], account["scores"][1]["round_nmr"]) == (500 * USD, HUGE)
    assert account["scores"][1]["per_era"] == {"1": 0.6}
    assert (account["career_usd"], account["career_nmr"]) == (500 * USD, HUGE - 2 * NMR)
    with app.app_context():
        assert store.career_wei([A]) == {A: HUGE - 2 * NMR}


OLD_SCHEMA = """
CREATE TABLE rounds (
    number INTEGER NOT NULL, status VARCHAR(16) NOT NULL, opened_at DATETIME NOT NULL,
    closes_at DATETIME NOT NULL, resolves_by DATETIME NOT NULL, resolved_at DATETIME,
    dataset_csv_path VARCHAR(500), dataset_parquet_path VARCHAR(500),
    reward_budget_wei VARCHAR(80) NOT NULL, policy VARCHAR(32) NOT NULL, settle_info JSON NOT NULL,
    PRIMARY KEY (number));
CREATE TABLE users (
    address VARCHAR(42) NOT NULL, display_name VARCHAR(40), created_at DATETIME NOT NULL, PRIMARY KEY (address));
CREATE TABLE submissions (
    id INTEGER NOT NULL, round_number INTEGER NOT NULL, address VARCHAR(42) NOT NULL,
    stored_path VARCHAR(500) NOT NULL, original_filename VARCHAR(255) NOT NULL, hash VARCHAR(66) NOT NULL,
    file_format VARCHAR(16) NOT NULL, rows INTEGER NOT NULL, metrics JSON NOT NULL, created_at DATETIME NOT NULL,
    superseded_at DATETIME, PRIMARY KEY (id),
    FOREIGN KEY(round_number) REFERENCES rounds (number), FOREIGN KEY(address) REFERENCES users (address));
CREATE TABLE scores (
    id INTEGER NOT NULL, submission_id INTEGER, round_number INTEGER NOT NULL, address VARCHAR(42) NOT NULL,
    live_logloss FLOAT, validation_logloss FLOAT, consistency FLOAT, originality BOOLEAN, concordance BOOLEAN,
    corr FLOAT, mmc FLOAT, fnc FLOAT, per_era JSON NOT NULL, stake_wei VARCHAR(80) NOT NULL,
    confidence VARCHAR(80), burn_wei VARCHAR(80) NOT NULL, reward_wei VARCHAR(80) NOT NULL,
    PRIMARY KEY (id), UNIQUE (round_number, address),
    FOREIGN KEY(submission_id) REFERENCES submissions (id), FOREIGN KEY(round_number) REFERENCES rounds (number),
    FOREIGN KEY(address) REFERENCES users (address));
INSERT INTO users VALUES ('{a}', 'satoshi', '2026-01-01 00:00:00');
INSERT INTO rounds VALUES (3, 'finalized', '2026-01-01 00:00:00', '2026-01-01 01:00:00', '2026-01-01 02:00:00',
    '2026-01-01 01:30:00', NULL, NULL, '{huge}', 'auction2017', '{{"burned": "4"}}');
INSERT INTO scores VALUES (1, NULL, 3, '{a}', 0.68, 0.69, 1.0, 1, 1, 0.01, 0.0, 0.0, '{{}}', '{huge}', '2', '4',
    '{huge}');
"""  # the tables as the first version of the store created them, with a round and a score


def test_an_older_database_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_SCHEMA.format(a=A, huge=HUGE))
    application = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{path}",
                              "DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    engine = application.extensions["db"].engine
    columns = {c["name"] for c in inspect(engine).get_columns("scores")}
    assert {"usd_reward", "prize_rank", "prize_usd", "prize_nmr", "reason", "nmr_reward"} <= columns
    assert "reward_wei" not in columns  # renamed, its values kept
    round_columns = {c["name"] for c in inspect(engine).get_columns("rounds")}
    assert {"usd_staking_pool", "usd_prize_pool", "funder", "nmr_pool"} <= round_columns
    assert "reward_budget_wei" not in round_columns
    # Idempotent: a second start renames and adds nothing.
    assert db.rename_columns(engine) == [] and db.add_missing_columns(engine) == []
    with application.app_context():
        row = store.get_round(3)
        assert (row.nmr_pool, row.usd_staking_pool, row.usd_prize_pool, row.funder) == (HUGE, 0, 0, None)
        [score] = store.round_scores(3)
        assert (score.stake_wei, score.burn_wei, score.nmr_reward, score.usd_reward) == (HUGE, 4, HUGE, 0)
        assert (score.prize_rank, score.prize_usd, score.prize_nmr, score.reason) == (None, 0, 0, None)
        assert reports.leaderboard()["rows"][0]["career_nmr"] == HUGE - 4
        store.save_scores(3, [{"address": A, "usd_reward": HUGE, "reason": "rank 1 of 1", "nmr_reward": 1}])
        assert reports.round_results(3)["usd_paid"] == HUGE
        assert store.display_names([A]) == {A: "satoshi"}


def test_a_column_that_cannot_be_added_says_why(tmp_path):
    from sqlalchemy import Column, MetaData, String, Table

    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    Table("t", MetaData(), Column("a", String(5))).metadata.create_all(engine)
    grown = MetaData()
    Table("t", grown, Column("a", String(5)), Column("b", String(5), nullable=False))
    with pytest.raises(RuntimeError, match="t.b .*nullable or give it a server_default"):
        db.add_missing_columns(engine, grown)


def test_the_tables_and_the_engine_import_no_queries():
    probe = "import sys, app.models, app.db; print(' '.join(m for m in sys.modules if m.startswith('app.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert {"app.db", "app.models"} <= set(loaded.stdout.split())
    assert not [m for m in loaded.stdout.split() if m.startswith("app.store")]
    tree = ast.parse((ROOT / "app" / "models.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    # Only its column types (app.columns, which import nothing of the app either).
    assert {m for m in imported if m and m.split(".")[0] == "app"} == {"app.columns"}


def test_config_from_env_reads_only_prefixed_names():
    env = {"CHAIN_ID": "5", "NMR_CHAIN_ID": "1337", "NMR_RPC_URL": "http://node:8545", "NMR_SESSION_COOKIE_SECURE": "true",
           "SECRET_KEY": "another program's", "DATA_DIR": "/elsewhere"}
    assert config.from_env(env) == {"CHAIN_ID": 1337, "RPC_URL": "http://node:8545", "SESSION_COOKIE_SECURE": True}


def test_openapi_documents_every_api_route(app):
    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("format" if m[1] == "file_format" else m[1]) + "}",
                      rule.rule.removeprefix("/api/v1"))  # fmt: skip
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
