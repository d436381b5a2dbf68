"""The duty calendar on SQLite and PostgreSQL: loaded by the command, the command line and the API, all versions or
none; the engine's working time reads it (a per-process cache, re-read after a load); /healthz warns while none is
loaded; and the lifecycle's disposal deadline follows a loaded summer calendar."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from calendar_support import summer_app
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain.calendar_commands import LoadDutyCalendar
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.domain.working_time import NO_DUTY_CALENDAR
from engine.service.bus import MessageBus
from engine.service.calendars import REFRESH
from web.app import create_app
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "config" / "duty_calendar.json"
CST = ZoneInfo("Asia/Shanghai")
SUMMER_MONDAY = datetime(2026, 6, 1, 11, 0, tzinfo=CST)
NEW_WINTER = {"effective_from": "2027-01-01", "comment": "冬令时午休缩短", "seasons": [
    {"name": "summer", "from": "05-01", "to": "09-30", "windows": [["08:00", "12:00"], ["15:00", "18:00"]]},
    {"name": "winter", "from": "10-01", "to": "04-30", "windows": [["08:00", "12:00"], ["13:30", "17:30"]]}]}


def engine_bus(db: Engine | str, clock: FakeClock) -> MessageBus:
    """The engine with the city's working time (as the servers build it), on ``clock``."""
    return bootstrap(db, clock, working_time=Settings.from_env({}).working_time())


def stored(db: Engine) -> list[sa.Row]:
    with db.connect() as conn:
        return list(conn.execute(sa.text("SELECT effective_from, loaded_by, comment FROM duty_calendar_versions"
                                         " ORDER BY id")))


def test_the_command_stores_each_version_once(db: Engine) -> None:
    bus = engine_bus(db, FakeClock())
    loaded = bus.handle(LoadDutyCalendar(DEMO_FILE.read_text("utf-8"), "admin", "初始"))
    assert (len(loaded.added), loaded.unchanged) == (1, 0)
    again = bus.handle(LoadDutyCalendar(DEMO_FILE.read_text("utf-8"), "admin"))
    assert (again.added, again.unchanged) == ((), 1)
    (row,) = stored(db)
    assert (str(row.effective_from)[:10], row.loaded_by, row.comment) == ("2026-01-01", "admin", "初始")


def test_a_file_with_one_bad_version_stores_none(db: Engine) -> None:
    bus = engine_bus(db, FakeClock())
    bad = {**NEW_WINTER, "effective_from": "2027-02-01", "seasons": [{**NEW_WINTER["seasons"][0], "to": "09-31"}]}
    content = json.dumps({"versions": [*json.loads(DEMO_FILE.read_text("utf-8"))["versions"], NEW_WINTER, bad]})
    with pytest.raises(InvalidCommand) as refused:
        bus.handle(LoadDutyCalendar(content, "admin"))
    assert refused.value.field == "versions[2].seasons[0].to"
    assert stored(db) == []


def test_working_time_reads_a_loaded_calendar_at_once_and_another_process_within_the_refresh(db: Engine) -> None:
    clock = FakeClock(SUMMER_MONDAY)
    loader, other = engine_bus(db, clock), engine_bus(db, clock)
    default_due = datetime(2026, 6, 1, 15, 30, tzinfo=CST)  # 08:00–12:00, 14:30–17:30
    for bus in (loader, other):
        assert bus.deps.working_time.deadline(SUMMER_MONDAY, 2, "working_hours") == default_due
    loader.handle(LoadDutyCalendar(DEMO_FILE.read_text("utf-8"), "admin"))
    summer_due = datetime(2026, 6, 1, 16, 0, tzinfo=CST)  # summer afternoons start at 15:00
    assert loader.deps.working_time.deadline(SUMMER_MONDAY, 2, "working_hours") == summer_due
    assert other.deps.working_time.deadline(SUMMER_MONDAY, 2, "working_hours") == default_due  # cached
    clock.advance(REFRESH + timedelta(seconds=1))
    assert other.deps.working_time.deadline(SUMMER_MONDAY, 2, "working_hours") == summer_due


def test_healthz_warns_while_no_duty_calendar_is_loaded(db: Engine) -> None:
    bus = engine_bus(db, FakeClock())
    client = create_app(Settings.from_env({}), bus).test_client()
    assert NO_DUTY_CALENDAR in client.get("/healthz").get_json()["warnings"]
    bus.handle(LoadDutyCalendar(DEMO_FILE.read_text("utf-8"), "admin"))
    assert NO_DUTY_CALENDAR not in client.get("/healthz").get_json()["warnings"]


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "city", "calendar", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_loads_and_shows(db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"versions": [{**NEW_WINTER, "round_the_clock_subtypes": "0107"}]}), "utf-8")
    refused = cli(url, "load", str(bad))
    assert refused.returncode == 1 and "versions[0].round_the_clock_subtypes" in refused.stderr
    assert stored(db) == []
    done = cli(url, "load", str(DEMO_FILE), "--actor", "ops")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["added"]) == 1
    assert "nothing to do" in cli(url, "load", str(DEMO_FILE), "--if-empty").stdout
    shown = json.loads(cli(url, "show", "--json").stdout)
    (version,) = shown["versions"]
    assert (version["effective_from"], version["loaded_by"], version["in_force"]) == ("2026-01-01", "ops", True)
    assert NO_DUTY_CALENDAR not in shown["warnings"]


def test_the_api_loads_for_admins_and_names_a_bad_field(api: Api) -> None:
    body = {"versions": [NEW_WINTER]}
    assert api.post("/city/calendar", "dispatcher01", body).status_code == 403
    good = {**NEW_WINTER, "effective_from": "2028-01-01"}
    broken = {**NEW_WINTER, "seasons": [{**NEW_WINTER["seasons"][1], "windows": [["08:00", "7:00"]]}]}
    bad = {"versions": [good, broken]}  # the good one is not stored either
    assert error_of(api.post("/city/calendar", "admin", bad), 422)["fields"] == {
        "versions[1].seasons[0].windows[0]": "a window's times must be HH:MM"}
    assert all(v["effective_from"] != "2028-01-01" for v in api.get("/city/calendar", "admin").json["versions"])
    created = api.post("/city/calendar?comment=api", "admin", body)
    assert created.status_code in (200, 201), created.json  # 200: an earlier run of this module loaded it
    shown = api.get("/city/calendar", "dispatcher01")
    assert shown.status_code == 200
    found = [v for v in shown.json["versions"] if v["effective_from"] == "2027-01-01"]
    assert found and found[0]["seasons"][1]["windows"] == [["08:00", "12:00"], ["13:30", "17:30"]]
    assert found[0]["in_force"] is False  # from 2027 on


@pytest.fixture
def summer_api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from summer_app(city, tmp_path)


def test_the_disposal_deadline_follows_a_loaded_summer_calendar(summer_api: Api) -> None:
    loaded = summer_api.post("/city/calendar", "admin", json.loads(DEMO_FILE.read_text("utf-8")))
    assert loaded.status_code in (200, 201), loaded.json
    summer_api.engine_clock.advance(minutes=3)  # type: ignore[attr-defined]
    case_no = summer_api.new_case()
    dispose = summer_api.to_disposal(case_no)  # dispatched at 11:00; 0601's limit: 2 working hours
    due = datetime.fromisoformat(dispose["due_at"])
    assert due == datetime(2026, 6, 1, 16, 0, tzinfo=CST)  # 11:00–12:00, then 15:00–16:00 (winter: 15:30)
    case = summer_api.get(f"/cases/{case_no}", "seat01").json
    assert datetime.fromisoformat(case["due_at"]) == due

