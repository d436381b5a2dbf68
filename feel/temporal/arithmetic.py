"""Arithmetic and comparison of FEEL temporal values, per the spec's tables (null where the spec says null).

A date plus or minus a duration is the date of its midnight moved by the duration; in a subtraction with a
date-time a date is midnight UTC. Local and aware values are not comparable: null.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from feel.temporal.dates import FeelDate, days_in_month
from feel.temporal.kinds import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    DaysTimeDuration,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    from_instant,
    instant_of,
    is_date,
    local_date_time,
    local_nanos_of,
    offset_of,
    time_from_nanos,
    type_name,
)
from feel.temporal.parsing import MAX_DAYS_TIME_NANOS, MAX_YEARS_MONTHS
from feel.values import NUMBER_CONTEXT

Duration = DaysTimeDuration | YearsMonthsDuration
_CONTEXT = NUMBER_CONTEXT  # decimal128, as for every FEEL number (not the thread's default context)


def midnight(date: FeelDate, aware: bool) -> FeelDateTime:
    """The date as a date-time at 00:00 (UTC when it meets an aware date-time)."""
    return FeelDateTime(date, FeelTime(0, 0, 0, 0, 0 if aware else None, None))


def add_months(date: FeelDate, months: int) -> FeelDate | None:
    """``date`` moved by whole months, the day clamped to the month's length; None beyond FEEL's years."""
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    try:
        return FeelDate(year, month + 1, min(date.day, days_in_month(year, month + 1)))
    except ValueError:
        return None


def _shift_date_time(value: FeelDateTime, duration: Duration) -> FeelDateTime | None:
    if isinstance(duration, YearsMonthsDuration):
        date = add_months(value.date, duration.months)
        return None if date is None else FeelDateTime(date, value.time)
    try:
        if value.time.zone is not None:
            return from_instant(instant_of(value) + duration.nanos, value)
        return local_date_time(local_nanos_of(value) + duration.nanos, value.time.offset, None)
    except (ValueError, OverflowError):
        return None


def _shift(value: Any, duration: Duration) -> Any:
    if is_date(value):
        moved = _shift_date_time(midnight(value, False), duration)
        return None if moved is None else moved.date
    if isinstance(value, FeelDateTime):
        return _shift_date_time(value, duration)
    if isinstance(value, FeelTime) and isinstance(duration, DaysTimeDuration):
        return time_from_nanos(value.local_nanos() + duration.nanos, value.offset, value.zone)
    return None


def _negate(duration: Duration) -> Duration:
    if isinstance(duration, DaysTimeDuration):
        return DaysTimeDuration(-duration.nanos)
    return YearsMonthsDuration(-duration.months)


def add(a: Any, b: Any) -> Any:
    """``a + b`` for temporal operands (durations of one kind; a date, time or date-time plus a duration)."""
    if isinstance(a, DaysTimeDuration) and isinstance(b, DaysTimeDuration):
        return DaysTimeDuration(a.nanos + b.nanos)
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return YearsMonthsDuration(a.months + b.months)
    if isinstance(b, Duration):
        return _shift(a, b)
    if isinstance(a, Duration):
        return _shift(b, a)
    return None


def _as_date_time(value: Any) -> FeelDateTime | None:
    if isinstance(value, FeelDateTime):
        return value
    if is_date(value):
        return midnight(value, True)  # in subtraction a date is midnight UTC, so a local date-time minus it is null
    return None


def subtract(a: Any, b: Any) -> Any:
    """``a - b``: durations of one kind, a value minus a duration, or the duration between two values."""
    if isinstance(b, Duration):
        if isinstance(a, Duration):
            return add(a, _negate(b)) if type(a) is type(b) else None
        return _shift(a, _negate(b))
    if isinstance(a, FeelTime) and isinstance(b, FeelTime):
        if a.is_aware() != b.is_aware():
            return None
        return DaysTimeDuration(_time_value(a) - _time_value(b))
    left, right = _as_date_time(a), _as_date_time(b)
    if left is None or right is None or left.is_aware() != right.is_aware():
        return None
    return DaysTimeDuration(instant_of(left) - instant_of(right))


def _number(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _scaled(duration: Duration, factor: Decimal, divide: bool) -> Duration | None:
    """``duration`` times (or divided by) ``factor``: nanoseconds rounded half even, months truncated."""
    amount = duration.nanos if isinstance(duration, DaysTimeDuration) else duration.months
    try:
        exact = _CONTEXT.divide(amount, factor) if divide else _CONTEXT.multiply(amount, factor)
        if isinstance(duration, DaysTimeDuration):
            nanos = exact.to_integral_value()
            return DaysTimeDuration(int(nanos)) if abs(nanos) <= MAX_DAYS_TIME_NANOS else None
        months = exact.to_integral_value(ROUND_DOWN)
        return YearsMonthsDuration(int(months)) if abs(months) <= MAX_YEARS_MONTHS else None
    except ArithmeticError:  # decimal128 overflow or an invalid operation: null
        return None


def multiply(a: Any, b: Any) -> Any:
    """A duration times a number (either order); the months of a years-and-months duration truncated."""
    if isinstance(b, Duration):
        a, b = b, a
    factor = _number(b)
    if not isinstance(a, Duration) or factor is None:
        return None
    return _scaled(a, factor, divide=False)


def divide(a: Any, b: Any) -> Any:
    """A duration divided by a number (a duration) or by a duration of its kind (a number); null for ÷ 0."""
    if isinstance(a, DaysTimeDuration) and isinstance(b, DaysTimeDuration):
        return None if b.nanos == 0 else _CONTEXT.divide(a.nanos, b.nanos)
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return None if b.months == 0 else _CONTEXT.divide(a.months, b.months)
    divisor = _number(b)
    if not isinstance(a, Duration) or divisor is None or divisor == 0:
        return None
    return _scaled(a, divisor, divide=True)


def _time_value(time: FeelTime) -> int:
    """Nanoseconds since midnight UTC (local times: since local midnight)."""
    return time.local_nanos() - (offset_of(time) or 0) * NANOS_PER_SECOND


def _key(a: Any, b: Any) -> tuple[int, int] | None:
    if isinstance(a, DaysTimeDuration) and isinstance(b, DaysTimeDuration):
        return a.nanos, b.nanos
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return a.months, b.months
    if isinstance(a, FeelTime) and isinstance(b, FeelTime):
        if a.is_aware() != b.is_aware():
            return None
        return _time_value(a) % NANOS_PER_DAY, _time_value(b) % NANOS_PER_DAY
    if is_date(a) and is_date(b):
        return a.days(), b.days()
    a, b = _dated_pair(a, b)
    if isinstance(a, FeelDateTime) and isinstance(b, FeelDateTime):
        if a.is_aware() != b.is_aware():
            return None
        return instant_of(a), instant_of(b)
    return None


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 when ``a`` and ``b`` are comparable temporal values, otherwise None."""
    key = _key(a, b)
    if key is None:
        return None
    return (key[0] > key[1]) - (key[0] < key[1])


def _dated_pair(a: Any, b: Any) -> tuple[Any, Any]:
    # a date beside a date and time is that date at midnight UTC (DMN 1.5 §10.3.2.9.4, date to date and time)
    if (is_date(a) and isinstance(b, FeelDateTime)) or (isinstance(a, FeelDateTime) and is_date(b)):
        midnight = FeelTime(0, 0, 0, 0, 0)
        return (FeelDateTime(a, midnight) if is_date(a) else a), (FeelDateTime(b, midnight) if is_date(b) else b)
    return a, b


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: the same instant (or length); local vs aware is False; None when the kinds differ.

    Aware times and date-times are equal when they are the same instant, whatever zone or offset names it
    (valuedt in DMN 1.5 §10.3.2.3.5): 00:00+00:00 is 00:00@Etc/UTC, 12:00@Australia/Melbourne is
    12:00@Australia/Sydney, 12:00-01:00 is 17:00+04:00. ``is()`` (``identical``) tells them apart.
    """
    a, b = _dated_pair(a, b)
    key = _key(a, b)
    if key is not None:
        return key[0] == key[1]
    if type_name(a) == type_name(b) != "":
        return False
    return None


def identical(a: Any, b: Any) -> bool:
    """FEEL's ``is()`` of temporal values: the same kind, the same wall clock and the same offset.

    Unlike ``=``, 12:00-01:00 is not 17:00+04:00 (the same instant); a zone counts by the offset it has at that
    moment, so 23:00@Australia/Melbourne is 23:00+10:00 on a winter day and 23:00+11:00 in summer.
    """
    if type_name(a) != type_name(b) or not type_name(a):
        return False
    if isinstance(a, FeelTime) and isinstance(b, FeelTime):
        return a.local_nanos() == b.local_nanos() and offset_of(a) == offset_of(b)
    if isinstance(a, FeelDateTime) and isinstance(b, FeelDateTime):
        return (
            a.date == b.date
            and a.time.local_nanos() == b.time.local_nanos()
            and offset_of(a.time, a.date) == offset_of(b.time, b.date)
        )
    return bool(a == b)
