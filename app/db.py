"""Database engine and sessions (SQLAlchemy 2.x), in the flaskr ``db.py`` shape.

``init_app(app)`` builds one engine from ``DATABASE_URL`` (kept in
``app.extensions["db"]``), creates the schema (``store.Base.metadata.create_all``; new tables
appear on start, nothing is dropped) and closes the request's session on teardown.
``get_session()`` returns the session of the current app context; store functions use it.
SQLite files get WAL mode, a busy timeout and foreign keys, so several gunicorn workers can
share one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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


def init_app(app: Flask) -> Database:
    """Connect ``app`` to its database and create any missing tables."""
    from app.store import Base  # the models register on Base.metadata

    engine = make_engine(app.config["DATABASE_URL"])
    Base.metadata.create_all(engine)
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
