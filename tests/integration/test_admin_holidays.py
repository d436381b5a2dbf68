"""The holidays page and command (节假日, SetHolidayYear): an admin sets a year's days off and 调休 working days in
the city's stored holiday table; every process's working time counts with them; refusals name the field and store
nothing; other roles are refused; the CLI does the same. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from api_support import Api
from pages_support import Browser

from city.admin.commands import SetHolidayYear
from city.bootstrap import bootstrap
from engine.domain.errors import InvalidCommand
from engine.service.bus import MessageBus
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# 2031-01-02 is a Thursday, 2031-01-04 a Saturday
DAY_OFF, SATURDAY_WORKED = date(2031, 1, 2), date(2031, 1, 4)


def _process(city: str) -> MessageBus:
    """Another process's bus over the city, with working time as the servers build it."""
    return bootstrap(city, working_time=Settings.from_env({"GRIDCASE_DATABASE_URL": city}).working_time())


def _stored_year(api: Api, year: int) -> dict[str, list[str]] | None:
    from city.admin.views import holiday_years

    return holiday_years(api.deps)["years"].get(str(year))


def test_an_admin_sets_a_year_and_every_process_counts_with_it(api: Api, city: str) -> None:
    admin = Browser(api, "admin")
    page = admin.get("/admin/holidays")
    assert page.status_code == 200 and "节假日" in page.text and "2026" in page.text  # the demo package's table
    assert Browser(api, "supervisor01").get("/admin/holidays").status_code == 403
    other = _process(city)  # another process, started before the change
    assert other.deps.working_time is not None and other.deps.working_time.calendar.is_workday(DAY_OFF)
    done = admin.client.post("/admin/holidays", data={"csrf_token": admin.token, "year": "2031",
                                                      "holidays": "2031-01-01, 2031-01-02\n2031-01-03",
                                                      "workdays": "2031-01-04", "comment": "元旦"},
                             follow_redirects=True)
    assert done.status_code == 200 and "已保存节假日" in done.text and 'id="holidays-2031"' in done.text
    assert _stored_year(api, 2031) == {"holidays": ["2031-01-01", "2031-01-02", "2031-01-03"],
                                       "workdays": ["2031-01-04"]}
    fresh = _process(city)  # a process started afterwards
    assert fresh.deps.working_time is not None
    assert not fresh.deps.working_time.calendar.is_workday(DAY_OFF)
    assert fresh.deps.working_time.calendar.is_workday(SATURDAY_WORKED)
    changes = admin.get("/admin/holidays").text
    assert "元旦" in changes  # the change history, with its comment
    for bus in (other, fresh):
        bus.deps.db.dispose()


def test_refusals_name_the_field_and_store_nothing(api: Api) -> None:
    before = _stored_year(api, 2032)
    bus = api.bus
    for command, field in ((SetHolidayYear(2032, ("2032-01-01",), ("2032-01-05",), "admin"), "workdays"),  # a Monday
                           (SetHolidayYear(2032, ("2033-01-01",), (), "admin"), "holidays"),
                           (SetHolidayYear(2032, ("soon",), (), "admin"), "holidays"),
                           (SetHolidayYear(1800, (), (), "admin"), "year"),
                           (SetHolidayYear(2032, ("2032-01-03",), ("2032-01-03",), "admin"), "workdays")):
        try:
            bus.handle(command)
        except InvalidCommand as exc:
            assert exc.field == field, (command, exc)
        else:
            raise AssertionError(f"{command} was not refused")
    assert _stored_year(api, 2032) == before
    admin = Browser(api, "admin")
    admin.get("/admin/holidays")
    refused = admin.client.post("/admin/holidays", data={"csrf_token": admin.token, "year": "2032",
                                                         "holidays": "", "workdays": "2032-01-05"},
                                follow_redirects=True)
    assert "workdays" in refused.text and _stored_year(api, 2032) == before


def test_the_command_line_sets_a_year_alike(api: Api, city: str) -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", city, "city", "holidays", "set", "2033",
                           "--holidays", "2033-01-03", "--workdays", "2033-01-08"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["year"] == 2033
    assert _stored_year(api, 2033) == {"holidays": ["2033-01-03"], "workdays": ["2033-01-08"]}
    refused = subprocess.run([sys.executable, "-m", "cli", "--database-url", city, "city", "holidays", "set", "2033",
                              "--workdays", "2033-01-10"], capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 1 and "workdays:" in refused.stderr
