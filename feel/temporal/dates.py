"""FEEL's date: the proleptic Gregorian calendar over years -999,999,999 to 999,999,999 (DMN 1.5 §10.3.2.3.2).

Python's ``datetime.date`` stops at years 1 and 9999, and FEEL dates do not (``date("-2017-12-31")``,
``date and time("99999-12-31T11:22:33")``), so dates are days counted from 1970-01-01 with the civil-calendar
conversions below (exact integer arithmetic, any year).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999


def is_leap(year: int) -> bool:
    """Gregorian leap years (year 0 is one: ISO 8601 counts astronomically)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """28 to 31."""
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to the date (negative before)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) ``days`` after 1970-01-01."""
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


@dataclass(frozen=True, order=True)
class FeelDate:
    """A calendar date (no time, no zone)."""

    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR or not 1 <= self.month <= 12:
            raise ValueError("date out of range")
        if not 1 <= self.day <= days_in_month(self.year, self.month):
            raise ValueError("day out of range")

    def days(self) -> int:
        """Days since 1970-01-01."""
        return days_from_civil(self.year, self.month, self.day)

    @staticmethod
    def from_days(days: int) -> FeelDate:
        """The date ``days`` after 1970-01-01 (ValueError beyond FEEL's years)."""
        return FeelDate(*civil_from_days(days))

    def isoweekday(self) -> int:
        """1 (Monday) to 7 (Sunday)."""
        return (self.days() + 3) % 7 + 1

    def day_of_year(self) -> int:
        """1 to 366."""
        return self.days() - days_from_civil(self.year, 1, 1) + 1

    def iso_week(self) -> int:
        """The ISO 8601 week number, 1 to 53 (week 1 holds the year's first Thursday)."""
        week = (self.day_of_year() - self.isoweekday() + 10) // 7
        if week < 1:
            return _weeks_in_year(self.year - 1)
        if week > _weeks_in_year(self.year):
            return 1
        return week

    def iso(self) -> str:
        """``yyyy-mm-dd`` (at least four year digits; ``-`` before years before year 0)."""
        sign = "-" if self.year < 0 else ""
        return f"{sign}{abs(self.year):04d}-{self.month:02d}-{self.day:02d}"


def _weeks_in_year(year: int) -> int:
    first = (days_from_civil(year, 1, 1) + 3) % 7 + 1  # ISO weekday of 1 January
    return 53 if first == 4 or (first == 3 and is_leap(year)) else 52
