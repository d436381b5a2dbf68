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
with none of them is refused at deploy, naming the element. A task with the property ``connector`` (``http``) is run
by gridcase's own connector (``engine.connectors``) on its reserved ``gridcase:…`` topic: its properties are checked
at deploy, and its call is prepared when the task starts (in the step, scripts in the sandbox), kept in the task's
internal data and handed to the job. The model's retries and back-off (``engine.bpmn.job_retries``) are kept in
SpiffWorkflow's ``retries`` and ``retry_backoff_base`` fields (the latter in milliseconds), which its converter
stores.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
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
from engine.bpmn.feel_expressions import feel_problem, is_feel
from engine.bpmn.job_retries import model_retries, retry_cycle
from engine.bpmn.sandbox import compile_sandboxed
from engine.connectors.base import Connector
from engine.connectors.registry import connector_named
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, ScriptRejected
from engine.domain.events import canonical_json
from engine.domain.jobs import (
    CANCELLED,
    COMPLETED,
    DEFAULT_RETRIES,
    DEFAULT_RETRY_BACKOFF_MS,
    MAX_TOPIC,
    RESERVED_PREFIX,
    JobView,
)
from engine.domain.views import StepRecord

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
CALL_KEY = "connector_call"  # the task's internal data: the connector's prepared call


class ExternalServiceTask(ServiceTask):  # SpiffWorkflow ships no types: its classes are Any
    """A service task done by an external worker or a connector: running it only opens the job (the task waits,
    STARTED); a connector's call is prepared here, so its scripts run in the step's sandbox."""

    def _run_hook(self, my_task: Task) -> None:
        SpiffBpmnTask._run_hook(self, my_task)  # the pre-script, if any
        connector = task_connector(self)
        if connector is not None:
            properties = self.extensions.get("properties") or {}
            engine = my_task.workflow.script_engine
            try:
                call = connector.prepare(properties, my_task.data, lambda text: engine.evaluate(my_task, text))
            except ValueError as exc:  # a placeholder without its variable, a body that is not JSON
                raise WorkflowTaskException(str(exc), task=my_task, exception=exc) from exc
            my_task.internal_data[CALL_KEY] = call
        return None  # SpiffWorkflow: None marks the task STARTED; the engine completes it later


def task_connector(spec: Any) -> Connector | None:
    """The connector a service task's spec names (its ``connector`` property), or None (an external worker's)."""
    name = ((getattr(spec, "extensions", None) or {}).get("properties") or {}).get("connector")
    return connector_named(name) if isinstance(name, str) and name.strip() else None


def connector_expression_problems(connector: Connector, properties: dict[str, str]) -> None:
    """ValueError naming the first of the connector's expression properties the sandbox refuses to compile."""
    for name in connector.expressions:
        text = (properties.get(name) or "").strip()
        if is_feel(text):
            if problem := feel_problem(text):
                raise ValueError(f"{name} {text[:80]!r} is refused: {problem}")
        elif text:
            try:
                compile_sandboxed(text, "eval")
            except Exception as exc:  # SyntaxError, SandboxViolation: the step would fail when a case got here
                raise ValueError(f"{name} {text[:80]!r} is refused: {type(exc).__name__}: {exc}") from None


class ExternalServiceTaskParser(SpiffTaskParser):
    """Reads the topic (Camunda or gridcase's property or SpiffWorkflow's operator id) or the connector, and the
    retries; no topic, a bad connector call or bad retries: refused, naming the element."""

    def create_task(self) -> ExternalServiceTask:
        extensions = self.parse_extensions()
        operator = extensions.get("serviceTaskOperator") or {}
        properties = extensions.get("properties") or {}
        try:
            retries, backoff_ms = model_retries(properties, retry_cycle(self.node))
            connector = None if properties.get("connector") is None else connector_named(properties["connector"])
            if connector is not None:
                connector.check(properties)
                connector_expression_problems(connector, properties)
        except ValueError as exc:
            raise ValidationException(f"service task {self.bpmn_id}: {exc}", node=self.node) from None
        topic = connector.topic if connector is not None else _topic(self.node, extensions, operator)
        task: ExternalServiceTask = self.spec_class(
            self.spec, self.bpmn_id, operation_name=topic, operation_params=operator.get("parameters") or {},
            result_variable=operator.get("resultVariable"), retries=retries, retry_backoff_base=backoff_ms,
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"), **self.bpmn_attributes)
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
    if topic.startswith(RESERVED_PREFIX):
        raise ValidationException(f"service task {bpmn_id}: topics starting with {RESERVED_PREFIX!r} are gridcase's "
                                  'own; for a built-in connector set the property "connector"', node=node)
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
        # A version deployed before models carried retries has None in both: the defaults.
        retries = DEFAULT_RETRIES if spec.retries is None else int(spec.retries)
        backoff = DEFAULT_RETRY_BACKOFF_MS if spec.retry_backoff_base is None else int(spec.retry_backoff_base)
        out.jobs.append(JobView(str(task.id), spec.bpmn_id, spec.operation_name, variables, retries, backoff,
                                task.internal_data.get(CALL_KEY)))
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
