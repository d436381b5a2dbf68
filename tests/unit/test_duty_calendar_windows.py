"""Working time over a duty calendar: seasons, versions changing mid-deadline, weekday windows, 24-hour subtypes,
weekends and holidays, the next working moment, and the fallback (with its warning) while none is loaded."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.duty_calendar import DutyCalendar, DutyVersion, calendar_of, parse_version, parse_versions
from engine.domain.working_time import NO_DUTY_CALENDAR, HolidayCalendar, WorkingClock, WorkingTime

CST = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
HOLIDAYS = ROOT / "config" / "calendar" / "china.json"
SUMMER = [["08:00", "12:00"], ["15:00", "18:00"]]
WINTER = [["08:00", "12:00"], ["14:30", "17:30"]]


class Loaded:
    """The duty source a process holds: here, a calendar handed in (the database's cache is tested in
    tests/integration/test_duty_calendar_load.py)."""

    def __init__(self, calendar: DutyCalendar | None) -> None:
        self.calendar = calendar

    def current(self) -> DutyCalendar | None:
        return self.calendar


def version(effective_from: str, summer: list[list[str]] = SUMMER, winter: list[list[str]] = WINTER,
            **extra: Any) -> DutyVersion:
    return parse_version({"effective_from": effective_from, "seasons": [
        {"name": "summer", "from": "05-01", "to": "09-30", "windows": summer},
        {"name": "winter", "from": "10-01", "to": "04-30", "windows": winter}], **extra})


def working_time(*versions: DutyVersion) -> WorkingTime:
    return WorkingTime(HolidayCalendar.from_file(HOLIDAYS), duty=Loaded(calendar_of(list(versions))))


def cst(m: int, d: int, hh: int = 0, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


DEMO = working_time(*parse_versions((ROOT / "config" / "duty_calendar.json").read_text("utf-8")))


@pytest.mark.parametrize(("start", "hours", "expected"), [
    (cst(6, 1, 11), 2, cst(6, 1, 16)),  # summer: the afternoon starts at 15:00
    (cst(11, 2, 11), 2, cst(11, 2, 15, 30)),  # winter: at 14:30
    (cst(6, 1, 17), 2, cst(6, 2, 9)),  # summer duty ends at 18:00
    (cst(11, 2, 17), 2, cst(11, 3, 9, 30)),  # winter duty ends at 17:30
    (cst(9, 30, 17, 30), 1, cst(10, 8, 8, 30)),  # summer's last day (18:00), then National Day, then winter
    (cst(4, 30, 17), 1, cst(5, 6, 8, 30)),  # winter's last day (17:30), Labour Day off, summer from 6 May
])
def test_the_season_of_each_day_gives_its_windows(start: datetime, hours: float, expected: datetime) -> None:
    assert DEMO.deadline(start, hours, "working_hours") == expected
    assert DEMO.elapsed(start, expected, "working_hours") == pytest.approx(hours)


def test_a_deadline_across_a_version_change_uses_each_days_own_windows() -> None:
    wt = working_time(version("2026-01-01"), version("2026-11-04", winter=[["09:00", "12:00"], ["13:00", "17:00"]]))
    # Tuesday 3 Nov 16:30: one hour left of the old version's day, then Wednesday under the new version
    assert wt.deadline(cst(11, 3, 16, 30), 3, "working_hours") == cst(11, 4, 11)
    assert wt.deadline(cst(11, 4, 11), 2, "working_hours") == cst(11, 4, 14)  # the new lunch: 12:00–13:00
    assert wt.windows_on(date(2026, 11, 3)) == ((time(8), time(12)), (time(14, 30), time(17, 30)))
    assert wt.windows_on(date(2026, 11, 4)) == ((time(9), time(12)), (time(13), time(17)))


def test_of_two_versions_with_one_date_the_one_loaded_last_is_in_force() -> None:
    first, second = version("2026-06-01"), version("2026-06-01", summer=[["07:00", "11:00"]])
    wt = working_time(first, second)
    assert wt.duty_version(date(2026, 6, 2)) is second
    assert wt.deadline(cst(6, 2, 10), 2, "working_hours") == cst(6, 3, 8)


def test_before_the_first_version_the_default_windows_apply() -> None:
    wt = working_time(version("2026-07-01", summer=[["06:00", "10:00"]]))
    assert wt.deadline(cst(6, 1, 11), 2, "working_hours") == cst(6, 1, 15, 30)  # default: 14:30 afternoon
    assert wt.deadline(cst(7, 1, 9), 2, "working_hours") == cst(7, 2, 7)


def test_weekday_windows_replace_the_seasons_on_that_weekday() -> None:
    friday_short = version("2026-01-01", winter=WINTER)
    raw = friday_short.to_dict()
    raw["seasons"][1]["weekdays"] = {"fri": [["08:00", "12:00"]]}
    wt = working_time(parse_version(raw))
    assert wt.deadline(cst(11, 6, 11), 2, "working_hours") == cst(11, 9, 9)  # Friday: no afternoon
    assert wt.deadline(cst(11, 5, 11), 2, "working_hours") == cst(11, 5, 15, 30)  # Thursday: as the season


def test_weekends_and_holidays_stay_the_holiday_tables() -> None:
    assert DEMO.deadline(cst(11, 6, 17), 2, "working_hours") == cst(11, 9, 9, 30)  # Friday → Monday
    # summer Friday: half an hour to 18:00, then Saturday 9 May, a make-up working day
    assert DEMO.deadline(cst(5, 8, 17, 30), 1, "working_hours") == cst(5, 9, 8, 30)
    assert DEMO.day_windows(date(2026, 5, 9))[0][0] == cst(5, 9, 8)
    assert DEMO.day_windows(date(2026, 10, 1)) == []


def test_a_24_hour_subtype_counts_every_hour() -> None:
    start = cst(11, 6, 17)  # Friday evening
    assert DEMO.deadline(start, 4, "working_hours", subtype="0107") == cst(11, 6, 21)
    assert DEMO.deadline(start, 1, "working_days", subtype="0107") == cst(11, 7, 17)
    assert DEMO.deadline(start, 4, "working_hours", subtype="0601") == cst(11, 9, 11, 30)  # not a 24-hour subtype
    assert DEMO.elapsed(start, cst(11, 7, 17), "working_hours", subtype="0107") == 24
    assert DEMO.is_round_the_clock("0513", start) and not DEMO.is_round_the_clock(None, start)


def test_a_subtype_is_24_hour_by_the_version_in_force_at_the_start() -> None:
    wt = working_time(version("2026-01-01"), version("2026-11-09", round_the_clock_subtypes=["0601"]))
    assert wt.deadline(cst(11, 6, 17), 4, "working_hours", subtype="0601") == cst(11, 9, 11, 30)
    assert wt.deadline(cst(11, 9, 17), 4, "working_hours", subtype="0601") == cst(11, 9, 21)


def test_the_next_working_moment() -> None:
    assert DEMO.next_working_moment(cst(6, 5, 10)) == cst(6, 5, 10)  # on duty: now
    assert DEMO.next_working_moment(cst(6, 5, 12, 30)) == cst(6, 5, 15)  # summer lunch
    assert DEMO.next_working_moment(cst(11, 6, 12, 30)) == cst(11, 6, 14, 30)  # winter lunch
    assert DEMO.next_working_moment(cst(6, 5, 19)) == cst(6, 8, 8)  # Friday evening → Monday
    assert DEMO.next_working_moment(cst(9, 30, 18)) == cst(10, 8, 8)  # National Day
    assert DEMO.next_working_moment(cst(6, 5, 18)) == cst(6, 8, 8)  # a window's end is not inside it


def test_working_days_are_the_start_days_duty_length() -> None:
    wt = working_time(version("2026-01-01", summer=[["08:00", "12:00"], ["14:00", "18:00"]]))
    assert wt.unit_length("working_days", date(2026, 6, 1)).total_seconds() == 8 * 3600
    assert wt.deadline(cst(6, 1, 9), 1, "working_days") == cst(6, 2, 9)
    assert wt.unit_length("working_days").total_seconds() == 7 * 3600  # the default windows without a day


def test_the_kpi_clock_follows_the_calendar() -> None:
    clock = WorkingClock(DEMO, date(2026, 5, 25), date(2026, 6, 30))
    assert clock.elapsed(cst(6, 1, 11), cst(6, 1, 16), "working_hours") == pytest.approx(2)


def test_without_a_loaded_calendar_the_default_windows_apply_and_admins_are_warned() -> None:
    for wt in (WorkingTime(HolidayCalendar.from_file(HOLIDAYS)), working_time()):
        assert wt.deadline(cst(6, 1, 11), 2, "working_hours") == cst(6, 1, 15, 30)
        assert wt.warnings(date(2026, 6, 1)) == [NO_DUTY_CALENDAR]
    assert DEMO.warnings(date(2026, 6, 1)) == []
    in_force = DEMO.duty_version(date(2026, 6, 1))
    assert in_force is not None
    assert json.loads(json.dumps(in_force.to_dict()))["round_the_clock_subtypes"] == ["0106", "0107", "0513"]


SWITCHING = working_time(version("2026-01-01"), version("2026-08-10", summer=[["07:30", "11:30"], ["16:00", "19:00"]]))


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 4, 20), max_value=datetime(2026, 10, 12)),
       minutes=st.integers(min_value=1, max_value=60 * 60), b=st.integers(min_value=0, max_value=60 * 20))
def test_across_seasons_and_versions_deadlines_land_on_duty_and_elapsed_inverts_them(start: datetime, minutes: int,
                                                                                    b: int) -> None:
    began = start.replace(tzinfo=CST)
    due = SWITCHING.deadline(began, minutes / 60, "working_hours")
    local = due.astimezone(CST)
    assert SWITCHING.calendar.is_workday(local.date())
    assert any(s < local.time() <= e for s, e in SWITCHING.windows_on(local.date()))  # that day's own windows
    assert SWITCHING.elapsed(began, due, "working_hours") == pytest.approx(minutes / 60)
    assert SWITCHING.deadline(due, b / 60, "working_hours") == SWITCHING.deadline(began, (minutes + b) / 60,
                                                                                   "working_hours")
    clock = WorkingClock(SWITCHING, date(2026, 4, 19), date(2026, 12, 31))
    assert clock.elapsed(began, due, "working_hours") == pytest.approx(minutes / 60)


def test_working_days_measure_alike_in_working_time_and_the_kpi_clock() -> None:
    eight = working_time(version("2026-01-01", summer=[["08:00", "12:00"], ["14:00", "18:00"]]))
    clock = WorkingClock(eight, date(2026, 6, 1), date(2026, 6, 30))
    start, end = cst(6, 1, 9), cst(6, 3, 13)  # 8 + 8 + 3 hours of 8-hour days
    assert eight.elapsed(start, end, "working_days") == pytest.approx(19 / 8)
    assert clock.elapsed(start, end, "working_days") == pytest.approx(19 / 8)
