"""Conversion built-ins (DMN 1.5 §10.3.4.1): date, date and time, time, number, string, duration,
years and months duration."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from feel import temporal
from feel.builtins._registry import Registry, integer, number, text
from feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from feel.temporal.kinds import NANOS_PER_SECOND
from feel.values import NUMBER_CONTEXT, to_string

functions = Registry()


@functions("date", "from", "year", "month", "day")
def date(*args: Any) -> Any:
    """date(from) of a string, date or date and time; date(year, month, day)."""
    if len(args) == 4 and args[0] is None:
        args = args[1:]
    if len(args) == 3:
        return FeelDate(integer(args[0]), integer(args[1]), integer(args[2]))
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_date(value)
    if isinstance(value, FeelDateTime):
        return value.date
    return value if temporal.is_date(value) else None


def _time_of_day(value: Any) -> FeelTime:
    if isinstance(value, FeelTime):
        return value
    if isinstance(value, FeelDateTime):
        return value.time
    raise TypeError("not a time")


@functions("date and time", "from", "date", "time")
def date_and_time(*args: Any) -> Any:
    """date and time(from) of a date-time string, a date and time or a date (midnight); date and time(date, time)."""
    if len(args) == 3 and args[0] is None:
        args = args[1:]
    if len(args) == 2:
        day = args[0].date if isinstance(args[0], FeelDateTime) else args[0]
        if not temporal.is_date(day):
            return None
        return FeelDateTime(day, _time_of_day(args[1]))
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value, str):
        parsed = temporal.parse_date_time(value)
        if parsed is None and (day := temporal.parse_date(value)) is not None:
            return FeelDateTime(day, FeelTime(0, 0, 0))  # a date string means that day at midnight, as a date does
        return parsed
    if isinstance(value, FeelDateTime):
        return value
    if temporal.is_date(value):
        return FeelDateTime(value, FeelTime(0, 0, 0))
    return None


def _time_from_parts(hour: Any, minute: Any, second: Any, offset: Any = None) -> FeelTime:
    seconds = number(second)
    whole = int(seconds.to_integral_value(rounding="ROUND_FLOOR"))
    nanos = int(((seconds - whole) * NANOS_PER_SECOND).to_integral_value())
    hours, minutes = integer(hour), integer(minute)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59 and 0 <= whole <= 59):
        raise ValueError("time out of range")
    if offset is None:
        return FeelTime(hours, minutes, whole, nanos)
    if not isinstance(offset, DaysTimeDuration) or offset.nanos % NANOS_PER_SECOND:
        raise TypeError("offset must be a days and time duration of whole seconds")
    seconds_east = offset.nanos // NANOS_PER_SECOND
    if abs(seconds_east) > 14 * 3600:
        raise ValueError("offset out of range")
    return FeelTime(hours, minutes, whole, nanos, seconds_east)


@functions("time", "from", "hour", "minute", "second", "offset")
def time(*args: Any) -> Any:
    """time(from) of a string, time or date and time; time(hour, minute, second, offset?)."""
    if len(args) >= 4 and args[0] is None:
        args = args[1:]
    if len(args) in (3, 4):
        return _time_from_parts(*args)
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_time(value)
    if isinstance(value, FeelDateTime):
        return value.time
    return value if isinstance(value, FeelTime) else None  # a date has no time of day: null


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@functions("number", "from", "grouping separator", "decimal separator")
def number_of(*args: Any) -> Any:
    """number(from) or number(from, grouping separator, decimal separator): a string read as a number.

    The separators may be null (none), but both are given or neither (``number("1.000,5", ".")`` is null);
    a grouping separator is one of space, comma and period, a decimal separator comma or period, not the same.
    """
    if len(args) not in (1, 3):
        return None
    source, grouping, decimal = (*args, None, None) if len(args) == 1 else args
    if isinstance(source, Decimal) and len(args) == 1:
        return source
    value = text(source)
    if grouping not in (None, " ", ",", ".") or decimal not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal:
        return None
    if grouping is not None:
        value = value.replace(grouping, "")
    if decimal is not None:
        value = value.replace(decimal, ".")
    if not _NUMBER.fullmatch(value):
        return None
    return NUMBER_CONTEXT.plus(Decimal(value))


@functions("string", "from")
def string(value: Any) -> Any:
    """string(from): FEEL's text of any value; null stays null."""
    return None if value is None else to_string(value)


@functions("duration", "from")
def duration(value: Any) -> Any:
    """duration(from): a days-and-time or years-and-months duration from its ISO 8601 text."""
    if isinstance(value, DaysTimeDuration | YearsMonthsDuration):
        return value
    return temporal.parse_duration(text(value))


def _as_date_time(value: Any) -> FeelDateTime:
    if isinstance(value, FeelDateTime):
        return value
    if temporal.is_date(value):
        return FeelDateTime(value, FeelTime(0, 0, 0))
    raise TypeError("not a date or date and time")


@functions("years and months duration", "from", "to")
def years_and_months_duration(start: Any, end: Any) -> Any:
    """years and months duration(from, to): the whole months from ``from`` to ``to`` (negative if earlier)."""
    first, last = _as_date_time(start), _as_date_time(end)
    months = (last.date.year - first.date.year) * 12 + last.date.month - first.date.month
    first_rest = (first.date.day, first.time.local_nanos())
    last_rest = (last.date.day, last.time.local_nanos())
    if months > 0 and last_rest < first_rest:
        months -= 1
    elif months < 0 and last_rest > first_rest:
        months += 1
    return YearsMonthsDuration(months)


FUNCTIONS = functions.functions
