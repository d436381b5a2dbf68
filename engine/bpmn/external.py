"""Service tasks as external-worker jobs: a service task with a topic waits in its case for a worker.

SpiffWorkflow 3.2 leaves service tasks abstract (its ``ServiceTask._execute`` asks the script engine to call
the operator). Here a task spec's ``_run_hook`` returning ``None`` is what SpiffWorkflow's ``Task.run`` turns into
the STARTED state: the engine does not run the task again (``do_engine_steps`` runs READY tasks only), the
workflow is not complete, and the task waits until the engine completes it with the worker's variables
(``complete_job``: the variables go into its data, then ``Task.complete`` — what running it would have done) or a
worker throws a BPMN error (``throw_error``: delivered to the task's own error boundary events, the way
SpiffWorkflow's event manager delivers a caught event). The spec keeps SpiffWorkflow's ``ServiceTask`` fields
(``operation_name`` holds the topic), so its serializer converter stores it.

The topic is read from, in order: Camunda's ``camunda:type="external" camunda:topic="…"``, gridcase's own
``spiffworkflow:property name="topic"``, or a ``spiffworkflow:serviceTaskOperator id="…"`` (its id). A service task
with none of them is refused at deploy, naming the element.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.bpmn_errors import throw_bpmn_error
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, ScriptRejected
from engine.domain.events import canonical_json
from engine.domain.jobs import CANCELLED, COMPLETED, MAX_TOPIC, JobView
from engine.domain.views import StepRecord

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


class ExternalServiceTask(ServiceTask):  # SpiffWorkflow ships no types: its classes are Any
    """A service task done by an external worker: running it only opens the job (the task waits, STARTED)."""

    def _run_hook(self, my_task: Task) -> None:
        SpiffBpmnTask._run_hook(self, my_task)  # the pre-script, if any
        return None  # SpiffWorkflow: None marks the task STARTED; the engine completes it later


class ExternalServiceTaskParser(SpiffTaskParser):
    """Reads the topic (Camunda or gridcase's property or SpiffWorkflow's operator id); no topic: refused."""

    def create_task(self) -> ExternalServiceTask:
        extensions = self.parse_extensions()
        operator = extensions.get("serviceTaskOperator") or {}
        topic = _topic(self.node, extensions, operator)
        task: ExternalServiceTask = self.spec_class(
            self.spec, self.bpmn_id, operation_name=topic, operation_params=operator.get("parameters") or {},
            result_variable=operator.get("resultVariable"), prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"), **self.bpmn_attributes)
        return task


def _topic(node: Any, extensions: dict[str, Any], operator: dict[str, Any]) -> str:
    kind = node.get(f"{{{CAMUNDA}}}type")
    bpmn_id = node.get("id")
    candidates = [node.get(f"{{{CAMUNDA}}}topic"), (extensions.get("properties") or {}).get("topic"),
                  operator.get("name")]
    implementations = [name for name in ("class", "expression", "delegateExpression")
                       if node.get(f"{{{CAMUNDA}}}{name}")]
    if implementations or (kind is not None and kind != "external"):
        raise ValidationException(
            f"service task {bpmn_id}: gridcase runs service tasks only as external-worker jobs; remove "
            f"camunda:{implementations[0] if implementations else 'type=' + kind!s} and set "
            'camunda:type="external" camunda:topic="…" (or the property "topic")', node=node)
    topic = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), None)
    if topic is None:
        raise ValidationException(
            f"service task {bpmn_id} has no topic: gridcase runs a service task as a job for an external worker "
            'subscribed to its topic; set camunda:type="external" camunda:topic="…" or the extension property '
            '"topic"', node=node)
    if len(topic) > MAX_TOPIC:
        raise ValidationException(f"service task {bpmn_id}: the topic is longer than {MAX_TOPIC} characters",
                                  node=node)
    return topic


def external_parser_classes() -> dict[str, tuple[type, type]]:
    """The parser override that makes ``bpmn:serviceTask`` an external-worker task."""
    return {full_tag("serviceTask"): (ExternalServiceTaskParser, ExternalServiceTask)}


def external_serializer_config() -> dict[type, type]:
    """Serializer config entry for the external service task (SpiffWorkflow's own converter)."""
    return {ExternalServiceTask: ServiceTaskConverter}


def is_external(spec: Any) -> bool:
    """True for an external-worker service task's spec."""
    return isinstance(spec, ExternalServiceTask)


def project_job(out: Any, task: Task, old_state: int | None) -> None:
    """A job transition of one step into ``out`` (a StepOutcome): opened, or ended by the workflow."""
    spec = task.task_spec
    if task.state == TaskState.STARTED and old_state != TaskState.STARTED:
        variables = json.loads(canonical_json(task.data))
        out.jobs.append(JobView(str(task.id), spec.bpmn_id, spec.operation_name, variables))
        out.records.append(StepRecord(ev.JOB_CREATED, str(task.id), spec.bpmn_id, {"topic": spec.operation_name}))
    elif old_state == TaskState.STARTED and task.state == TaskState.CANCELLED:
        out.jobs_ended.append((str(task.id), CANCELLED))
        out.records.append(StepRecord(ev.JOB_CANCELLED, str(task.id), spec.bpmn_id, {}))
    elif old_state == TaskState.STARTED and task.state == TaskState.COMPLETED:
        out.jobs_ended.append((str(task.id), COMPLETED))


def waiting_job(task: Task) -> Task:
    """The task, if it is an external task waiting for its worker; else a conflict (it moved on)."""
    if not is_external(task.task_spec):
        raise InvalidCommand(f"task {task.id} ({task.task_spec.bpmn_id}) is not an external service task",
                             field="job_id")
    if task.state != TaskState.STARTED:
        raise ConcurrencyConflict(f"task {task.id} ({task.task_spec.bpmn_id}) is "
                                  f"{TaskState.get_name(task.state).lower()}, not waiting for its worker")
    return task


def complete_job(task: Task, variables: dict[str, Any]) -> None:
    """Complete the waiting task with the worker's variables, as running it would have."""
    waiting_job(task).data.update(copy.deepcopy(variables))
    task.complete()


def throw_error(task: Task, code: str, variables: dict[str, Any]) -> None:
    """Throw BPMN error ``code`` from the waiting task: to its own error boundary event (one with that code before one
    catching every error), whose data takes the variables; else up the enclosing scopes (a subprocess's boundary
    event, an error event subprocess: ``engine.bpmn.bpmn_errors``) with the variables as the error's payload.

    SpiffWorkflow's own parser gives its error events a subclass of the BPMN one, which compares equal only to its
    own class: the code is matched here, and the event is delivered to that one boundary task, as the event manager
    delivers a caught event (``catch``, then ``_update``)."""
    waiting_job(task)
    parent = task.parent
    siblings = [] if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit") else [
        s for s in parent.children if s is not task]
    catching = sorted((s for s in siblings if s.state == TaskState.WAITING and _catches_error(s.task_spec, code)),
                      key=lambda s: s.task_spec.event_definition.code != code)  # by code before the catch-all
    if not catching:
        try:
            throw_bpmn_error(task, code, copy.deepcopy(variables))
        except ScriptRejected as exc:
            raise InvalidCommand(f"{exc.message}; or report a failure instead", field="error_code") from None
        return
    boundary = catching[0]
    boundary.task_spec.catch(boundary, BpmnEvent(boundary.task_spec.event_definition, payload=copy.deepcopy(variables)))
    boundary.task_spec._update(boundary)
    boundary.data.update(copy.deepcopy(variables))  # the path the error takes goes on with the worker's variables


def _catches_error(spec: Any, code: str) -> bool:
    """An error event definition with this code, or one catching every error (no code)."""
    definition = getattr(spec, "event_definition", None)
    return isinstance(definition, ErrorEventDefinition) and definition.code in (None, "", code)
