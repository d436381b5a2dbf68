"""Step limits in the BPMN adapter: the ``stepLimitDecision`` a process names, kept with its deployed version, and
the warning and due times of its tasks that declare a ``stepLimit`` (engine.domain.step_limits).

The decision's DMN text is stored with the spec (and its file with the version's sources), so a version keeps the
limits it was deployed with; a process naming a decision no deployed file holds gets no limits (its lint says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.helpers import parse_datetime
from engine.domain.decisions import DecisionFailed, decisions_of, evaluate_on_data, load_model
from engine.domain.step_limits import (
    DECISION_PROPERTY,
    STEP_PROPERTY,
    Deadline,
    StepLimit,
    clock_task,
    natural_deadline,
    step_limit,
)
from engine.domain.views import HumanTaskView

_PROPERTY_PATHS = (
    "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='{0}']",
    "./bpmn:extensionElements/camunda:properties/camunda:property[@name='{0}']",
)
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
       "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
       "camunda": "http://camunda.org/schema/1.0/bpmn"}
SERIALIZED_KEY = "step_limits"  # in a version's spec JSON, only when its process names a decision


@dataclass(frozen=True)
class StepLimitSource:
    """The decision that rules a version's step limits, with the DMN text it is in."""

    decision_id: str
    dmn_text: str


def declared_property(node: Any, name: str) -> str | None:
    """A BPMN element's extension property (SpiffWorkflow's or Camunda's form), stripped; None when absent."""
    for path in _PROPERTY_PATHS:
        found = node.xpath(path.format(name), namespaces=_NS)
        if found and (found[0].get("value") or "").strip():
            return str(found[0].get("value")).strip()
    return None


def bundle_step_limits(process_node: Any, sources: Mapping[str, tuple[str, str]]) -> tuple[str, dict[str, str]] | None:
    """(DMN file name, what the spec JSON keeps) for a process naming ``stepLimitDecision`` that a deployed DMN
    holds (``sources``: decision id → (file name, text)); None otherwise."""
    decision = declared_property(process_node, DECISION_PROPERTY)
    if decision is None or decision not in sources:
        return None
    file_name, text = sources[decision]
    return file_name, {"decision": decision, "dmn": text}


def restore_step_limits(serialized: Mapping[str, Any]) -> StepLimitSource | None:
    """The step-limit decision kept in a version's spec JSON, or None."""
    kept = serialized.get(SERIALIZED_KEY)
    if not isinstance(kept, dict):
        return None
    return StepLimitSource(str(kept["decision"]), str(kept["dmn"]))


def task_step(task_spec: Any) -> str | None:
    """The step key a user task declares (``stepLimit``), or None."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    value = props.get(STEP_PROPERTY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def deadline_of(helpers: Mapping[str, Any] | None) -> Deadline:
    """Deadlines by the working-time calendar the scripts' ``deadline`` helper holds, else natural time only."""
    helper = (helpers or {}).get("deadline")
    if helper is None:
        return natural_deadline

    def deadline(start: datetime, amount: float, unit: str) -> datetime:
        return parse_datetime(helper(start.isoformat(), amount, unit))

    return deadline


def clock_views(views: list[HumanTaskView], source: StepLimitSource | None, data: Mapping[str, Any],
                now: datetime, helpers: Mapping[str, Any] | None, limits: ScriptLimits | None) -> list[HumanTaskView]:
    """The step's task views with the warning and due times, and the escalation group, of every ready task that
    declares a step: the decision's answer for the case's ``data`` plus ``step``, from ``now`` (the task's ready
    time). A decision that cannot decide, or a limit the calendar cannot place, leaves the task without one."""
    if not any(v.step and v.state == "ready" for v in views):
        return views
    budget = limits or ScriptLimits()
    deadline = deadline_of(helpers)
    out = []
    for view in views:
        if view.step is None or view.state != "ready":
            out.append(view)
            continue
        limit = None if source is None else decide_step_limit(source, {**data, "step": view.step}, budget)
        try:
            clock = clock_task(view.step, limit, now, deadline, own_due=view.due_at)
        except ValueError:  # a working-time unit without a calendar, or beyond it: no limit
            clock = clock_task(view.step, None, now, deadline, own_due=view.due_at)
        out.append(replace(view, warn_at=clock.warn_at, due_at=clock.due_at, escalate_to=clock.escalate_to))
    return out


def decide_step_limit(source: StepLimitSource, data: Mapping[str, Any], budget: ScriptLimits) -> StepLimit | None:
    """The limit the decision gives for ``data`` (a case's data plus ``step``); None when it does not answer or
    cannot decide."""
    model = load_model(source.dmn_text)
    decision = decisions_of(model).get(source.decision_id)
    if decision is None:
        return None
    try:
        answer, _ = evaluate_on_data(model, decision, data, budget.cpu_seconds, budget.max_result_bytes,
                                     memory_bytes=budget.memory_bytes)
    except DecisionFailed:  # a limits table that cannot decide must not stop the case: the task has no limit
        return None
    return step_limit(answer)


def lint_step_limits(processes: Iterable[Any], decisions: set[str]) -> Iterator[tuple[str | None, str, str]]:
    """Lint findings (element id, severity, message): a ``stepLimitDecision`` no given DMN file defines (its tasks
    would have no limits), and ``stepLimit`` tasks in a process that names no decision."""
    for process in processes:
        decision = declared_property(process, DECISION_PROPERTY)
        if decision is not None and decision not in decisions:
            yield process.get("id"), "warning", (f"stepLimitDecision {decision!r} is not defined in the given DMN"
                                                 " files: its steps get no time limit")
        stepped = [el for el in process.iter(f"{{{_NS['bpmn']}}}userTask") if declared_property(el, STEP_PROPERTY)]
        if decision is None and stepped:
            for task in stepped:
                yield task.get("id"), "warning", ("stepLimit has no effect: the process names no stepLimitDecision"
                                                  " to read the step's limit from")
