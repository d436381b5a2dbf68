"""Working time: official holidays and make-up days, duty windows, suspensions, and the laws deadlines obey."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.working_time import HolidayCalendar, WorkingClock, WorkingTime

CST = ZoneInfo("Asia/Shanghai")
CALENDAR_FILE = Path(__file__).resolve().parents[2] / "config" / "calendar" / "china.json"
WT = WorkingTime(HolidayCalendar.from_file(CALENDAR_FILE))


def cst(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


@pytest.mark.parametrize(("start", "amount", "unit", "expected"), [
    (cst(2026, 11, 2, 9), 4, "working_hours", cst(2026, 11, 2, 15, 30)),  # lunch break skipped
    (cst(2026, 11, 6, 17), 2, "working_hours", cst(2026, 11, 9, 9, 30)),  # Friday evening → Monday
    (cst(2026, 11, 2, 7), 1, "working_hours", cst(2026, 11, 2, 9)),  # before duty starts
    (cst(2026, 9, 30, 17), 1, "working_hours", cst(2026, 10, 8, 8, 30)),  # National Day holidays skipped
    (cst(2026, 10, 9, 17), 1, "working_hours", cst(2026, 10, 10, 8, 30)),  # Saturday make-up working day
    (cst(2026, 11, 2, 9), 1, "working_days", cst(2026, 11, 3, 9)),  # one duty day = 7 working hours
    (cst(2026, 11, 2, 9), 5, "natural_hours", cst(2026, 11, 2, 14)),
    (cst(2026, 11, 2, 9), 2, "natural_days", cst(2026, 11, 4, 9)),
])
def test_deadlines(start: datetime, amount: float, unit: str, expected: datetime) -> None:
    assert WT.deadline(start, amount, unit) == expected
    assert WT.elapsed(start, expected, unit) == pytest.approx(amount)


def test_suspended_time_does_not_count() -> None:
    start = cst(2026, 11, 2, 9)
    suspended = [(cst(2026, 11, 2, 10), cst(2026, 11, 2, 11))]
    assert WT.deadline(start, 4, "working_hours", suspended) == cst(2026, 11, 2, 16, 30)
    assert WT.deadline(start, 5, "natural_hours", suspended) == cst(2026, 11, 2, 15)
    assert WT.elapsed(start, cst(2026, 11, 2, 12), "working_hours", suspended) == pytest.approx(2)


def test_a_year_without_data_falls_back_to_weekdays_and_is_reported() -> None:
    calendar = HolidayCalendar.from_file(CALENDAR_FILE)
    working = WorkingTime(calendar)
    assert working.deadline(cst(2026, 12, 31, 17), 1, "working_hours") == cst(2027, 1, 1, 8, 30)
    assert calendar.unknown_years_seen == {2027}
    calendar.add_year(2027, [date(2027, 1, 1)], [])
    assert working.deadline(cst(2026, 12, 31, 17), 1, "working_hours") == cst(2027, 1, 4, 8, 30)


def test_admins_are_warned_about_years_without_a_table() -> None:
    calendar = HolidayCalendar.from_file(CALENDAR_FILE)  # 2004–2026
    assert calendar.warnings(date(2026, 3, 1)) == []
    (late_november,) = calendar.warnings(date(2026, 11, 26))  # December deadlines reach into 2027
    assert "2027" in late_november and "gridcase calendar add-year 2027" in late_november
    assert [w[:30] for w in calendar.warnings(date(2027, 1, 5))] == [late_november[:30]]
    WorkingTime(calendar).deadline(cst(2026, 3, 1, 9), 400, "working_days")  # reaches into 2027
    (reached,) = calendar.warnings(date(2026, 3, 1))
    assert "2027" in reached and "already reach" in reached
    calendar.add_year(2027, [date(2027, 1, 1)], [])
    assert calendar.warnings(date(2026, 11, 26)) == []


def test_calendar_status_prints_the_years_and_the_warnings(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, ["calendar", "status", "--json"],
                                env={"GRIDCASE_CALENDAR_FILE": str(CALENDAR_FILE)})
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["years"][0] == 2004 and 2026 in status["years"]
    assert isinstance(status["warnings"], list)


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unknown time unit 'hours'"):
        WT.deadline(cst(2026, 11, 2, 9), 1, "hours")
    with pytest.raises(ValueError, match="aware"):
        WT.deadline(datetime(2026, 11, 2, 9), 1, "working_hours")
    with pytest.raises(ValueError, match="overlap"):
        WorkingTime(HolidayCalendar(), windows=((cst(1, 1, 1, 8).time(), cst(1, 1, 1, 12).time()),
                                                (cst(1, 1, 1, 11).time(), cst(1, 1, 1, 13).time())))
    with pytest.raises(ValueError, match="not in 2027"):
        HolidayCalendar().add_year(2027, [date(2026, 12, 31)], [])


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(UTC))
minutes = st.integers(min_value=0, max_value=60 * 60)
units = st.sampled_from(["working_hours", "natural_hours"])


@settings(max_examples=150, deadline=None)
@given(start=starts, a=minutes, b=minutes, unit=units)
def test_deadlines_are_monotonic_and_additive(start: datetime, a: int, b: int, unit: str) -> None:
    first = WT.deadline(start, a / 60, unit)
    assert first >= start
    assert WT.deadline(start, (a + b) / 60, unit) >= first
    assert WT.deadline(first, b / 60, unit) == WT.deadline(start, (a + b) / 60, unit)


@settings(max_examples=150, deadline=None)
@given(start=starts, a=st.integers(min_value=1, max_value=60 * 60))
def test_a_working_deadline_lands_in_duty_time_and_elapsed_inverts_it(start: datetime, a: int) -> None:
    due = WT.deadline(start, a / 60, "working_hours")
    local = due.astimezone(CST)
    assert WT.calendar.is_workday(local.date())  # holidays and weekends are skipped
    assert any(s < local.time() <= e for s, e in WT.windows)
    assert WT.elapsed(start, due, "working_hours") == pytest.approx(a / 60)
    assert WT.elapsed(start, due - timedelta(minutes=1), "working_hours") < a / 60


def test_an_admin_adds_a_year_from_the_command_line(tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from cli.main import cli

    table = tmp_path / "calendar.json"
    shutil.copy(CALENDAR_FILE, table)
    runner = CliRunner()
    done = runner.invoke(cli, ["calendar", "add-year", "2027", "--holidays", "2027-01-01,2027-02-08",
                               "--workdays", "2027-02-07", "--file", str(table)])
    assert done.exit_code == 0, done.output
    calendar = HolidayCalendar.from_file(table)
    assert 2027 in calendar.known_years and 2026 in calendar.known_years
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 7))
    refused = runner.invoke(cli, ["calendar", "add-year", "2027", "--holidays", "2026-12-31", "--file", str(table)])
    assert refused.exit_code != 0 and "not in 2027" in refused.output
    bad = runner.invoke(cli, ["calendar", "add-year", "2027", "--holidays", "2027-13-01", "--file", str(table)])
    assert bad.exit_code != 0 and "--holidays" in bad.output


@settings(max_examples=300, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 9, 25), max_value=datetime(2026, 10, 12)),
       minutes=st.integers(min_value=-600, max_value=60 * 24 * 12),
       unit=st.sampled_from(["working_hours", "working_days", "natural_hours"]))
def test_a_working_clock_measures_what_elapsed_measures(start: datetime, minutes: int, unit: str) -> None:
    # National Day (Oct 1-7) and its Saturday make-up day (Oct 10) fall inside the span
    began = start.replace(tzinfo=CST)
    ended = began + timedelta(minutes=minutes)
    clock = WorkingClock(WT, date(2026, 9, 24), date(2026, 10, 25))
    assert clock.elapsed(began, ended, unit) == pytest.approx(WT.elapsed(began, ended, unit), abs=1e-9)
    assert clock.elapsed(began.astimezone(UTC), ended.astimezone(UTC), unit) == \
        pytest.approx(clock.elapsed(began, ended, unit), abs=1e-9)


def test_a_working_clock_counts_a_lunch_break_and_a_weekend_as_nothing() -> None:
    clock = WorkingClock(WT, date(2026, 11, 1), date(2026, 11, 30))
    assert clock.elapsed(cst(2026, 11, 2, 11), cst(2026, 11, 2, 15), "working_hours") == pytest.approx(1.5)
    assert clock.elapsed(cst(2026, 11, 6, 17), cst(2026, 11, 9, 9), "working_hours") == pytest.approx(1.5)
    assert clock.elapsed(cst(2026, 11, 9, 9), cst(2026, 11, 6, 17), "working_hours") == 0


def test_a_working_clock_refuses_naive_times_and_days_outside_its_span() -> None:
    clock = WorkingClock(WT, date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(ValueError, match="aware"):
        clock.seconds(datetime(2026, 11, 2, 9))
    with pytest.raises(KeyError):
        clock.seconds(cst(2026, 12, 1, 9))
