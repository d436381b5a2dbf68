"""Deploy-time checks: what gridcase cannot execute is refused element by element, before deployment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from engine.bpmn.feel_expressions import is_feel
from engine.bpmn.sandbox import SandboxViolation, compile_sandboxed
from engine.bpmn.timer_starts import timer_start_problems


def unsupported(spec: Any, subprocess_specs: dict[str, Any]) -> list[str]:
    """Problems that would make a case fail or hang at run time, each naming its element."""
    problems: list[str] = []
    for task_spec in _task_specs(spec, subprocess_specs):
        problems.extend(_construct_problems(task_spec, subprocess_specs))
        problems.extend(_script_problems(task_spec))
    return problems


def _task_specs(spec: Any, subprocess_specs: dict[str, Any]) -> Iterator[Any]:
    for process in [spec, *subprocess_specs.values()]:
        yield from process.task_specs.values()


def _construct_problems(task_spec: Any, subprocess_specs: dict[str, Any]) -> list[str]:
    """Constructs gridcase cannot run (event-based gateways and message-started event subprocesses run since
    issue 17; docs/engine.md "Events")."""
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    if isinstance(task_spec, EventBasedGateway):
        timers = [d for d in task_spec.event_definition.event_definitions if isinstance(d, TimerEventDefinition)]
        if len(timers) > 1:
            return [f"{element}: an event-based gateway may wait for one timer only (SpiffWorkflow keeps one due "
                    "time per gateway); take the earliest, or chain the later one after it"]
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(task_spec, StartEvent) and isinstance(definition, TimerEventDefinition) \
            and task_spec._wf_spec.name not in subprocess_specs:
        return [f"{element}: {problem}" for problem in timer_start_problems(definition)]
    return []


def _script_problems(task_spec: Any) -> list[str]:
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    sources = [("script", getattr(task_spec, "script", None), "exec"),
               ("pre-script", getattr(task_spec, "prescript", None), "exec"),
               ("post-script", getattr(task_spec, "postscript", None), "exec")]
    sources += [("condition", _expression(condition), "eval")
                for condition, _ in getattr(task_spec, "cond_task_specs", [])]
    problems = []
    for label, source, mode in sources:
        if not isinstance(source, str) or not source.strip() or is_feel(source):
            continue  # ``=…`` is FEEL, checked by engine.bpmn.feel_expressions
        try:
            compile_sandboxed(source, mode)
        except (SyntaxError, SandboxViolation) as exc:
            problems.append(f"{element}: {label} refused: {type(exc).__name__}: {exc}")
    return problems


def _expression(condition: Any) -> Any:
    # SpiffWorkflow wraps a sequence flow's condition text in an operator object.
    args = getattr(condition, "args", None)
    return args[0] if args else condition
