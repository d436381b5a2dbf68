"""BPMN timers on an injectable clock, accepting bare ISO 8601 literals as well as Python expressions.

SpiffWorkflow evaluates every timer expression as Python (so ``PT4H`` written by bpmn-js is read as a
variable name) and asks ``datetime.now`` directly.  The ``Clocked*`` definitions below fix both while
keeping Spiff's internal data format, so ``details()``, ``refresh_timers`` and serialization still work.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from SpiffWorkflow.bpmn.parser.event_parsers import EventDefinitionParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.budget import MAX_SOURCE_CHARS
from engine.bpmn.feel_expressions import feel_problem, is_feel, timer_value
from engine.bpmn.iso8601 import (
    format_iso_duration,
    is_iso_literal,
    iso_duration_delta,
    parse_iso_cycle,
    parse_iso_datetime,
)

T = TypeVar("T")
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)

def _timer_label(task: Any) -> str:
    spec = task.task_spec
    name = getattr(getattr(spec, "event_definition", None), "name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return f"timer {bpmn_id!r}" + (f" ({name!r})" if name and name != bpmn_id else "")


def _value_to_iso(value: Any, label: str, expression: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, timedelta):
        return format_iso_duration(value)
    raise ValueError(
        f"{label}: expression {expression!r} gave {value!r} ({type(value).__name__}); "
        "expected an ISO 8601 string, a datetime or a timedelta"
    )


def timer_expression_value(task: Any, expression: str) -> str:
    """The ISO 8601 text of a timer: a bare literal as written, otherwise the evaluated Python expression or, written
    ``=…``, FEEL expression (a date and time, a duration or an ISO string)."""
    if expression is None or not expression.strip():
        raise ValueError(f"{_timer_label(task)} has an empty expression")
    text = expression.strip()
    if is_iso_literal(text):
        return text
    engine = task.workflow.script_engine
    if is_feel(text) and hasattr(engine, "evaluate_feel_raw"):
        # FEEL's own date-times and durations, not their JSON text: a zoned date-time keeps its offset
        value = timer_value(engine.evaluate_feel_raw(task, text))
    else:
        value = engine.evaluate(task, text)
    return _value_to_iso(value, _timer_label(task), text)


def engine_now(task: Any) -> datetime:
    """Current time from the ``clock`` of the workflow's script engine (real UTC time without one)."""
    clock = getattr(task.workflow.script_engine, "clock", None)
    now = clock.now() if clock is not None else datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _checked(task: Any, text: str, parse: Callable[[str], T]) -> T:
    """Run ``parse`` on ``text``, re-raising failures as a ValueError naming the timer."""
    try:
        return parse(text)
    except ValueError as err:
        raise ValueError(f"{_timer_label(task)}: bad value {text!r}: {err}") from err


class ClockedTimeDateEventDefinition(TimeDateEventDefinition):
    """Fires once the engine clock reaches a fixed date/time."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = timer_expression_value(my_task, self.expression)
            _checked(my_task, event_value, parse_iso_datetime)
            my_task._set_internal_data(event_value=event_value)
        if parse_iso_datetime(event_value) <= engine_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDurationTimerEventDefinition(DurationTimerEventDefinition):
    """Fires a duration after the timer first waits; the due time is fixed at that moment."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            now = engine_now(my_task)
            text = timer_expression_value(my_task, self.expression)
            event_value = (now + _checked(my_task, text, lambda t: iso_duration_delta(t, now))).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if parse_iso_datetime(event_value) <= engine_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedCycleTimerEventDefinition(CycleTimerEventDefinition):
    """Fires up to n times at a fixed interval; at most one cycle per refresh, as in Spiff."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            now = engine_now(my_task)
            text = timer_expression_value(my_task, self.expression)
            cycles, start, duration = _checked(my_task, text, lambda t: parse_iso_cycle(t, now))
            event_value = {"cycles": cycles, "next": start.astimezone(UTC).isoformat(),
                           "duration": duration.total_seconds()}

        ready = False
        if event_value["cycles"] != 0:
            next_event = parse_iso_datetime(event_value["next"])
            if next_event <= engine_now(my_task):
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task._set_internal_data(event_fired=True)
        my_task._set_internal_data(event_value=event_value)
        return ready


_KINDS: tuple[tuple[str, type[TimerEventDefinition], Callable[[str], object]], ...] = (
    ("timeDate", ClockedTimeDateEventDefinition, parse_iso_datetime),
    ("timeDuration", ClockedDurationTimerEventDefinition, lambda t: iso_duration_delta(t, _REFERENCE)),
    ("timeCycle", ClockedCycleTimerEventDefinition, lambda t: parse_iso_cycle(t, _REFERENCE)),
)
CLOCKED_TIMER_CLASSES: tuple[type[TimerEventDefinition], ...] = tuple(cls for _, cls, _ in _KINDS)


def validate_timer_expression(
    element_id: str, check: Callable[[str], object], expression: str | None
) -> None:
    """Raise ValueError unless ``expression`` is a well-formed literal of its kind, compiles as Python or, written
    ``=…``, as FEEL."""
    text = (expression or "").strip()
    if not text:
        raise ValueError(f"timer {element_id!r} has no time (an empty expression): set a duration (timeDuration, "
                         "e.g. PT4H), a date (timeDate, e.g. 2026-12-01T08:00:00+08:00) or a cycle (timeCycle, "
                         "e.g. R3/PT1H)")
    if is_iso_literal(text):
        try:
            check(text)
        except ValueError as err:
            raise ValueError(f"timer {element_id!r}: invalid ISO 8601 literal {text!r}: {err}") from err
        return
    if is_feel(text):  # Camunda 8 writes timers as FEEL: =date and time(deadline) + duration("PT4H")
        if problem := feel_problem(text):
            raise ValueError(f"timer {element_id!r}: {problem}")
        return
    if len(text) > MAX_SOURCE_CHARS:  # parsing holds the GIL for about a microsecond per character
        raise ValueError(f"timer {element_id!r}: the expression has {len(text):,} characters, "
                         f"more than {MAX_SOURCE_CHARS:,}")
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ValueError(
            f"timer {element_id!r}: {text!r} is neither an ISO 8601 literal "
            f"nor a Python expression ({err.msg})"
        ) from err


class _ClockedTimerParserMixin:
    """Replaces ``parse_timer_event`` of an EventDefinitionParser with one producing Clocked timers."""

    # Provided by the SpiffWorkflow parser this is mixed into (annotations only: nothing is shadowed).
    node: Any
    filename: str | None
    get_event_description: Callable[[Any], Any]
    xpath: Callable[[str], list[Any]]

    def parse_timer_event(self, event: Any) -> TimerEventDefinition:
        """Same lookup order and messages as Spiff's, plus parse-time validation of the expression."""
        node, filename = self.node, self.filename
        try:
            description = self.get_event_description(event)
            name = node.get("name", node.get("id"))
            for tag, cls, check in _KINDS:
                spec_node = first(self.xpath(f".//bpmn:{tag}"))
                if spec_node is not None:
                    validate_timer_expression(node.get("id", ""), check, spec_node.text)
                    return cls(name, spec_node.text, description=description)
            raise ValidationException("Unknown Time Specification", node=node, file_name=filename)
        except Exception as err:
            raise ValidationException(
                "Time Specification Error. " + str(err), node=node, file_name=filename
            ) from err


@cache
def _clocked_parser(parser_cls: type) -> type:
    if issubclass(parser_cls, _ClockedTimerParserMixin):
        return parser_cls
    return type(
        f"Clocked{parser_cls.__name__}", (_ClockedTimerParserMixin, parser_cls), {"__module__": __name__}
    )


def clocked_parser_classes(override_classes: dict[str, tuple[type, type]]) -> dict[str, tuple[type, type]]:
    """Copy of a parser's ``OVERRIDE_PARSER_CLASSES`` with every event parser producing Clocked timers."""
    result = {}
    for tag, (parser_cls, spec_cls) in override_classes.items():
        if isinstance(parser_cls, type) and issubclass(parser_cls, EventDefinitionParser):
            parser_cls = _clocked_parser(parser_cls)
        result[tag] = (parser_cls, spec_cls)
    return result


def clocked_serializer_config() -> dict[type, type]:
    """Serializer config entries for the Clocked timers; merge into a copy of ``SPIFF_CONFIG``."""
    return dict.fromkeys(CLOCKED_TIMER_CLASSES, TimerConditionalEventDefinitionConverter)


def timer_due_at(task: Any, *, fired_too: bool = False) -> tuple[str, datetime] | None:
    """(kind, aware UTC due time) of a WAITING Clocked timer task; None if not yet known or exhausted.

    ``fired_too``: also the due time of a timer that has fired (a deadline stays a deadline).
    """
    if task.state != TaskState.WAITING and not (fired_too and task.state == TaskState.COMPLETED):
        return None
    definition = getattr(task.task_spec, "event_definition", None)
    event_value = task._get_internal_data("event_value")
    if event_value is None:
        return None
    if isinstance(definition, ClockedCycleTimerEventDefinition):
        return None if event_value["cycles"] == 0 else ("cycle", parse_iso_datetime(event_value["next"]))
    if isinstance(definition, ClockedDurationTimerEventDefinition):
        return "duration", parse_iso_datetime(event_value)
    if isinstance(definition, ClockedTimeDateEventDefinition):
        return "date", parse_iso_datetime(event_value)
    return None
