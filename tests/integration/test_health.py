"""/healthz tells admins what needs them: here, a holiday table missing for the year deadlines run in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from city.bootstrap import bootstrap
from engine.domain.calendar_commands import LoadDutyCalendar
from engine.domain.working_time import HolidayCalendar, WorkingTime
from web.app import create_app
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_health_warns_when_the_current_year_has_no_holiday_table(db: sa.Engine) -> None:
    calendar = HolidayCalendar()
    calendar.add_year(2004, [], [])
    bus = bootstrap(db, working_time=WorkingTime(calendar))
    body = create_app(Settings.from_env({}), bus).test_client().get("/healthz").get_json()
    assert body["status"] == "ok"
    this_year = str(datetime.now().year)
    assert any(this_year in warning and "calendar add-year" in warning for warning in body["warnings"])


def test_health_has_no_calendar_warning_once_the_years_are_there(db: sa.Engine) -> None:
    calendar = HolidayCalendar()
    year = datetime.now().year
    for known in (year - 1, year, year + 1):
        calendar.add_year(known, [], [])
    bus = bootstrap(db, working_time=WorkingTime(calendar))
    bus.handle(LoadDutyCalendar((ROOT / "config" / "duty_calendar.json").read_text("utf-8"), "tests"))
    assert create_app(Settings.from_env({}), bus).test_client().get("/healthz").get_json()["warnings"] == []
