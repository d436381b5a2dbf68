"""Shared test settings: project root on sys.path is provided by the editable install."""

from __future__ import annotations

import sys

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the seeded city's PostgreSQL template database (``tests/city_template.py``), if the session built one."""
    template = sys.modules.get("city_template")  # imported only by sessions that copied the seeded city
    if template is not None:
        template.drop_templates()
