"""When a timer would fire, for sample data: the designer's preview of a timer definition.

A cycle's first due time may lie in the past (``R/2027-01-01T08:00:00+08:00/P1M`` read in 2028): ``next`` lists its
next occurrences from now, walked as the scheduler walks a timer start event's (engine/bpmn/timer_starts.py: month
steps one after another, a bare interval counted from now as from a deployment)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.feel_expressions import evaluate_feel, is_feel, timer_value
from engine.bpmn.helpers import default_helpers
from engine.bpmn.iso8601 import is_iso_literal, iso_duration_delta, parse_iso_cycle, parse_iso_datetime
from engine.bpmn.sandbox import SandboxedEnvironment
from engine.bpmn.timer_starts import occurrences
from engine.bpmn.timers import _value_to_iso
from engine.domain.clock import FakeClock

KINDS = ("timeDate", "timeDuration", "timeCycle")
NEXT = 3  # occurrences of a cycle listed from now


def preview_timer(kind: str, expression: str, data: Mapping[str, Any], now: datetime,
                  extra_helpers: Mapping[str, Callable[..., Any]] | None = None,
                  limits: ScriptLimits | None = None) -> dict[str, Any]:
    """``{"value", "due_at", "repeats", "next"}``: the ISO text the expression gives, the first due time (UTC), how
    many times a cycle fires (-1: without end; 0 for a date or duration) and a cycle's next due times from ``now``.

    The expression runs in the sandbox within ``limits``, as a deployed timer would (default ``ScriptLimits()``).
    Raises ValueError naming the problem (an empty or bad expression, a wrong kind of value, a budget exceeded).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    text = (expression or "").strip()
    if not text:
        raise ValueError("the timer expression is empty")
    value = _timer_text(text, data, now, extra_helpers, limits)
    if kind == "timeDate":
        return {"value": value, "due_at": parse_iso_datetime(value).astimezone(UTC).isoformat(), "repeats": 0,
                "next": []}
    if kind == "timeDuration":
        return {"value": value, "due_at": (now + iso_duration_delta(value, now)).astimezone(UTC).isoformat(),
                "repeats": 0, "next": []}
    repeats, first, _ = parse_iso_cycle(value, now)
    upcoming: list[str] = []
    for moment in occurrences(value, now):
        if len(upcoming) == NEXT:
            break
        upcoming.append(moment.astimezone(UTC).isoformat())
    return {"value": value, "due_at": first.astimezone(UTC).isoformat(), "repeats": repeats, "next": upcoming}


def _timer_text(text: str, data: Mapping[str, Any], now: datetime,
                extra_helpers: Mapping[str, Callable[..., Any]] | None, limits: ScriptLimits | None) -> str:
    """The ISO text of a timer expression: a literal as written, else its value (FEEL for =…, else Python)."""
    if is_iso_literal(text):
        return text
    try:
        if is_feel(text):  # as the deployed timer reads it (engine.bpmn.feel_expressions)
            result = timer_value(evaluate_feel(text, data, limits=limits or ScriptLimits(), clock=lambda: now))
        else:
            helpers = {**default_helpers(FakeClock(now)), **(extra_helpers or {})}
            result = SandboxedEnvironment(helpers, limits).evaluate(text, dict(data))
    except Exception as exc:  # the designer sees why, whatever the expression raised
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    return _value_to_iso(result, "timer", text)
