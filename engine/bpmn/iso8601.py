"""ISO 8601 timer literals: dates, durations and recurring intervals, with calendar months.

Read by the timers (``engine.bpmn.timers``), timer start events, the designer's lint and timer preview. Years and
months are calendar months counted on the literal's own wall clock, the day clamped (Jan 31 + P1M is Feb 28).
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

_DURATION = re.compile(r"P[\d.,YMWD]*(?:T[\d.,HMS]*)?")
_DATETIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:T[\d:.,+\-Z]*)?")
_RECURRING = re.compile(r"R(\d*)/([^/\s]+)(?:/([^/\s]+))?")


def is_iso_literal(text: str) -> bool:
    """True when ``text`` (stripped) has the shape of a bare ISO 8601 duration, datetime or cycle."""
    stripped = text.strip()
    return any(p.fullmatch(stripped) for p in (_DURATION, _DATETIME, _RECURRING))


def parse_iso_datetime(text: str) -> datetime:
    """Parse an ISO datetime or date; naive values are taken as UTC.  Returns aware UTC."""
    if not _DATETIME.fullmatch(text):
        raise ValueError(f"{text!r} is not an ISO 8601 date/time")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _aware(text: str) -> datetime:
    """An ISO date/time kept in its own offset (naive: UTC), for calendar arithmetic on its wall clock."""
    parse_iso_datetime(text)  # the same checks and errors
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parsed_duration(text: str) -> dict[str, float]:
    """Spiff's component dict for an ISO duration, with a clear error for malformed input."""
    if not _DURATION.fullmatch(text):
        raise ValueError(f"{text!r} is not an ISO 8601 duration")
    try:
        parsed: dict[str, float] = TimerEventDefinition.parse_iso_duration(text)
    except Exception as err:
        raise ValueError(f"{text!r} is not a valid ISO 8601 duration") from err
    if not parsed:
        raise ValueError(f"{text!r} is an empty ISO 8601 duration")
    return parsed


def iso_duration_delta(text: str, start: datetime, times: int = 1) -> timedelta:
    """The length of ``times`` × ISO duration ``text`` counted from ``start``.

    Years and months are calendar months, added on ``start``'s own wall clock (its offset) with the day kept and
    clamped to the month's last day: Jan 31 + P1M is Feb 28, + 2 × P1M is Mar 31 (SpiffWorkflow adds month lengths
    in days instead: Jan 31 + P1M would be Mar 3). Weeks, days and the time part are exact lengths.
    """
    parsed = _parsed_duration(text)
    months = (parsed.pop("years", 0) * 12 + parsed.pop("months", 0)) * times
    whole = int(months)
    target = _add_months(start, whole)
    if months != whole:  # a fractional month is that share of the month it ends in (as SpiffWorkflow counts it)
        target += timedelta(days=(months - whole) * monthrange(target.year, target.month)[1])
    exact = timedelta(**{unit: value * times for unit, value in parsed.items()})
    return target + exact - start


def _add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar ``months``, its day clamped to the target month's length."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{months} months from {moment.isoformat()} is outside the calendar")
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


def parse_iso_cycle(text: str, now: datetime) -> tuple[int, datetime, timedelta]:
    """(cycles, first due, interval) of ``R[n]/duration``, ``R[n]/start/duration`` or ``R[n]/duration/end``.

    Cycles is -1 for unbounded; with a bare duration the first firing is ``now + duration``.
    """
    match = _RECURRING.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 recurring interval")
    cycles = int(match[1]) if match[1] else -1
    first_part, second = match[2], match[3]
    if second is None:
        duration = iso_duration_delta(first_part, now)
        return cycles, now + duration, duration
    if _DATETIME.fullmatch(first_part):
        start = _aware(first_part)
        return cycles, start, iso_duration_delta(second, start)
    if _DATETIME.fullmatch(second):
        end = parse_iso_datetime(second)
        duration = TimerEventDefinition.get_timedelta_from_end(_parsed_duration(first_part), end)
        return cycles, end - duration, duration
    raise ValueError(f"{text!r} needs a start or end date/time next to its duration")


def format_iso_duration(delta: timedelta) -> str:
    """ISO 8601 form of a non-negative timedelta, e.g. ``PT1H``, ``P1DT2H30M``, ``PT0.5S``."""
    if delta < timedelta(0):
        raise ValueError(f"negative duration {delta}")
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = f"{seconds}.{delta.microseconds:06d}".rstrip("0") if delta.microseconds else str(seconds)
    date_part = f"{delta.days}D" if delta.days else ""
    time_part = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M")) if v)
    if seconds or delta.microseconds or not (date_part or time_part):
        time_part += f"{secs}S"
    return f"P{date_part}T{time_part}" if time_part else f"P{date_part}"
