"""Timer start events: when the scheduler starts a new case of a deployed process.

A process's timer start event holds an ISO 8601 literal (there is no case data yet to compute one from):

- a date ``2027-01-01T08:00:00+08:00``: one case at that moment;
- a duration ``PT1H``: one case that long after the version was deployed;
- a cycle ``R[n]/start/interval``, ``R[n]/interval`` (counted from the deployment) or ``R[n]/interval/end``:
  a case at each occurrence, n times or without end. A month or year interval is added in calendar months
  (``R/2027-01-31…/P1M`` gives Jan 31, Feb 28, Mar 31, Apr 30 … — occurrence n is the first plus n intervals,
  on the first's own wall clock, so a month-end day does not drift).

Occurrences before the version was deployed are skipped: a new version with the same timer goes on from its
deployment; a version without the timer start stops it (the scheduler reads the newest version only).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from engine.bpmn.iso8601 import (
    _DATETIME,
    _DURATION,
    _RECURRING,
    is_iso_literal,
    iso_duration_delta,
    parse_iso_cycle,
    parse_iso_datetime,
)

MAX_OCCURRENCES = 100_000  # an unbounded cycle is walked lazily; this bounds one walk


def literal(expression: str | None) -> str | None:
    """The ISO 8601 literal of a timer start expression (bare or quoted), or None when it is not one."""
    text = (expression or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text if is_iso_literal(text) else None


def timer_start_problems(definition: Any) -> list[str]:
    """Why a timer start event cannot be scheduled (empty when it can)."""
    text = literal(getattr(definition, "expression", None))
    if text is None:
        return [f"a timer start event needs an ISO 8601 literal (a date, a duration or a cycle), not the "
                f"expression {getattr(definition, 'expression', None)!r}: there is no case data yet"]
    try:
        next(occurrences(text, parse_iso_datetime("2000-01-01T00:00:00+00:00")), None)
    except ValueError as exc:
        return [f"timer start {text!r}: {exc}"]
    return []


def occurrences(text: str, deployed_at: datetime) -> Iterator[datetime]:
    """Every due time of timer start literal ``text`` for a version deployed at ``deployed_at``, in order."""
    if _DATETIME.fullmatch(text):
        yield parse_iso_datetime(text)
        return
    if _DURATION.fullmatch(text):
        yield deployed_at + iso_duration_delta(text, deployed_at)
        return
    match = _RECURRING.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is no ISO 8601 date, duration or cycle")
    cycles, first, _ = parse_iso_cycle(text, deployed_at)
    interval = match[3] if match[3] is not None and _DURATION.fullmatch(match[3]) else match[2]
    for count in range(MAX_OCCURRENCES):
        if cycles >= 0 and count >= cycles:
            return
        # each occurrence counted from the first (never from the previous one), so a month-end day does not drift
        due = (first + iso_duration_delta(interval, first, count)).astimezone(UTC)
        if due >= deployed_at:
            yield due


def due_starts(text: str, deployed_at: datetime, after: datetime | None, now: datetime,
               limit: int = 100) -> tuple[list[datetime], datetime | None]:
    """(due times after ``after`` and at or before ``now``, at most ``limit``; the next one after them)."""
    due: list[datetime] = []
    for moment in occurrences(text, deployed_at):
        if after is not None and moment <= after:
            continue
        if moment > now or len(due) >= limit:
            return due, moment
        due.append(moment)
    return due, None
