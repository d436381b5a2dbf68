"""Members of temporal values (``.year``, ``.time offset``, ``.days`` …) and conversion from and to Python."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from feel.temporal.dates import FeelDate
from feel.temporal.kinds import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    DaysTimeDuration,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    is_date,
    offset_of,
    to_iso,
    zone_info,
)


def _date_member(date: FeelDate, name: str) -> Any:
    values = {"year": date.year, "month": date.month, "day": date.day, "weekday": date.isoweekday()}
    found = values.get(name)
    return None if found is None else Decimal(found)


def _time_member(time: FeelTime, name: str, date: FeelDate | None) -> Any:
    if name in ("hour", "minute", "second"):
        return Decimal(getattr(time, name))
    if name == "time offset":
        offset = offset_of(time, date)
        return None if offset is None else DaysTimeDuration(offset * NANOS_PER_SECOND)
    if name == "timezone":
        return time.zone
    return None


def _duration_member(value: DaysTimeDuration | YearsMonthsDuration, name: str) -> Any:
    if isinstance(value, YearsMonthsDuration):
        sign = -1 if value.months < 0 else 1
        parts = {"years": abs(value.months) // 12, "months": abs(value.months) % 12}
    else:
        sign = -1 if value.nanos < 0 else 1
        seconds = abs(value.nanos) // NANOS_PER_SECOND
        parts = {
            "days": abs(value.nanos) // NANOS_PER_DAY,
            "hours": seconds // 3600 % 24,
            "minutes": seconds // 60 % 60,
            "seconds": seconds % 60,
        }
    found = parts.get(name)
    return None if found is None else Decimal(sign * found)


def member(value: Any, name: str) -> Any:
    """The member ``name`` of a temporal value (a number, a duration or a zone name); None when it has none."""
    if is_date(value):
        return _date_member(value, name)
    if isinstance(value, FeelDateTime):
        found = _date_member(value.date, name)
        return found if found is not None else _time_member(value.time, name, value.date)
    if isinstance(value, FeelTime):
        return _time_member(value, name, None)
    if isinstance(value, DaysTimeDuration | YearsMonthsDuration):
        return _duration_member(value, name)
    return None


def _python_time(value: dt.time | dt.datetime) -> FeelTime:
    offset = value.utcoffset()
    zone = getattr(value.tzinfo, "key", None)
    return FeelTime(
        value.hour,
        value.minute,
        value.second,
        value.microsecond * 1000,
        None if offset is None or zone else int(offset.total_seconds()),
        zone,
    )


def from_python(value: Any) -> Any:
    """``datetime`` values as FEEL temporal values (dates, times, date-times, timedeltas); others unchanged."""
    if isinstance(value, dt.datetime):
        return FeelDateTime(FeelDate(value.year, value.month, value.day), _python_time(value))
    if isinstance(value, dt.date):
        return FeelDate(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return _python_time(value)
    if isinstance(value, dt.timedelta):
        return DaysTimeDuration((value.days * 86_400 + value.seconds) * NANOS_PER_SECOND + value.microseconds * 1000)
    return value


def _tzinfo(time: FeelTime) -> dt.tzinfo | None:
    if time.zone is not None:
        return zone_info(time.zone)
    if time.offset is not None:
        return dt.timezone(dt.timedelta(seconds=time.offset))
    return None


def to_python(value: Any) -> Any:
    """FEEL temporal values as ``datetime`` values (nanoseconds cut to microseconds).

    Years-and-months durations, and dates beyond Python's years 1 to 9999, have no ``datetime`` form: their
    FEEL string.
    """
    if isinstance(value, FeelDate | FeelDateTime) and not 1 <= member(value, "year") <= 9999:
        return to_iso(value)
    if isinstance(value, FeelDate):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, FeelDateTime):
        time, date = value.time, value.date
        return dt.datetime(
            date.year,
            date.month,
            date.day,
            time.hour,
            time.minute,
            time.second,
            time.nanos // 1000,
            tzinfo=_tzinfo(time),
        )
    if isinstance(value, FeelTime):
        return dt.time(value.hour, value.minute, value.second, value.nanos // 1000, tzinfo=_tzinfo(value))
    if isinstance(value, DaysTimeDuration):
        return dt.timedelta(microseconds=value.nanos // 1000)
    if isinstance(value, YearsMonthsDuration):
        return to_iso(value)
    return value
