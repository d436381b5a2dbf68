"""The profile's holiday table (calendar/NAME.json in the package, else config/calendar/NAME.json): parsed from the
text the package load stores in ``holiday_calendars``, and put into a process's working time."""

from __future__ import annotations

import json
from datetime import date

from engine.domain.working_time import HolidayCalendar, WorkingTime


def holiday_calendar_of(text: str) -> HolidayCalendar:
    """The table in ``text`` (``{"years": {"2026": {"holidays": [...], "workdays": [...]}}}``); ValueError, KeyError
    or TypeError when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ValueError('the top level must be {"years": {"YYYY": {"holidays": [...], "workdays": [...]}}}')
    calendar = HolidayCalendar()
    for year, days in data["years"].items():
        calendar.add_year(int(year), [date.fromisoformat(d) for d in days["holidays"]],
                          [date.fromisoformat(d) for d in days["workdays"]])
    return calendar


def use_holidays(working_time: WorkingTime | None, text: str) -> None:
    """Make the table in ``text`` the one ``working_time`` counts with, in place (whoever holds its calendar sees
    it)."""
    if working_time is None:
        return
    fresh, calendar = holiday_calendar_of(text), working_time.calendar
    calendar.holidays, calendar.workdays, calendar.known_years = fresh.holidays, fresh.workdays, fresh.known_years
    calendar.unknown_years_seen = set()
