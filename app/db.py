"""Database engine and sessions (SQLAlchemy 2.x), in the flaskr ``db.py`` shape.

``init_app(app)`` builds one engine from ``DATABASE_URL`` (kept in
``app.extensions["db"]``), brings the schema of :mod:`app.models` up to date (new tables
by ``create_all``, new columns of existing tables by :func:`add_missing_columns`; nothing
is dropped or rewritten) and closes the request's session on teardown. ``get_session()``
returns the session of the current app context; the :mod:`app.store` functions use it.
SQLite files get WAL mode, a busy timeout and foreign keys, so several gunicorn workers can
share one file.

This module knows the tables, never the queries: :mod:`app.store` imports it, not the
other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import CreateColumn

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


def init_app(app: Flask) -> Database:
    """Connect ``app`` to its database; create missing tables and add missing columns."""
    engine = make_engine(app.config["DATABASE_URL"])
    Base.metadata.create_all(engine)
    for name in add_missing_columns(engine):
        app.logger.info("database: added column %s", name)
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
