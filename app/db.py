"""Database engine and sessions (SQLAlchemy 2.x), in the flaskr ``db.py`` shape.

``init_app(app)`` builds one engine from ``DATABASE_URL`` (kept in
``app.extensions["db"]``), brings the schema of :mod:`app.models` up to date (new tables
by ``create_all``, columns older versions named otherwise by :func:`rename_columns`, new
columns of existing tables by :func:`add_missing_columns`, unique keys that grew a column
by :func:`migrate_unique_keys`; no row is dropped or rewritten)
and closes the request's session on teardown. ``get_session()``
returns the session of the current app context; the :mod:`app.store` functions use it.
SQLite files get WAL mode, a busy timeout and foreign keys, so several gunicorn workers can
share one file.

This module knows the tables, never the queries: :mod:`app.store` imports it, not the
other way round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Column, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import (
    CreateColumn,
    CreateIndex,
    CreateTable,
    Index,
    Table,
    UniqueConstraint,
)

from app.models import Base


@dataclass
class Database:
    """The engine and session factory of one app."""

    engine: Engine
    sessions: sessionmaker[Session]


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and safe pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


# Columns older versions named otherwise: (table, old name) -> the name the tables use now.
RENAMED_COLUMNS = {("rounds", "reward_budget_wei"): "nmr_pool", ("scores", "reward_wei"): "nmr_reward"}


def rename_columns(engine: Engine, renamed: dict[tuple[str, str], str] = RENAMED_COLUMNS) -> list[str]:
    """Give every column of ``renamed`` still under its old name its new one (``ALTER TABLE
    ... RENAME COLUMN``, which keeps its values); returns them as ``"table.old -> new"``.
    Idempotent, and safe when another worker starting at the same time renames first."""
    done = []
    for (table_name, old), new in renamed.items():
        inspector = inspect(engine)
        if not inspector.has_table(table_name):
            continue
        present = {column["name"] for column in inspector.get_columns(table_name)}
        if old not in present or new in present:
            continue
        quote = engine.dialect.identifier_preparer.quote
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {quote(table_name)} RENAME COLUMN {quote(old)} TO {quote(new)}"))
        except DBAPIError:
            if old in {c["name"] for c in inspect(engine).get_columns(table_name)}:
                raise
            continue
        done.append(f"{table_name}.{old} -> {new}")
    return done


def add_missing_columns(engine: Engine, metadata: MetaData = Base.metadata) -> list[str]:
    """Add to every existing table the columns ``metadata`` has and the table lacks
    (``ALTER TABLE ... ADD COLUMN``); returns them as ``"table.column"``. Idempotent.

    Rows already there get the column's server default (or NULL). A missing column that
    is neither nullable nor server-defaulted cannot be added, and says so.
    """
    added = []
    for table in metadata.sorted_tables:
        inspector = inspect(engine)
        if not inspector.has_table(table.name):
            continue  # create_all makes it whole
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if column.primary_key or (not column.nullable and column.server_default is None):
                raise RuntimeError(
                    f"cannot add column {table.name}.{column.name} to the existing table: "
                    "declare it nullable or give it a server_default"
                )
            spec = CreateColumn(column).compile(dialect=engine.dialect)
            table_name = engine.dialect.identifier_preparer.format_table(table)
            try:
                with engine.begin() as connection:
                    connection.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {spec}"))
            except DBAPIError:
                # Another worker starting at the same time may have added it first.
                if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                    raise
                continue
            added.append(f"{table.name}.{column.name}")
    return added


def migrate_unique_keys(engine: Engine, metadata: MetaData = Base.metadata) -> list[str]:
    """Bring the unique keys of existing tables to ``metadata``'s: a unique index whose
    columns changed is dropped and made again; a unique constraint the table lacks replaces
    the older, narrower ones (its columns' subsets, e.g. ``(round, address)`` once
    ``(round, address, model_number)`` is the key). SQLite cannot alter a constraint, so
    there the table is rebuilt, its rows copied, in one ``BEGIN IMMEDIATE`` transaction.
    Returns what changed (``"table.key"``). Idempotent; run after :func:`add_missing_columns`.

    Each step runs in its own transaction and re-checks inside it, so workers starting
    together migrate once (a loser of a race finds the work done)."""
    changed = []
    for table in metadata.sorted_tables:
        if not inspect(engine).has_table(table.name):
            continue
        for index in table.indexes:
            # Expression indexes (e.g. on lower(name)) are only ever made whole by create_all.
            plain = all(isinstance(expression, Column) for expression in index.expressions)
            if index.unique and plain and _index_is_stale(engine, index):
                with _ddl(engine) as execute:
                    if _index_is_stale(engine, index, execute.connection):
                        if _index_columns(engine, index, execute.connection) is not None:
                            execute(f"DROP INDEX {engine.dialect.identifier_preparer.quote(index.name)}")
                        execute(str(CreateIndex(index).compile(dialect=engine.dialect)))
                        changed.append(f"{table.name}.{index.name}")
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint) and _narrower_keys(engine, constraint) is not None:
                with _ddl(engine) as execute:
                    narrower = _narrower_keys(engine, constraint, execute.connection)
                    if narrower is not None:
                        _replace_unique(engine, table, constraint, narrower, execute)
                        changed.append(f"{table.name}.{constraint.name}")
    return changed


def _columns(constraint: UniqueConstraint | Index) -> list[str]:
    return [column.name for column in constraint.columns]


def _index_columns(engine: Engine, index: Index, connection: object = None) -> list[str] | None:
    """The columns of the database's index of that name (None: no such index)."""
    found = [i for i in inspect(connection or engine).get_indexes(index.table.name) if i["name"] == index.name]
    return found[0]["column_names"] if found else None


def _index_is_stale(engine: Engine, index: Index, connection: object = None) -> bool:
    return _index_columns(engine, index, connection) != _columns(index)


def _narrower_keys(engine: Engine, constraint: UniqueConstraint, connection: object = None) -> list[dict] | None:
    """The table's unique constraints on a strict subset of ``constraint``'s columns, when
    the table lacks ``constraint`` itself; None when there is nothing to migrate."""
    wanted = set(_columns(constraint))
    present = inspect(connection or engine).get_unique_constraints(constraint.table.name)
    if any(set(c["column_names"]) == wanted for c in present):
        return None
    narrower = [c for c in present if set(c["column_names"]) < wanted]
    return narrower or None


def _replace_unique(engine: Engine, table: Table, constraint: UniqueConstraint, narrower: list[dict],
                    execute: _Execute) -> None:
    quote = engine.dialect.identifier_preparer.quote
    name = quote(table.name)
    if engine.dialect.name != "sqlite":
        drops = [f"DROP CONSTRAINT {quote(c['name'])}" for c in narrower]
        columns = ", ".join(quote(c) for c in _columns(constraint))
        execute(f"ALTER TABLE {name} {', '.join(drops)}, ADD CONSTRAINT {quote(constraint.name)} UNIQUE ({columns})")
        return
    # SQLite: the old table aside (its indexes dropped, their names are reused), the new one
    # made from the metadata, the rows copied across, the old table dropped.
    old_columns = [c["name"] for c in inspect(execute.connection).get_columns(table.name)]
    for index in inspect(execute.connection).get_indexes(table.name):
        if index["name"] and not index["name"].startswith("sqlite_autoindex"):
            execute(f"DROP INDEX {quote(index['name'])}")
    aside = quote(f"_{table.name}_before_migration")
    execute(f"ALTER TABLE {name} RENAME TO {aside}")
    execute(str(CreateTable(table).compile(dialect=engine.dialect)))
    for index in table.indexes:
        execute(str(CreateIndex(index).compile(dialect=engine.dialect)))
    copied = ", ".join(quote(c) for c in old_columns if c in table.columns)
    execute(f"INSERT INTO {name} ({copied}) SELECT {copied} FROM {aside}")
    execute(f"DROP TABLE {aside}")


class _Execute:
    """Runs DDL in one transaction (see :func:`_ddl`); ``connection`` inspects inside it."""

    def __init__(self, run: Callable[[str], object], connection: object) -> None:
        self._run, self.connection = run, connection

    def __call__(self, sql: str) -> None:
        self._run(sql)


@contextmanager
def _ddl(engine: Engine) -> Iterator[_Execute]:
    """One transaction for schema changes. SQLite's driver would commit before each DDL
    statement, so there the transaction is the raw connection's own ``BEGIN IMMEDIATE``
    (which also makes a second worker wait, then find the work done)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield _Execute(connection.exec_driver_sql, connection)
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        previous, raw.isolation_level = raw.isolation_level, None  # we say BEGIN and COMMIT ourselves
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield _Execute(raw.execute, connection)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        finally:
            raw.isolation_level = previous


def _create_tables(engine: Engine, tries: int = 5) -> None:
    """``create_all``, again if another process (a gunicorn worker, an oracle command
    started beside the server) created a table between its check and its CREATE."""
    for attempt in range(tries):
        try:
            Base.metadata.create_all(engine)
            return
        except DBAPIError as exc:  # SQLite: "already exists"; PostgreSQL: that, or a duplicate pg_type key
            if not ("already exists" in str(exc) or "duplicate key" in str(exc)) or attempt == tries - 1:
                raise


def init_app(app: Flask) -> Database:
    """Connect ``app`` to its database; create missing tables, rename columns older
    versions named otherwise, add missing columns and migrate unique keys that grew."""
    engine = make_engine(app.config["DATABASE_URL"])
    _create_tables(engine)
    for name in rename_columns(engine):
        app.logger.info("database: renamed column %s", name)
    for name in add_missing_columns(engine):
        app.logger.info("database: added column %s", name)
    for name in migrate_unique_keys(engine):
        app.logger.info("database: migrated unique key %s", name)
    database = Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    app.extensions["db"] = database
    app.teardown_appcontext(close_session)
    return database


def get_session() -> Session:
    """The current app context's session (opened on first use, closed on teardown)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"].sessions()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the context's session; uncommitted work is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
