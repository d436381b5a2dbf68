"""Role steps measured against the working calendar all at once: the answer of ``WorkingClock.elapsed`` for each
step, computed over arrays (numpy) with the same float operations in the same order, so every verdict is the
same. A monthly report at the city's scale measures ~120,000 steps slower than their limit in natural time;
one at a time (a timestamp parsed, a zone conversion and a dictionary lookup per moment) they took ~1 s.

Moments are epoch microseconds (integers, as ``city.persistence.read.kpi.period_facts`` reads them). A moment's
day is found among the local midnights of the clock's days, which needs one UTC offset over the span (no
daylight-saving change in it); otherwise, or outside the clock's days, ``kept_to`` returns None and the caller
measures step by step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

import numpy as np

from engine.domain.working_time import WorkingClock

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment(micros: int) -> datetime:
    """An epoch-microsecond moment as an aware UTC datetime (exactly)."""
    return EPOCH + timedelta(microseconds=micros)


def _midnights(clock: WorkingClock) -> list[int] | None:
    """Epoch microseconds of each day's local midnight and of the day after the last; None if the zone's
    offset changes over the span."""
    days = list(clock.days)
    bounds = [*days, days[-1] + timedelta(days=1)]
    starts = [datetime.combine(day, time(), clock.zone) for day in bounds]
    if len({start.utcoffset() for start in starts}) > 1:
        return None
    return [(start - EPOCH) // timedelta(microseconds=1) for start in starts]


def _seconds(clock: WorkingClock, day_index: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``WorkingClock.seconds`` of each moment (``at`` its POSIX timestamp, ``day_index`` its day's position)."""
    entries = list(clock.days.values())
    width = max((len(windows) for _, windows in entries), default=0)
    before = np.array([total for total, _ in entries], dtype=np.float64)
    begins = np.full((len(entries), max(width, 1)), np.inf)
    ends = np.full((len(entries), max(width, 1)), np.inf)
    for row, (_, windows) in enumerate(entries):
        for column, (begin, end) in enumerate(windows):
            begins[row, column], ends[row, column] = begin, end
    out: np.ndarray = before[day_index]
    going = np.ones(at.shape, dtype=bool)
    for column in range(width):  # the windows in order, as the clock adds them, up to the first not begun
        begin, end = begins[day_index, column], ends[day_index, column]
        going &= at > begin
        out = np.where(going, out + (np.minimum(at, end) - begin), out)
    return out


def kept_to(clock: WorkingClock, starts: Sequence[int] | np.ndarray, ends: Sequence[int] | np.ndarray, unit: str,
            amount: float) -> list[bool] | None:
    """Whether each step (epoch microseconds) took at most ``amount`` working ``unit``s, as
    ``clock.elapsed(start, end, unit) <= amount`` says; None when it cannot be computed so (see the module)."""
    midnights = _midnights(clock)
    if midnights is None or len(starts) == 0:
        return None if midnights is None else []
    bounds = np.array(midnights, dtype=np.int64)
    begin_us, end_us = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
    if min(begin_us.min(), end_us.min()) < bounds[0] or max(begin_us.max(), end_us.max()) >= bounds[-1]:
        return None
    per_unit = clock.working_time.unit_length(unit).total_seconds()
    began = _seconds(clock, np.searchsorted(bounds, begin_us, side="right") - 1, begin_us / 1_000_000)
    ended = _seconds(clock, np.searchsorted(bounds, end_us, side="right") - 1, end_us / 1_000_000)
    return list(np.maximum(0.0, ended - began) / per_unit <= amount)
