"""The city package's holiday table and profile reach every process (SQLite and PostgreSQL): Lakeside's US table is
stored with the load and is the one working time counts with — here and in a process started or running elsewhere —
instead of the GRIDCASE_CALENDAR_FILE table (China's); a calendar name that resolves to no file is refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from city_package_support import CHICAGO, LAKESIDE
from city_package_support import load_package as _load
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.package.format import PackageError
from city.package.profile import city_locale
from city.package.reader import read_package
from engine.domain.city_zone import city_zone, use_city_zone
from engine.domain.clock import FakeClock
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]
CHINA = ROOT / "config" / "calendar" / "china.json"
Sql = Callable[..., list[sa.Row]]



def _bus(db: Engine, clock: FakeClock) -> MessageBus:
    """A process as `gridcase serve` starts one: working time from GRIDCASE_CALENDAR_FILE (China's table)."""
    return bootstrap(db, clock, working_time=WorkingTime(HolidayCalendar.from_file(CHINA)))



def _counts_us_holidays(bus: MessageBus) -> bool:
    """A one-working-day deadline from the Wednesday before Thanksgiving skips Thursday 26 November 2026 (a US
    holiday), and one from 30 September skips no day of China's National Day week (1–8 October)."""
    wt = bus.deps.working_time
    assert wt is not None
    thanksgiving = wt.deadline(datetime(2026, 11, 25, 17, 0, tzinfo=CHICAGO), 1, "working_days")
    national_day = wt.deadline(datetime(2026, 9, 30, 17, 0, tzinfo=CHICAGO), 1, "working_days")
    return bool(thanksgiving.date() == date(2026, 11, 27) and national_day.date() == date(2026, 10, 1))


def test_the_package_holiday_table_is_the_one_working_time_counts_with(db: Engine, sql: Sql) -> None:
    clock = FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO))
    bus = _bus(db, clock)
    assert not _counts_us_holidays(bus)  # before the load: China's table
    _load(bus)
    assert _counts_us_holidays(bus)
    (row,) = sql("SELECT name, content FROM holiday_calendars")
    assert row.name == "us" and json.loads(row.content)["years"]["2026"]["holidays"][4] == "2026-11-26"
    assert _counts_us_holidays(_bus(db, clock))  # a process started after the load reads the stored table


def test_a_load_elsewhere_reaches_a_running_process(db: Engine) -> None:
    clock = FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO))
    loader, running = _bus(db, clock), _bus(db, clock)
    assert not _counts_us_holidays(running)  # the running process has read the (empty) profile just now
    _load(loader)
    use_city_zone(None)  # the running process's own state: it has not seen the load yet
    assert not _counts_us_holidays(running) and city_zone().key == "Asia/Shanghai"  # within the second: not yet
    clock.advance(timedelta(seconds=2))
    assert running.deps.working_time is not None
    running.deps.working_time.duty.current()  # what every command and working-time reading does first
    assert city_zone().key == "America/Chicago" and city_locale() == "en"
    assert _counts_us_holidays(running)


def test_a_calendar_name_without_a_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    profile = json.loads((folder / "city.json").read_text("utf-8"))
    (folder / "city.json").write_text(json.dumps({**profile, "calendar": "atlantis"}), "utf-8")
    with pytest.raises(PackageError, match=r"calendar .atlantis.*calendar/atlantis\.json.*config/calendar"):
        read_package(folder)
    (folder / "calendar" / "atlantis.json").write_text('{"years": {"2026": {"holidays": ["2025-01-01"]}}}', "utf-8")
    with pytest.raises(PackageError, match=r"calendar/atlantis\.json: not a holiday calendar"):
        read_package(folder)
