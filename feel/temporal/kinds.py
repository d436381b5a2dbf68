"""FEEL's temporal values: the kinds, time zones, instants and their string forms (standard library only).

A FEEL ``date`` is a ``FeelDate`` (``feel.temporal.dates``: any year FEEL allows). Times and date-times carry
nanoseconds, which Python's ``datetime`` cannot, so they are small frozen dataclasses of their own; a time is
either local (no offset, no zone), fixed-offset (``+02:00``, ``Z``) or zoned (``@Europe/Paris``, whose offset
depends on the date). Durations are exact integers: nanoseconds for days-and-time durations, months for
years-and-months durations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feel.temporal.dates import FeelDate

NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND
# A zoned time has no date; its offset is read on this day (fixed so evaluations stay deterministic).
ZONED_TIME_REFERENCE_DATE = FeelDate(1970, 1, 1)


@dataclass(frozen=True)
class FeelTime:
    """A time of day with nanoseconds: local, with a fixed offset (seconds east of UTC) or an IANA zone."""

    hour: int
    minute: int
    second: int
    nanos: int = 0
    offset: int | None = None
    zone: str | None = None

    def local_nanos(self) -> int:
        """Nanoseconds since the local midnight."""
        return ((self.hour * 60 + self.minute) * 60 + self.second) * NANOS_PER_SECOND + self.nanos

    def is_aware(self) -> bool:
        """Whether the time is anchored to UTC (an offset or a zone)."""
        return self.offset is not None or self.zone is not None


@dataclass(frozen=True)
class FeelDateTime:
    """A date and a time of day (the time's offset or zone, if any, applies to the whole)."""

    date: FeelDate
    time: FeelTime

    def is_aware(self) -> bool:
        """Whether the date-time denotes one instant (an offset or a zone)."""
        return self.time.is_aware()


@dataclass(frozen=True, order=True)
class DaysTimeDuration:
    """A days-and-time duration, exactly, in nanoseconds (negative for negative durations)."""

    nanos: int


@dataclass(frozen=True, order=True)
class YearsMonthsDuration:
    """A years-and-months duration, exactly, in months (negative for negative durations)."""

    months: int


def is_date(value: object) -> TypeGuard[FeelDate]:
    """A FEEL date."""
    return isinstance(value, FeelDate)


def is_temporal(value: object) -> bool:
    """Whether ``value`` is one of FEEL's five temporal kinds."""
    return is_date(value) or isinstance(value, FeelTime | FeelDateTime | DaysTimeDuration | YearsMonthsDuration)


def type_name(value: object) -> str:
    """The FEEL type name of a temporal value ("" for anything else)."""
    if is_date(value):
        return "date"
    names = {
        FeelTime: "time",
        FeelDateTime: "date and time",
        DaysTimeDuration: "days and time duration",
        YearsMonthsDuration: "years and months duration",
    }
    return names.get(type(value), "")


@lru_cache(maxsize=512)
def zone_info(name: str) -> ZoneInfo | None:
    """The IANA zone ``name`` (``Z``/``UTC`` included), or None when unknown."""
    if name in ("Z", "z"):
        name = "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _python_date(date: FeelDate) -> dt.date:
    """The date for zone rules: years beyond Python's 1–9999 read the rules of the nearest year."""
    if 1 <= date.year <= 9999:
        return dt.date(date.year, date.month, date.day)
    return dt.date(1 if date.year < 1 else 9999, date.month, min(date.day, 28))


def zone_offset(zone: str, date: FeelDate, local_nanos: int) -> int:
    """Seconds east of UTC of ``zone`` at the local date and time (the earlier offset in a fold)."""
    info = zone_info(zone)
    if info is None:
        return 0
    seconds = local_nanos // NANOS_PER_SECOND % 86_400
    clock = dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    local = dt.datetime.combine(_python_date(date), clock, tzinfo=info)
    delta = local.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_of(time: FeelTime, date: FeelDate | None = None) -> int | None:
    """The time's offset in seconds on ``date`` (a zoned time without date: the reference date); None if local."""
    if time.offset is not None:
        return time.offset
    if time.zone is not None:
        return zone_offset(time.zone, date or ZONED_TIME_REFERENCE_DATE, time.local_nanos())
    return None


def local_nanos_of(value: FeelDateTime) -> int:
    """Nanoseconds from 1970-01-01T00:00 to the date-time's wall-clock reading (its zone ignored)."""
    return value.date.days() * NANOS_PER_DAY + value.time.local_nanos()


def instant_of(value: FeelDateTime) -> int:
    """Nanoseconds since the epoch: UTC for aware date-times, the wall clock read as UTC for local ones."""
    offset = offset_of(value.time, value.date) or 0
    return local_nanos_of(value) - offset * NANOS_PER_SECOND


def time_from_nanos(nanos: int, offset: int | None = None, zone: str | None = None) -> FeelTime:
    """The time of day ``nanos`` after midnight (wrapped into one day)."""
    nanos %= NANOS_PER_DAY
    seconds, rest = divmod(nanos, NANOS_PER_SECOND)
    return FeelTime(seconds // 3600, seconds // 60 % 60, seconds % 60, rest, offset, zone)


def local_date_time(local_nanos: int, offset: int | None, zone: str | None) -> FeelDateTime:
    """The date-time whose wall clock reads ``local_nanos`` after 1970-01-01T00:00."""
    days, rest = divmod(local_nanos, NANOS_PER_DAY)
    return FeelDateTime(FeelDate.from_days(days), time_from_nanos(rest, offset, zone))


def offset_at_instant(zone: str, instant: int) -> int:
    """Seconds east of UTC of ``zone`` at an instant (nanoseconds since the epoch)."""
    info = zone_info(zone)
    if info is None:
        return 0
    seconds = instant // NANOS_PER_SECOND
    try:
        delta = dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(info).utcoffset()
    except (OverflowError, ValueError, OSError):
        # beyond Python's years: the zone's offset on the same day of the nearest year it knows
        utc = FeelDate.from_days(seconds // 86_400)
        return zone_offset(zone, utc, seconds % 86_400 * NANOS_PER_SECOND)
    return int(delta.total_seconds()) if delta is not None else 0


def from_instant(instant: int, like: FeelDateTime) -> FeelDateTime:
    """The date-time at ``instant`` in the offset, zone (or local reading) of ``like``."""
    time = like.time
    if time.zone is not None:
        offset = offset_at_instant(time.zone, instant)
        return local_date_time(instant + offset * NANOS_PER_SECOND, None, time.zone)
    offset = time.offset or 0
    return local_date_time(instant + offset * NANOS_PER_SECOND, time.offset, None)


def _fraction(nanos: int) -> str:
    if not nanos:
        return ""
    return "." + f"{nanos:09d}".rstrip("0")


def _offset_text(offset: int) -> str:
    if offset == 0:
        return "Z"
    sign = "+" if offset > 0 else "-"
    hours, rest = divmod(abs(offset), 3600)
    text = f"{sign}{hours:02d}:{rest // 60:02d}"
    return text + (f":{rest % 60:02d}" if rest % 60 else "")


def time_iso(time: FeelTime) -> str:
    """``hh:mm:ss[.fffffffff]`` plus ``Z``, ``±hh:mm`` or ``@zone``."""
    text = f"{time.hour:02d}:{time.minute:02d}:{time.second:02d}{_fraction(time.nanos)}"
    if time.zone is not None:
        return f"{text}@{time.zone}"
    if time.offset is not None:
        return text + _offset_text(time.offset)
    return text


def date_iso(date: FeelDate) -> str:
    """``yyyy-mm-dd``."""
    return date.iso()


def days_time_iso(nanos: int) -> str:
    """``P…DT…H…M…S`` (``PT0S`` for zero, ``-P…`` for negative)."""
    sign, nanos = ("-" if nanos < 0 else ""), abs(nanos)
    days, rest = divmod(nanos, NANOS_PER_DAY)
    seconds, fraction = divmod(rest, NANOS_PER_SECOND)
    hours, minutes, secs = seconds // 3600, seconds // 60 % 60, seconds % 60
    text = f"{days}D" if days else ""
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or fraction:
        clock += f"{secs}{_fraction(fraction)}S"
    if clock:
        text += "T" + clock
    return f"{sign}P{text}" if text else "PT0S"


def years_months_iso(months: int) -> str:
    """``P…Y…M`` (``P0M`` for zero, ``-P…`` for negative)."""
    sign, months = ("-" if months < 0 else ""), abs(months)
    years, rest = divmod(months, 12)
    text = (f"{years}Y" if years else "") + (f"{rest}M" if rest else "")
    return f"{sign}P{text}" if text else "P0M"


def to_iso(value: object) -> str:
    """The ``string()`` form of a temporal value."""
    if isinstance(value, FeelTime):
        return time_iso(value)
    if isinstance(value, FeelDateTime):
        return f"{date_iso(value.date)}T{time_iso(value.time)}"
    if isinstance(value, DaysTimeDuration):
        return days_time_iso(value.nanos)
    if isinstance(value, YearsMonthsDuration):
        return years_months_iso(value.months)
    if is_date(value):
        return date_iso(value)
    raise TypeError(f"not a temporal value: {value!r}")
