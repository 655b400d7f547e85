"""Fixtures for the sign-in attack tests: the web tests' app, wallets and helpers (on
SQLite and on PostgreSQL where a module sets ``BOTH_DATABASES = True``)."""

from tests.app.web.conftest import (  # noqa: F401 (fixtures)
    alice,
    app,
    bob,
    client,
    database_url,
    dataset,
    postgres_server,
    pytest_generate_tests,
)
