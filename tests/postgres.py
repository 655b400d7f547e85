"""A throwaway PostgreSQL server for the tests that also run on PostgreSQL.

:func:`postgres_server` starts one per test session: ``initdb`` into a temporary folder,
``pg_ctl start`` on a free loopback port (as the ``postgres`` user when the tests run as
root, since PostgreSQL refuses to run as root), trust authentication on loopback only.
Each test gets a fresh database from :meth:`PostgresServer.new_database`. Where Debian's
postgresql package (``tools/bootstrap.sh`` installs it) or psycopg is missing, or the
server does not start, the tests that need it are skipped saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class PostgresServer:
    """A running server: its port and the folder it lives in."""

    port: int
    folder: Path
    run_as: list[str]
    bin_dir: Path

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60, check=False)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres() -> PostgresServer:
    """Start a throwaway server, or raise RuntimeError saying why it cannot."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise RuntimeError("psycopg is not installed (pip install -r requirements.txt -c requirements.lock)") from None
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (tools/bootstrap.sh installs Debian's postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="nmr-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise RuntimeError("running as root and runuser is missing: cannot start PostgreSQL as another user")
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    steps = [
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
    ]
    for step in steps:
        done = subprocess.run([*run_as, *step], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    done = subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                           str(folder / "log"), "-w", "-t", "60", "start"],
                          capture_output=True, text=True, timeout=90, check=False)  # fmt: skip
    if done.returncode:
        log = (folder / "log").read_text() if (folder / "log").exists() else done.stderr
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {log.strip()[-500:]}")
    return PostgresServer(port=port, folder=folder, run_as=run_as, bin_dir=bin_dir)


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (skipped, saying why, if impossible)."""
    try:
        server = start_postgres()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture
def database_url(request, tmp_path):
    """``DATABASE_URL`` for the test: a SQLite file, or with ``indirect`` param
    ``"postgresql"`` a fresh database on the throwaway server."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        return request.getfixturevalue("postgres_server").new_database()
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def parametrize_databases(metafunc) -> None:
    """From a conftest's ``pytest_generate_tests``: in a module that sets
    ``BOTH_DATABASES = True``, every test using ``database_url`` (say through ``app``) runs
    on SQLite and on PostgreSQL."""
    if getattr(metafunc.module, "BOTH_DATABASES", False) and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
