"""Reporting periods: a month or a run of days, in the city's time zone, as half-open [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.city_zone import city_zone
from engine.domain.errors import InvalidCommand


@dataclass(frozen=True)
class Period:
    """[start, end) in the city's time zone; ``label`` is yyyy-mm or yyyy-mm-dd..yyyy-mm-dd."""

    start: datetime
    end: datetime
    label: str

    @property
    def months(self) -> tuple[str, str]:
        """The first and last yyyy-mm the period touches (for the (month, …) indexes)."""
        zone = city_zone()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone)
        return f"{self.start.astimezone(zone):%Y-%m}", f"{last:%Y-%m}"

    def as_of(self, now: datetime) -> datetime:
        """The cut-off: the period's end, or now while the period runs."""
        return min(self.end, now)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidCommand(f"period: {text!r} is not a date (yyyy-mm-dd)", field="period") from None


def parse_period(text: str) -> Period:
    """``2026-10`` (a month) or ``2026-10-01..2026-10-15`` (days, both included), city time."""
    text = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12 or not 2000 <= year <= 2999:
            raise InvalidCommand(f"period: {text!r} is not a month (yyyy-mm)", field="period")
        first = date(year, month, 1)
        after = date(year + month // 12, month % 12 + 1, 1)
    elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        first, last = _day(m[1]), _day(m[2])
        if first.year < 2000 or last.year > 2999:
            raise InvalidCommand("period: days between 2000 and 2999", field="period")
        if last < first or (last - first).days > 366 * 5:
            raise InvalidCommand("period: the last day must follow the first, within five years", field="period")
        after = last + timedelta(days=1)
    else:
        raise InvalidCommand("period must be yyyy-mm or yyyy-mm-dd..yyyy-mm-dd", field="period")
    zone = city_zone()
    start = datetime.combine(first, datetime.min.time(), zone)
    return Period(start, datetime.combine(after, datetime.min.time(), zone), text)
