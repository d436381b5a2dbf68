"""Shared test settings: project root on sys.path is provided by the editable install.

In CI (``CI`` set, as ``.ci/run`` runs) a skipped test is a failed test: CI has PostgreSQL, Chromium and the models,
so a skip there means something silently stopped being tested. The check runs where the test runs (each
pytest-xdist worker too), so ``make test`` in parallel keeps it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    """In CI, turn a skip (in setup or in the test) into a failure that gives the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (a skip in CI is a failure): {reason}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the seeded city's PostgreSQL template database (``tests/city_template.py``), if the session built one."""
    template = sys.modules.get("city_template")  # imported only by sessions that copied the seeded city
    if template is not None:
        template.drop_templates()
