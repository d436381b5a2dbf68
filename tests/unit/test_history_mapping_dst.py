"""A mapping's local times at a clock change: a wall time the change skips or repeats is refused naming the
column (which instant it means cannot be known), the times around it are read in the zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from city.history.csvfile import RowError
from city.history.mapping import Mapping, RowPreparer

CHICAGO = Mapping(columns={"reported_at": "Opened"}, datetime_format="%m/%d/%Y %H:%M",
                  time_zone=ZoneInfo("America/Chicago"))


def _reported(text: str) -> str:
    return RowPreparer(CHICAGO, None)({"Opened": text})["reported_at"]


def test_a_skipped_wall_time_is_refused() -> None:
    with pytest.raises(RowError, match=r"^reported_at: '03/08/2026 02:30' does not exist in America/Chicago"):
        _reported("03/08/2026 02:30")  # 2:00 → 3:00 on 8 March 2026


def test_a_repeated_wall_time_is_refused() -> None:
    with pytest.raises(RowError, match=r"^reported_at: '11/01/2026 01:30' happens twice in America/Chicago"):
        _reported("11/01/2026 01:30")  # 2:00 → 1:00 on 1 November 2026


def test_the_times_around_a_change_are_read_in_the_zone() -> None:
    assert _reported("03/08/2026 01:59") == "2026-03-08T07:59:00+00:00"  # CST, UTC-6
    assert _reported("03/08/2026 03:00") == "2026-03-08T08:00:00+00:00"  # CDT, UTC-5
    assert _reported("11/01/2026 02:00") == "2026-11-01T08:00:00+00:00"  # CST again
