"""Figures a test measured (hostile-input counts, how long a restart took), printed once
at the end of the run whichever xdist worker ran the test: the test calls
``record_property(FIGURES, "a line")`` and :class:`Figures` (registered by
tests/conftest.py) prints the lines in the terminal summary."""

from __future__ import annotations

import pytest

FIGURES = "figures"


class Figures:
    """Collects the figure lines from the test reports (xdist sends each worker's here)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.lines += [value for name, value in report.user_properties if name == FIGURES]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.lines:
            terminalreporter.section("figures the tests measured")
            for line in self.lines:
                terminalreporter.line(line)
