"""The clock behind ``now()`` and ``today()``: the system clock, or one a caller (a test, a replay) sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from feel.temporal.dates import FeelDate
from feel.temporal.kinds import FeelDateTime
from feel.temporal.members import from_python

_CLOCK: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("feel_clock", default=None)


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def using_clock(clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Evaluations inside read ``now()``/``today()`` from ``clock`` (an aware ``datetime``), e.g. a fake clock."""
    token = _CLOCK.set(clock)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def now() -> FeelDateTime:
    """The current date and time (aware) from the active clock."""
    value = from_python((_CLOCK.get() or _system_now)())
    assert isinstance(value, FeelDateTime)
    return value


def today() -> FeelDate:
    """The current date from the active clock."""
    return now().date
