"""Unit tests: no database, fake clock only."""

from __future__ import annotations

import pytest

from engine.domain.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
