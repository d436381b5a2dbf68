"""Unit tests: no database, fake clock only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.bpmn.budget import Pool
from engine.domain.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    """One script worker for a module's budget tests."""
    workers = Pool(size=1)
    yield workers
    workers.close()
