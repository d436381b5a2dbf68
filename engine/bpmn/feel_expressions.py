"""FEEL expressions in BPMN models: text starting with ``=`` is FEEL, as Camunda 8 / Zeebe models write it.

Sequence-flow conditions, timer expressions, candidate groups, loop cardinality and completion conditions,
conditional events and connector expressions (``httpBody``) all reach ``GridcaseScriptEngine.evaluate``; there a
leading ``=`` selects gridcase's FEEL evaluator (package ``feel``) instead of the sandboxed Python. Text without
``=`` stays Python, so existing models run as before.

* Parsed once: :func:`compile_feel` caches the compiled expression per text; deploying compiles every ``=``
  expression of the model (:func:`spec_feel_problems`, the timers' own check) and refuses a syntax error naming
  the element and the position.
* The context is the task's data (and the workflow's data objects), JSON values turned into FEEL values by
  ``feel.values.from_python``; ``now()`` and ``today()`` read the case's clock (replay sees the same time).
* Results go back as task data: integral numbers as ``int``, other numbers ``float``, dates, times and durations
  as their ISO 8601 text (``feel.values.to_json``). Timers take the FEEL value itself (:func:`evaluate_feel` with
  ``raw=True``): a date and time, a duration or an ISO string.
* Each evaluation runs within the scripts' CPU budget (``ScriptLimits.cpu_seconds`` through ``feel.budget.limit``);
  exceeding it is a ``BudgetExceeded`` like a script's.
* A condition that evaluates to null is false (Zeebe's rule): null is falsy where SpiffWorkflow tests it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, TypeGuard

import feel
from engine.bpmn.budget import BudgetExceeded, ScriptLimits
from engine.domain.decisions import readable_part, words_of
from feel import temporal
from feel.errors import FeelBudgetExceeded, FeelError
from feel.values import from_python, to_json

FEEL_MARK = "="
MAX_FEEL_CHARS = 100_000  # as scripts (engine.bpmn.budget.MAX_SOURCE_CHARS): parsing is linear, but bounded


class FeelSyntaxError(SyntaxError):
    """A ``=`` expression that is not valid FEEL; the message names the line and column in the model's text."""


def is_feel(text: object) -> TypeGuard[str]:
    """True when ``text`` is a FEEL expression: it starts with ``=`` (blanks before it allowed)."""
    return isinstance(text, str) and text.lstrip().startswith(FEEL_MARK)


def _body(text: str) -> tuple[str, int]:
    """The expression after ``=`` and the offset of its first character in ``text``."""
    offset = text.index(FEEL_MARK) + 1
    return text[offset:], offset


@functools.lru_cache(maxsize=4096)
def compile_feel(text: str) -> feel.Compiled:
    """The compiled FEEL of ``=…`` text (cached per text); FeelSyntaxError naming line and column if refused."""
    if len(text) > MAX_FEEL_CHARS:
        raise FeelSyntaxError(f"FEEL expression has {len(text):,} characters, more than {MAX_FEEL_CHARS:,}")
    body, offset = _body(text)
    if not body.strip():
        raise FeelSyntaxError("FEEL expression is empty: write an expression after '='")
    try:
        return feel.compile_expression(body)
    except FeelBudgetExceeded as err:
        raise FeelSyntaxError(f"FEEL expression nests too deeply: {err.message}") from None
    except FeelError as err:
        raise FeelSyntaxError(_located(err, text, offset)) from None


def _located(err: FeelError, text: str, offset: int) -> str:
    """The parser's message with the position counted in the model's text (the ``=`` included)."""
    if err.position is None:
        return f"FEEL syntax error: {err.message}"
    position = err.position + offset
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    near = text[max(0, position - 20): position + 20].replace("\n", " ")
    return f"FEEL syntax error: {err.message} (line {line}, column {column}, near {near!r})"


def feel_problem(text: str) -> str | None:
    """Why ``=…`` text cannot run (its syntax error, located), or None when it compiles."""
    try:
        compile_feel(text)
    except FeelSyntaxError as err:
        return str(err)
    return None


def _context(text: str, data: Mapping[str, Any],
             external: Mapping[str, Any] | None) -> tuple[dict[str, Any], frozenset[str]]:
    """FEEL values of the data objects overlaid by the task's data — only the names ``text`` can read, so a
    condition does not convert the whole case at each evaluation — and the names that are not identifiers."""
    merged = dict(external) if external else {}
    merged.update(data)
    values = from_python(readable_part(merged, _words(text)))
    return values, frozenset(key for key in values if not key.isidentifier())


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return words_of(text)


def evaluate_feel(text: str, data: Mapping[str, Any], *, limits: ScriptLimits,
                  clock: Callable[[], datetime] | None = None, external: Mapping[str, Any] | None = None,
                  raw: bool = False) -> Any:
    """The value of ``=…`` ``text`` over ``data`` within ``limits``' CPU time: JSON-ready, or the FEEL value (raw).

    BudgetExceeded (kind ``cpu``) when the evaluation outlasts the budget; FeelSyntaxError for a syntax error
    (deploying refuses those, so only an expression that never went through a deploy gets here with one).
    """
    compiled = compile_feel(text)
    values, names = _context(text, data, external)
    if names:  # a key with spaces ("Monthly Salary") is a name only when the parser is told of it
        body, _ = _body(text)
        compiled = feel.compile_expression(body, names=names)
    try:
        with feel.budget.limit(cpu_seconds=limits.cpu_seconds, max_bytes=limits.memory_bytes), _clock(clock):
            value = compiled.evaluate(values)
    except FeelBudgetExceeded as err:
        memory = "MB" in err.message
        raise BudgetExceeded("memory" if memory else "cpu", limits.memory_bytes if memory else limits.cpu_seconds,
                             f"FEEL: {err.message}") from None
    return value if raw else to_json(value)


def _clock(clock: Callable[[], datetime] | None) -> AbstractContextManager[Any]:
    """``feel.temporal.using_clock(clock)``: ``now()`` reads the case's clock; without one nothing changes."""
    return temporal.using_clock(clock) if clock is not None else nullcontext()


def timer_value(value: Any) -> Any:
    """A FEEL value a timer can read: date-times and days-time durations as ``datetime``/``timedelta``, dates and
    years-months durations as ISO text, strings as they are; anything else as it is (the timer refuses it)."""
    if isinstance(value, temporal.FeelDateTime | temporal.DaysTimeDuration):
        return temporal.to_python(value)
    if isinstance(value, temporal.FeelDate | temporal.YearsMonthsDuration):
        return temporal.to_iso(value)
    return value


def candidate_group(value: Any) -> str:
    """A candidate-group expression's value as the task's group: a string, or a list holding one string (as
    Zeebe's candidateGroups are lists).

    Anything else is a ValueError, which fails the step naming the task: a task has one candidate group in
    gridcase (its queue), so not a list of several; and null — a variable the expression reads is missing or of
    another type — must not leave a task in no one's queue (a Python expression failed there too).
    """
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        groups: list[str] = [item.strip() for item in value if item.strip()]
        if len(groups) != 1:
            raise ValueError(f"the candidate-group expression gave {len(groups)} groups {groups!r}; a gridcase task "
                             "has one candidate group: choose one in the expression")
        return groups[0]
    if value is None:
        raise ValueError("the candidate-group expression gave null: a variable it reads is missing or of another "
                         "type")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"the candidate-group expression gave {value!r}; expected a group name (a string) or a "
                         "list of one")
    return value.strip()


# --- deploy-time checks -------------------------------------------------------------------------------------


def _condition_text(condition: Any) -> Any:
    # SpiffWorkflow wraps a sequence flow's condition text in an operator object.
    args = getattr(condition, "args", None)
    return args[0] if args else condition


def _expressions(task_spec: Any) -> Iterator[tuple[str, Any]]:
    """(label, text) of every expression place of ``task_spec`` that may hold FEEL."""
    for condition, target in getattr(task_spec, "cond_task_specs", []) or []:
        name = str(getattr(target, "bpmn_id", None) or getattr(target, "name", target))
        # an activity with boundary events is entered through SpiffWorkflow's split task of that name
        yield f"condition of the flow to {name.removesuffix('.BoundaryEventSplit')}", _condition_text(condition)
    yield "loop cardinality", getattr(task_spec, "cardinality", None)
    yield "completion condition", getattr(task_spec, "condition", None)
    definition = getattr(task_spec, "event_definition", None)
    if definition is not None and type(definition).__name__.startswith("Conditional"):
        yield "condition", getattr(definition, "expression", None)
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    for key in ("candidateGroups", "candidateGroup", "httpBody"):
        yield key, properties.get(key)


def spec_feel_problems(task_spec: Any) -> list[str]:
    """``element: place: syntax error`` for every ``=`` expression of ``task_spec`` that is not valid FEEL.

    Timers check their own expressions while the model is parsed (engine.bpmn.timers).
    """
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    problems = []
    for label, text in _expressions(task_spec):
        if is_feel(text) and (problem := feel_problem(text)):
            problems.append(f"{element}: {label} refused: {problem}")
    return problems
