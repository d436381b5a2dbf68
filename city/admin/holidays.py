"""SetHolidayYear: one year of the city's holiday table (节假日 and 调休 working days), stored in the calendar the
city package named (``holiday_calendars``), recorded in the admin history, and taken by every process's working time
(the profile's version moves on, which each process follows within about a second)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from city.admin import commands as ac
from city.admin.checks import check_common, record
from city.package.holidays import holiday_calendar_of
from engine.domain.errors import InvalidCommand
from engine.persistence.read import city_package as read
from engine.persistence.repositories.city_package import CityPackageStore
from engine.service.bus import HandlerContext

MAX_DAYS = 120  # a year lists a few dozen days; more is a mistake (or a whole year pasted)


def _days(values: tuple[str, ...], year: int, field: str, weekend: bool | None) -> list[str]:
    """The dates in ``year``, sorted; InvalidCommand naming ``field``. ``weekend``: True, each must be a Saturday or
    Sunday (a day worked in place of a holiday); None, any day."""
    if len(values) > MAX_DAYS:
        raise InvalidCommand(f"at most {MAX_DAYS} dates", field=field)
    days = set()
    for text in values:
        try:
            day = date.fromisoformat(text.strip())
        except (ValueError, AttributeError):
            raise InvalidCommand(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None
        if day.year != year:
            raise InvalidCommand(f"{day} is not in {year}", field=field)
        if weekend and day.weekday() < 5:
            raise InvalidCommand(f"{day} is a weekday: a 调休 working day replaces a Saturday or Sunday", field=field)
        days.add(day.isoformat())
    return sorted(days)


def set_holiday_year(cmd: ac.SetHolidayYear, ctx: HandlerContext) -> dict[str, Any]:
    """Replace ``year`` in the stored holiday table of the city's calendar; refused naming the field, and when no
    city package was loaded (until then working time reads GRIDCASE_CALENDAR_FILE)."""
    check_common(cmd.actor, cmd.comment)
    if not 1900 <= cmd.year <= 2200:
        raise InvalidCommand("year must be 1900–2200", field="year")
    holidays = _days(cmd.holidays, cmd.year, "holidays", None)
    workdays = _days(cmd.workdays, cmd.year, "workdays", True)
    if set(holidays) & set(workdays):
        raise InvalidCommand(f"{sorted(set(holidays) & set(workdays))[0]} is both a holiday and a working day",
                             field="workdays")
    with ctx.deps.uow() as uow:
        profile = read.profile(uow.store)
        stored = read.holiday_calendar(uow.store, profile["calendar"]) if profile else None
        if profile is None or stored is None:
            raise InvalidCommand("no city package is loaded: load one (gridcase city load DIR), which stores its "
                                 "holiday calendar; until then `gridcase calendar add-year` edits the file",
                                 field="year")
        table = json.loads(stored)
        before = table["years"].get(str(cmd.year))
        after = {"holidays": holidays, "workdays": workdays}
        table["years"][str(cmd.year)] = after
        content = json.dumps(table, ensure_ascii=False, sort_keys=True)
        holiday_calendar_of(content)  # what the processes will parse: never store what they could not
        packages = uow.repository(CityPackageStore)
        now = ctx.deps.clock.now()
        packages.save_holiday_calendar(profile["calendar"], content, hashlib.sha256(content.encode()).hexdigest(),
                                       now)
        # the next profile version: every process re-applies the profile, holidays included
        packages.save_profile(profile, now, cmd.actor)
        record(uow, ctx, "holidays", f"{profile['calendar']}/{cmd.year}", "edit" if before else "add", before, after,
               cmd.actor, cmd.comment)
    return {"calendar": profile["calendar"], "year": cmd.year, "holidays": len(holidays), "workdays": len(workdays)}
