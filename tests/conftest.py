"""The whole suite's pytest hooks: how `make test` spreads the app suites over workers, and
the figures some tests report (tests/figures.py).

pytest-xdist runs the app, client, e2e, run-command and hostile suites on several workers
(`make test-app`, ``--dist loadgroup``). Each module stays on one worker (its module
fixtures and its order hold), except the run-command tests: each of those waits minutes on
the README's own command, so each goes to a worker of its own.
"""

from __future__ import annotations

import pytest

from tests.figures import Figures

SPREAD_ONE_BY_ONE = ("tests/run/",)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(item.nodeid if path.startswith(SPREAD_ONE_BY_ONE) else path))
    # The longest first: xdist hands the groups out in this order, so the run-command tests
    # start at once and the short modules fill the other workers meanwhile.
    items.sort(key=lambda item: not item.nodeid.startswith(SPREAD_ONE_BY_ONE))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Figures(), "figures")
