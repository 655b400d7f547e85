"""A wallet's models in the store: registering names, model keys in place of addresses,
and the migration of a database made before models existed (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address
from sqlalchemy import (
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    create_engine,
    inspect,
    text,
)

from app import create_app, db, reports, store
from app.models import Base

BOTH_DATABASES = True
ROUND = 7
# Checksummed, as the store writes every address.
A = to_checksum_address("0x" + "a" * 40)
B = to_checksum_address("0x" + "b" * 40)


def _submit(key: str, file_hash: str) -> store.Submission:
    return store.save_submission(ROUND, key, stored_path="/x", original_filename="p.csv", file_hash=file_hash,
                                 file_format="csv", rows=1, metrics={})  # fmt: skip


def test_models_are_numbered_per_wallet_and_named_uniquely(app):
    with app.app_context():
        store.set_display_name(A, "satoshi")
        assert store.list_models(A) == [{"key": A, "name": "satoshi", "number": 0, "wallet": A}]
        assert store.add_model(A, " alpha ") == {"key": f"{A}-1", "name": "alpha", "number": 1, "wallet": A}
        assert store.add_model(A, "beta-2")["key"] == f"{A}-2"
        assert store.add_model(B, "gamma")["key"] == f"{B}-1"  # numbers are per wallet
        assert [m["name"] for m in store.list_models(A)] == ["satoshi", "alpha", "beta-2"]
        assert store.list_models(B)[0]["name"] == B  # no display name: the address
        with pytest.raises(store.NameTaken, match="'ALPHA' is taken: a model is already named 'alpha'"):
            store.add_model(B, "ALPHA")
        with pytest.raises(store.NameTaken, match="'satoshi' is a wallet's display name"):
            store.add_model(B, "Satoshi")
        for bad in ("", "2fast", "a" * 41, "has space", A, "ünï", None, 5):
            with pytest.raises(store.StoreError, match="model name"):
                store.add_model(B, bad)
        assert len(store.list_models(B)) == 2  # nothing was added by the refusals


def test_resolve_model_takes_a_name_or_key_and_lists_the_wallets_models(app):
    with app.app_context():
        store.add_model(A, "alpha")
        assert store.resolve_model(A)["number"] == 0
        assert store.resolve_model(A, "")["number"] == 0
        assert store.resolve_model(A, "Alpha")["key"] == f"{A}-1"
        assert store.resolve_model(A, f"{A}-1".upper().replace("0X", "0x"))["number"] == 1
        assert store.resolve_model(A, A)["number"] == 0
        with pytest.raises(store.UnknownModel, match=rf"'nope' is none of your models; your models are {A}, alpha"):
            store.resolve_model(A, "nope")
        with pytest.raises(store.UnknownModel):
            store.resolve_model(B, "alpha")  # another wallet's model


def test_two_models_of_one_wallet_keep_their_own_files_and_scores(app):
    with app.app_context():
        store.add_model(A, "alpha")
        zero, one = _submit(A, "0x01"), _submit(f"{A}-1", "0x02")
        assert (zero.model_key, one.model_key) == (A, f"{A}-1")
        _submit(A, "0x03")  # supersedes model 0's file only
        assert store.current_submission(ROUND, f"{A}-1").hash == "0x02"
        assert store.current_submission(ROUND, A).hash == "0x03"
        assert store.submission_by_hash(ROUND, A, "0x01").id == zero.id
        assert store.submission_by_hash(ROUND, f"{A}-1", "0x01") is None
        assert sorted(s.model_key for s in store.list_submissions(ROUND)) == [A, f"{A}-1"]
        assert [s.hash for s in store.wallet_submissions(A)] == ["0x03", "0x02"]
        store.save_scores(ROUND, [{"address": A, "live_logloss": 0.69, "usd_reward": 5},
                                  {"address": f"{A}-1", "live_logloss": 0.68, "usd_reward": 7}])  # fmt: skip
        scores = store.round_scores(ROUND)
        assert [(s.model_key, s.submission_id) for s in scores] == [(f"{A}-1", one.id), (A, zero.id + 2)]
        assert [s.live_logloss for s in store.user_scores(f"{A}-1")] == [0.68]
        assert store.career_totals()[f"{A}-1"]["career_usd"] == 7
        assert set(store.career_totals([A])) == {A}
        assert store.display_names([A, f"{A}-1", f"{B}-3"]) == {A: "0xaAaA…aaAa", f"{A}-1": "alpha",
                                                              f"{B}-3": "0xbBbB…BBbB-3"}  # fmt: skip
        board = reports.leaderboard(ROUND)["rows"]
        assert [(r["key"], r["address"], r["model_number"], r["name"]) for r in board] == [
            (f"{A}-1", A, 1, "alpha"), (A, A, 0, "0xaAaA…aaAa")]
        with pytest.raises(store.StoreError, match="one score per model and round; repeated"):
            store.save_scores(ROUND, [{"address": f"{A}-1"}, {"address": f"{A}-1"}])


@pytest.mark.parametrize("key", [f"{A}-0", f"{A}-01", f"{A}-x", f"{A}-{2**32}"])
def test_a_malformed_model_key_is_refused_saying_the_form(app, key):
    with app.app_context(), pytest.raises(store.StoreError, match="expected <wallet address> or <wallet address>-<n>"):
        store.save_scores(ROUND, [{"address": key}])


OLD_NAMES = {(table, new): old for (table, old), new in db.RENAMED_COLUMNS.items()}


def _old_metadata() -> MetaData:
    """The tables as they were before models: no models table, no model_number columns,
    one current submission and one score per (round, address)."""
    old = MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name == "models":
            continue
        columns = [column._copy() for column in table.columns if column.name != "model_number"]
        for column in columns:  # and the names amounts had then
            column.name = column.key = OLD_NAMES.get((table.name, column.name), column.name)
        extra = [UniqueConstraint("round_number", "address")] if table.name == "scores" else []
        if table.name == "settlement_batches":
            extra = [UniqueConstraint("round_number", "batch_index")]
        Table(table.name, old, *columns, *extra)
    submissions = old.tables["submissions"]
    Index("uq_current_submission", submissions.c.round_number, submissions.c.address, unique=True,
          sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL"))  # fmt: skip
    return old


def _unique_keys(engine) -> tuple[list, list]:
    inspector = inspect(engine)
    index = [i["column_names"] for i in inspector.get_indexes("submissions") if i["name"] == "uq_current_submission"]
    return index, [sorted(c["column_names"]) for c in inspector.get_unique_constraints("scores")]


def test_a_database_made_before_models_is_migrated_keeping_its_rows(tmp_path, database_url):
    engine = create_engine(database_url)
    _old_metadata().create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (address, display_name, created_at) VALUES (:a, 'satoshi', :t)"),
                           {"a": A, "t": "2026-01-01 00:00:00"})  # fmt: skip
        connection.execute(text(
            "INSERT INTO rounds (number, status, opened_at, closes_at, resolves_by, reward_budget_wei, usd_staking_pool,"
            " usd_prize_pool, policy) VALUES (3, 'closed', :t, :t, :t, '5', '0', '0', 'auction2017')"
        ), {"t": "2026-01-01 00:00:00"})
        connection.execute(text(
            "INSERT INTO submissions (round_number, address, stored_path, original_filename, hash, file_format,"
            " rows, metrics, created_at) VALUES (3, :a, '/x', 'p.csv', '0x01', 'csv', 1, '{}', :t)"
        ), {"a": A, "t": "2026-01-01 00:00:00"})
        connection.execute(text(
            "INSERT INTO scores (submission_id, round_number, address, per_era, stake_wei, burn_wei, reward_wei,"
            " usd_reward, prize_usd, prize_nmr, live_logloss) VALUES ((SELECT id FROM submissions), 3, :a, '{}', '9', '0', '7', '0', '0', '0', 0.68)"
        ), {"a": A})
    assert _unique_keys(engine) == ([["round_number", "address"]], [["address", "round_number"]])
    engine.dispose()

    application = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                              "DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    migrated = application.extensions["db"].engine
    assert _unique_keys(migrated) == ([["round_number", "address", "model_number"]],
                                      [["address", "model_number", "round_number"]])  # fmt: skip
    assert db.add_missing_columns(migrated) == [] and db.migrate_unique_keys(migrated) == []  # idempotent
    with application.app_context():
        [score] = store.round_scores(3)
        assert (score.model_key, score.stake_wei, score.live_logloss) == (A, 9, 0.68)
        # The columns older versions named reward_budget_wei and reward_wei, renamed with their values.
        assert (store.get_round(3).nmr_pool, score.nmr_reward) == (5, 7)
        assert "reward_wei" not in {c["name"] for c in inspect(migrated).get_columns("scores")}
        assert "reward_budget_wei" not in {c["name"] for c in inspect(migrated).get_columns("rounds")}
        assert score.submission_id == store.current_submission(3, A).id
        assert store.current_submission(3, A).hash == "0x01"
        # What the old keys forbade: a second model's file and score in the same round.
        store.add_model(A, "alpha")
        store.save_submission(3, f"{A}-1", stored_path="/y", original_filename="q.csv", file_hash="0x02",
                              file_format="csv", rows=1, metrics={})  # fmt: skip
        store.save_scores(3, [{"address": A, "stake_wei": 9}, {"address": f"{A}-1", "live_logloss": 0.6}])
        assert [s.model_key for s in store.round_scores(3)] == [f"{A}-1", A]
        assert store.current_submission(3, A).hash == "0x01"


def test_models_added_at_once_get_one_number_each(app):
    import threading

    barrier = threading.Barrier(4)
    added, failed = [], []

    def add_one(name: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                added.append(store.add_model(A, name)["number"])
            except Exception as exc:  # noqa: BLE001 (the test reports any failure)
                failed.append(repr(exc))

    threads = [threading.Thread(target=add_one, args=(f"m{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == [] and sorted(added) == [1, 2, 3, 4]
    with app.app_context():
        assert [m["number"] for m in store.list_models(A)] == [0, 1, 2, 3, 4]
