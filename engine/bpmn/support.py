"""Deploy-time checks: what gridcase cannot execute is refused element by element, before deployment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess

from engine.bpmn.sandbox import SandboxViolation, compile_sandboxed


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
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    if isinstance(task_spec, EventBasedGateway):
        return [f"{element}: event-based gateways are not supported; model the alternatives as boundary "
                "events on a receive task or user task"]
    if isinstance(task_spec, EventSubprocess):
        sub = subprocess_specs.get(task_spec.spec)
        starts = [t for t in (sub.task_specs.values() if sub else []) if isinstance(t, StartEvent)]
        if any(isinstance(getattr(t, "event_definition", None), MessageEventDefinition) for t in starts):
            return [f"{element}: event subprocesses started by a message are not supported; use a message "
                    "boundary event"]
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
        if not isinstance(source, str) or not source.strip():
            continue
        try:
            compile_sandboxed(source, mode)
        except (SyntaxError, SandboxViolation) as exc:
            problems.append(f"{element}: {label} refused: {type(exc).__name__}: {exc}")
    return problems


def _expression(condition: Any) -> Any:
    # SpiffWorkflow wraps a sequence flow's condition text in an operator object.
    args = getattr(condition, "args", None)
    return args[0] if args else condition
