"""Reading FEEL's temporal literals: dates, times, date-times and the two duration kinds (ISO 8601 forms)."""

from __future__ import annotations

import re
from decimal import Decimal

from feel.errors import FeelError
from feel.temporal.dates import FeelDate
from feel.temporal.kinds import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    DaysTimeDuration,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    zone_info,
)

_DATE = r"(?P<year>-?\d{4,9})-(?P<month>\d\d)-(?P<day>\d\d)"
_TIME = (
    r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<utc>[Zz])|(?P<offset>[+-]\d\d:\d\d(?::\d\d)?)|@(?P<zone>[A-Za-z][A-Za-z0-9_+\-/]*))?"
)
DATE_RE = re.compile(_DATE)
TIME_RE = re.compile(_TIME)
DATE_TIME_RE = re.compile(_DATE + "T" + _TIME)
DAYS_TIME_RE = re.compile(
    r"(?P<sign>-)?P(?!$)(?:(?P<days>\d+)D)?(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+)(?:\.(?P<fraction>\d*))?S)?)?"
)
YEARS_MONTHS_RE = re.compile(r"(?P<sign>-)?P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?")
MAX_OFFSET_SECONDS = 14 * 3600  # ISO 8601 / XML Schema: offsets within ±14:00
# No duration is longer than twice FEEL's calendar (two billion years): enough for any two dates, small numbers.
MAX_DAYS_TIME_NANOS = 2 * 10**9 * 366 * NANOS_PER_DAY
MAX_YEARS_MONTHS = 2 * 10**9 * 12


def parse_date(text: str) -> FeelDate | None:
    """``[-]yyyy-mm-dd`` (four to nine year digits), or None."""
    match = DATE_RE.fullmatch(text)
    if match is None:
        return None
    year = int(match["year"])
    if match["year"].lstrip("-").startswith("0") and len(match["year"].lstrip("-")) > 4:
        return None  # years of more than four digits have no leading zero
    try:
        return FeelDate(year, int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _time_of(match: re.Match[str]) -> FeelTime | None:
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = match["fraction"] or ""
    if len(fraction) > 9:
        return None
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if match["utc"]:
        return FeelTime(hour, minute, second, nanos, 0, None)
    if match["offset"]:
        offset = _offset_seconds(match["offset"])
        return None if offset is None else FeelTime(hour, minute, second, nanos, offset, None)
    if match["zone"]:
        zone = match["zone"]
        return FeelTime(hour, minute, second, nanos, None, zone) if zone_info(zone) is not None else None
    return FeelTime(hour, minute, second, nanos)


def _offset_seconds(text: str) -> int | None:
    sign = -1 if text[0] == "-" else 1
    parts = [int(part) for part in text[1:].split(":")]
    if parts[1] > 59 or (len(parts) > 2 and parts[2] > 59):
        return None
    seconds = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)
    return sign * seconds if seconds <= MAX_OFFSET_SECONDS else None


def parse_time(text: str) -> FeelTime | None:
    """``hh:mm:ss[.f…][Z|±hh:mm|@zone]``, or None."""
    match = TIME_RE.fullmatch(text)
    return None if match is None else _time_of(match)


def parse_date_time(text: str) -> FeelDateTime | None:
    """``yyyy-mm-ddThh:mm:ss[.f…][Z|±hh:mm|@zone]``, or None."""
    match = DATE_TIME_RE.fullmatch(text)
    if match is None:
        return None
    date_text = match.group(0)[: match.start("hour") - 1]
    date, time = parse_date(date_text), _time_of(match)
    if date is None or time is None:
        return None
    return FeelDateTime(date, time)


def parse_days_time(text: str) -> DaysTimeDuration | None:
    """``[-]P[nD][T[nH][nM][n[.f]S]]``, or None."""
    match = DAYS_TIME_RE.fullmatch(text)
    if match is None or text.endswith("T"):
        return None
    seconds = int(match["days"] or 0) * 86_400 + int(match["hours"] or 0) * 3600
    seconds += int(match["minutes"] or 0) * 60 + int(match["seconds"] or 0)
    fraction = (match["fraction"] or "")[:9]
    nanos = seconds * NANOS_PER_SECOND + (int(fraction.ljust(9, "0")) if fraction else 0)
    if nanos > MAX_DAYS_TIME_NANOS:
        return None
    return DaysTimeDuration(-nanos if match["sign"] else nanos)


def parse_years_months(text: str) -> YearsMonthsDuration | None:
    """``[-]P[nY][nM]``, or None."""
    match = YEARS_MONTHS_RE.fullmatch(text)
    if match is None:
        return None
    months = int(match["years"] or 0) * 12 + int(match["months"] or 0)
    if months > MAX_YEARS_MONTHS:
        return None
    return YearsMonthsDuration(-months if match["sign"] else months)


def parse_duration(text: str) -> DaysTimeDuration | YearsMonthsDuration | None:
    """Either duration kind (``P1Y2M`` or ``P1DT2H``); a mix of both kinds is not a FEEL duration: None."""
    return parse_years_months(text) or parse_days_time(text)


def parse_any(text: str) -> object | None:
    """Whichever of the five kinds ``text`` spells, or None."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if re.match(r"-?\d+-\d+-\d+T", text):  # not just "T" anywhere: zone names have one (Etc/GMT)
        return parse_date_time(text)
    if ":" in text:
        return parse_time(text)
    return parse_date(text)


def parse_literal(text: str) -> object:
    """The value of the temporal literal ``@"text"``; FeelError when it spells none of the five kinds."""
    value = parse_any(text)
    if value is None:
        raise FeelError(f"not a date, time, date and time or duration: @{text!r}")
    return value


def seconds_to_duration(seconds: Decimal) -> DaysTimeDuration:
    """The days-and-time duration of ``seconds`` (fractions kept to the nanosecond)."""
    return DaysTimeDuration(int((seconds * NANOS_PER_SECOND).to_integral_value()))


__all__ = ["NANOS_PER_DAY", "parse_any", "parse_literal"]
