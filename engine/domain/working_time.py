"""Working time (工作时): China's official calendar plus duty windows, for deadlines and elapsed time.

Units: ``working_hours`` count only time inside duty windows on working days; ``working_days``
are that many duty days' worth of working hours (a day of default windows is 7 hours; with a duty calendar,
the windows of the start's day); ``natural_hours`` and ``natural_days`` count the clock. Suspended (挂账)
intervals never count.

The duty windows come from the city's duty calendar (``engine.domain.duty_calendar``, versions by date, seasons,
24-hour subtypes) when one is attached (``WorkingTime.duty``); ``DEFAULT_WINDOWS`` is only the fallback while a
city has none (``warnings`` then says so). See docs/duty-windows.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from pathlib import Path

from engine.domain.city_zone import CITY
from engine.domain.duty_calendar import DutySource, DutyVersion

log = logging.getLogger(__name__)
NEXT_YEAR_NOTICE_DAYS = 45  # warn about next year's missing table this long before the year ends
UNITS = ("working_hours", "working_days", "natural_hours", "natural_days")
ROUND_THE_CLOCK = {"working_hours": "natural_hours", "working_days": "natural_days"}  # a 24-hour subtype's units
NO_DUTY_CALENDAR = ("no duty calendar loaded: working time uses the default duty windows 08:00–12:00 and "
                    "14:30–17:30; load the city's with `gridcase city calendar load FILE` or on /admin/calendar")
Interval = tuple[datetime, datetime]


@dataclass
class HolidayCalendar:
    """Official holidays and make-up working days (调休) per year; unknown years fall back to Mon–Fri."""

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    known_years: set[int] = field(default_factory=set)
    unknown_years_seen: set[int] = field(default_factory=set)  # admins are warned about these

    @classmethod
    def from_file(cls, path: Path) -> HolidayCalendar:
        """Load a table like config/calendar/china.json (``{"years": {"2026": {...}}}``)."""
        calendar = cls()
        for year, days in json.loads(path.read_text("utf-8"))["years"].items():
            calendar.add_year(int(year), [date.fromisoformat(d) for d in days["holidays"]],
                              [date.fromisoformat(d) for d in days["workdays"]])
        return calendar

    def add_year(self, year: int, holidays: Iterable[date], workdays: Iterable[date]) -> None:
        """Add a year's notice: weekday holidays and weekend make-up working days."""
        for day in [*holidays, *workdays]:
            if day.year != year:
                raise ValueError(f"{day} is not in {year}")
        self.holidays.update(holidays)
        self.workdays.update(workdays)
        self.known_years.add(year)

    def warnings(self, today: date) -> list[str]:
        """What admins must be told: a year without a holiday table that this year's deadlines reach or did reach.

        Limits run to a few weeks, so from mid-November deadlines reach into next year: its table is wanted
        then (the State Council usually publishes it in October or November).
        """
        wanted = {today.year, *self.unknown_years_seen}
        if today >= date(today.year, 12, 31) - timedelta(days=NEXT_YEAR_NOTICE_DAYS):
            wanted.add(today.year + 1)
        missing = sorted(wanted - self.known_years)
        return [f"no holiday table for {year}: working time in {year} counts Monday–Friday only; add the State "
                f"Council's notice with `gridcase calendar add-year {year} --holidays … --workdays …`"
                + (" (deadlines already reach into it)" if year in self.unknown_years_seen else "")
                for year in missing]

    def to_dict(self) -> dict[str, object]:
        """The table as stored in config/calendar/*.json (weekday holidays, weekend make-up days)."""
        years: dict[str, dict[str, list[str]]] = {}
        for year in sorted(self.known_years):
            years[str(year)] = {
                "holidays": sorted(d.isoformat() for d in self.holidays if d.year == year and d.weekday() < 5),
                "workdays": sorted(d.isoformat() for d in self.workdays if d.year == year and d.weekday() >= 5),
            }
        return {"years": years}

    def is_workday(self, day: date) -> bool:
        if day.year not in self.known_years:
            if day.year not in self.unknown_years_seen:
                self.unknown_years_seen.add(day.year)
                log.warning("no holiday table for %s: counting Monday–Friday as working days", day.year)
            return day.weekday() < 5
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


DEFAULT_WINDOWS = ((time(8, 0), time(12, 0)), (time(14, 30), time(17, 30)))


@dataclass
class WorkingTime:
    """Deadlines and elapsed time in the four units, in a time zone with duty windows.

    ``windows`` are the duty windows while no duty calendar is in force (``duty`` None, none loaded, or a day
    before its first version); ``duty`` is where the city's duty calendar is read (bootstrap attaches the
    engine's per-process cache)."""

    calendar: HolidayCalendar
    windows: tuple[tuple[time, time], ...] = DEFAULT_WINDOWS
    zone: tzinfo = CITY  # the city profile's zone, as it changes (engine/domain/city_zone.py)
    duty: DutySource | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.windows)
        if any(start >= end for start, end in ordered) or any(a[1] > b[0] for a, b in pairwise(ordered)):
            raise ValueError("duty windows must be non-empty and must not overlap")
        self.windows = tuple(ordered)

    @property
    def day_length(self) -> timedelta:
        """Working time in one duty day of the default windows."""
        return _length(self.windows)

    def duty_version(self, day: date) -> DutyVersion | None:
        """The duty calendar's version in effect on ``day`` (local date); None: the default windows apply."""
        calendar = self.duty.current() if self.duty is not None else None
        return calendar.version_on(day) if calendar is not None else None

    def windows_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The duty windows (local times) of ``day`` were it a working day: its duty calendar version's season and
        weekday, else the default windows."""
        version = self.duty_version(day)
        return version.windows_on(day) if version is not None else self.windows

    def day_length_on(self, day: date) -> timedelta:
        """Working time in one duty day with ``day``'s windows."""
        return _length(self.windows_on(day))

    def is_round_the_clock(self, subtype: str | None, moment: datetime) -> bool:
        """True when ``subtype`` is a 24-hour subtype in the duty calendar in effect at ``moment``."""
        if not subtype:
            return False
        version = self.duty_version(_utc(moment).astimezone(self.zone).date())
        return version is not None and subtype in version.round_the_clock

    def next_working_moment(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` inside a duty window of a working day (UTC, aware): ``moment``
        itself while on duty, else the start of the next window (e.g. for quiet hours)."""
        begin, _ = next(self._duty(_utc(moment)))
        return begin

    def warnings(self, today: date) -> list[str]:
        """What admins must be told: no duty calendar in force today, and years without a holiday table."""
        missing = [NO_DUTY_CALENDAR] if self.duty_version(today) is None else []
        return missing + self.calendar.warnings(today)

    def deadline(self, start: datetime, amount: float, unit: str,
                 suspended: Iterable[Interval] = (), *, subtype: str | None = None) -> datetime:
        """When ``amount`` of ``unit`` has passed after ``start`` (UTC, aware). ``subtype``: the case's subtype;
        for a 24-hour subtype of the duty calendar in force at ``start`` working units count every hour."""
        unit = self._unit_for(unit, subtype, start)
        remaining = self._as_delta(amount, unit, self._local_day(start))
        if remaining < timedelta(0):
            raise ValueError("amount must not be negative")
        cursor = _utc(start)
        if remaining == timedelta(0):
            return cursor
        for begin, end in self._counting(cursor, unit, list(suspended)):
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
        raise ValueError("deadline beyond the calendar's reach")  # _counting never ends; kept for type checkers

    def elapsed(self, start: datetime, end: datetime, unit: str, suspended: Iterable[Interval] = (), *,
                subtype: str | None = None) -> float:
        """How much of ``unit`` counts between ``start`` and ``end`` (0 when end is not after start); ``subtype``
        as for ``deadline``."""
        unit = self._unit_for(unit, subtype, start)
        total = timedelta(0)
        end = _utc(end)
        for begin, stop in self._counting(_utc(start), unit, list(suspended)):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total / self.unit_length(unit, self._local_day(start))

    def unit_length(self, unit: str, on: date | None = None) -> timedelta:
        """How long one ``unit`` is (a working day: the duty windows' length; of day ``on``'s windows when given,
        else of the default windows)."""
        return self._as_delta(1, unit, on)

    def _unit_for(self, unit: str, subtype: str | None, start: datetime) -> str:
        """The unit that counts: a 24-hour subtype's working units count the clock."""
        return ROUND_THE_CLOCK.get(unit, unit) if self.is_round_the_clock(subtype, start) else unit

    def _local_day(self, moment: datetime) -> date:
        return _utc(moment).astimezone(self.zone).date()

    def _as_delta(self, amount: float, unit: str, on: date | None = None) -> timedelta:
        if unit not in UNITS:
            raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNITS)}")
        if unit == "working_days":
            return (self.day_length if on is None else self.day_length_on(on)) * amount
        return timedelta(days=amount) if unit == "natural_days" else timedelta(hours=amount)

    def _counting(self, start: datetime, unit: str, suspended: list[Interval]) -> Iterator[Interval]:
        """Intervals from ``start`` on that count for ``unit``, with suspensions cut out, in order."""
        forever = datetime.max.replace(tzinfo=UTC)
        source = self._duty(start) if unit.startswith("working") else iter([(start, forever)])
        for begin, end in source:
            yield from _minus(begin, end, suspended)

    def _duty(self, start: datetime) -> Iterator[Interval]:
        day = start.astimezone(self.zone).date()
        for _ in range(366 * 200):
            for begin, end in self.day_windows(day):
                if end > start:
                    yield max(begin, start), end
            day += timedelta(days=1)

    def day_windows(self, day: date) -> list[Interval]:
        """The day's duty windows in UTC; none on a day off."""
        if not self.calendar.is_workday(day):
            return []
        return [(datetime.combine(day, s, self.zone).astimezone(UTC), datetime.combine(day, e, self.zone)
                 .astimezone(UTC)) for s, e in self.windows_on(day)]


def _length(windows: Iterable[tuple[time, time]]) -> timedelta:
    return sum((datetime.combine(date.min, e) - datetime.combine(date.min, s) for s, e in windows), timedelta())


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("working time needs aware datetimes")
    return moment.astimezone(UTC)


def _minus(begin: datetime, end: datetime, suspended: list[Interval]) -> Iterator[Interval]:
    """[begin, end) without the suspended intervals."""
    cursor = begin
    for s_begin, s_end in sorted((_utc(a), _utc(b)) for a, b in suspended):
        if s_end <= cursor or s_begin >= end:
            continue
        if s_begin > cursor:
            yield cursor, s_begin
        cursor = max(cursor, s_end)
    if cursor < end:
        yield cursor, end


class WorkingClock:
    """Working seconds counted from the first of a span of days, for measuring many intervals against one
    calendar: ``elapsed(start, end, unit)`` equals ``WorkingTime.elapsed`` (no suspensions) inside the span,
    at a dictionary lookup per moment instead of walking the duty windows (a KPI report measures 100,000s
    of role steps). Built for one report: a calendar changed afterwards is not seen."""

    def __init__(self, working_time: WorkingTime, first: date, last: date) -> None:
        self.working_time, self.zone = working_time, working_time.zone
        self.days: dict[date, tuple[float, tuple[tuple[float, float], ...]]] = {}
        total, day = 0.0, first
        while day <= last:
            windows = tuple((begin.timestamp(), end.timestamp()) for begin, end in working_time.day_windows(day))
            self.days[day] = (total, windows)
            total += sum(end - begin for begin, end in windows)
            day += timedelta(days=1)

    def seconds(self, moment: datetime) -> float:
        """Working seconds from the span's first day to ``moment`` (a KeyError outside the span)."""
        if moment.tzinfo is None:
            raise ValueError("working time needs aware datetimes")
        before, windows = self.days[moment.astimezone(self.zone).date()]
        at = moment.timestamp()
        for begin, end in windows:  # in order
            if at <= begin:
                break
            before += (end if at > end else at) - begin
        return before

    def elapsed(self, start: datetime, end: datetime, unit: str) -> float:
        """How much of a working ``unit`` counts between ``start`` and ``end`` (0 when end is not after start)."""
        if not unit.startswith("working"):
            return self.working_time.elapsed(start, end, unit)
        worked = max(0.0, self.seconds(end) - self.seconds(start))
        on = start.astimezone(self.zone).date() if unit == "working_days" else None  # as WorkingTime.elapsed
        return worked / self.working_time.unit_length(unit, on).total_seconds()
