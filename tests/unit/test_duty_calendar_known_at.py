"""A duty calendar version counts for deadlines from its ``known_from`` (its load time plus the caches' refresh):
a step computed before then used the versions known before it, and replaying the step at its recorded time
must compute the same deadline although the version is loaded now."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from engine.domain.duty_calendar import calendar_of, computing_at, parse_version
from engine.domain.working_time import HolidayCalendar, WorkingTime

CST = ZoneInfo("Asia/Shanghai")
MONDAY_11 = datetime(2026, 6, 1, 11, tzinfo=CST)
SUMMER = {"effective_from": "2026-01-01", "seasons": [
    {"name": "summer", "from": "05-01", "to": "09-30", "windows": [["08:00", "12:00"], ["15:00", "18:00"]]},
    {"name": "winter", "from": "10-01", "to": "04-30", "windows": [["08:00", "12:00"], ["14:30", "17:30"]]}]}


class Loaded:
    def __init__(self, wt_calendar: object) -> None:
        self.calendar = wt_calendar

    def current(self) -> object:
        return self.calendar


def working_time(known_from: datetime | None) -> WorkingTime:
    version = replace(parse_version(SUMMER), known_from=known_from)
    holidays = HolidayCalendar()
    holidays.add_year(2026, [], [])
    return WorkingTime(holidays, duty=Loaded(calendar_of([version])))  # type: ignore[arg-type]


def test_a_version_known_later_does_not_count_for_a_step_computed_before() -> None:
    wt = working_time(known_from=datetime(2026, 6, 1, 12, tzinfo=CST))
    with computing_at(MONDAY_11):  # the step ran at 11:00; the version became known at 12:00
        assert wt.deadline(MONDAY_11, 2, "working_hours") == datetime(2026, 6, 1, 15, 30, tzinfo=CST)  # defaults
        assert wt.windows_on(date(2026, 6, 1)) == ((time(8), time(12)), (time(14, 30), time(17, 30)))
    with computing_at(datetime(2026, 6, 1, 12, tzinfo=CST)):
        assert wt.deadline(MONDAY_11, 2, "working_hours") == datetime(2026, 6, 1, 16, tzinfo=CST)  # summer


def test_outside_a_step_every_loaded_version_counts() -> None:
    # reports and KPIs read the calendar as it is now
    wt = working_time(known_from=datetime(2026, 6, 1, 12, tzinfo=CST))
    assert wt.deadline(MONDAY_11, 2, "working_hours") == datetime(2026, 6, 1, 16, tzinfo=CST)


def test_a_version_without_a_known_time_counts_at_once() -> None:
    with computing_at(MONDAY_11):
        assert working_time(None).deadline(MONDAY_11, 2, "working_hours") == datetime(2026, 6, 1, 16, tzinfo=CST)
