"""Date and time built-ins (DMN 1.5 §10.3.4.6/7): day of year, day of week, month of year, week of year,
last day of month, and the clock's now() and today()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feel import temporal
from feel.builtins._registry import Registry
from feel.temporal import FeelDate, FeelDateTime
from feel.temporal.dates import days_in_month

functions = Registry()
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: Any) -> FeelDate:
    if isinstance(value, FeelDateTime):
        return value.date
    if temporal.is_date(value):
        return value
    raise TypeError("not a date or date and time")


@functions("day of year", "date")
def day_of_year(value: Any) -> Decimal:
    """day of year(date): 1 to 366."""
    return Decimal(_date(value).day_of_year())


@functions("day of week", "date")
def day_of_week(value: Any) -> str:
    """day of week(date): "Monday" … "Sunday"."""
    return _DAYS[_date(value).isoweekday() - 1]


@functions("month of year", "date")
def month_of_year(value: Any) -> str:
    """month of year(date): "January" … "December"."""
    return _MONTHS[_date(value).month - 1]


@functions("week of year", "date")
def week_of_year(value: Any) -> Decimal:
    """week of year(date): the ISO 8601 week number, 1 to 53."""
    return Decimal(_date(value).iso_week())


@functions("last day of month", "date")
def last_day_of_month(value: Any) -> FeelDate:
    """last day of month(date): the date of the month's last day."""
    day = _date(value)
    return FeelDate(day.year, day.month, days_in_month(day.year, day.month))


@functions("now")
def now() -> FeelDateTime:
    """now(): the current date and time (``feel.temporal.using_clock`` sets the clock)."""
    return temporal.now()


@functions("today")
def today() -> FeelDate:
    """today(): the current date."""
    return temporal.today()


FUNCTIONS = functions.functions
