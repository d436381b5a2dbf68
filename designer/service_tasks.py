"""Lint of service tasks: a job for an external worker subscribed to its topic, or for one of gridcase's own
connectors (the property ``connector``), with the model's retries (docs/workers.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.bpmn.external import CAMUNDA, connector_expression_problems
from engine.bpmn.job_retries import model_retries, retry_cycle
from engine.connectors.registry import connector_named
from engine.domain.jobs import RESERVED_PREFIX

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}
Finding = tuple[str | None, str, str]  # element id, severity, message (as designer.lint)
NO_TOPIC = ('service task without a topic: gridcase runs a service task as a job for an external worker subscribed '
            'to its topic; set camunda:type="external" camunda:topic="…" or the extension property "topic" (or the '
            'property "connector" for a built-in connector, e.g. http)')
IMPLEMENTATIONS = ("class", "expression", "delegateExpression")
READ_CAMUNDA = ("type", "topic", "failedJobRetryTimeCycle")


def worker_attribute(el: Any, name: etree.QName) -> bool:
    """True for the Camunda attributes and extension elements gridcase reads on a service task (so they are not
    "ignored")."""
    return (etree.QName(el).localname == "serviceTask" and name.namespace == CAMUNDA
            and name.localname in READ_CAMUNDA)


def service_task_findings(tree: Any) -> Iterator[Finding]:
    """An error for each service task gridcase cannot run: no topic nor connector, a Java implementation, a
    reserved topic, an unknown connector or a bad connector call, bad retries."""
    for task in tree.iter(f"{{{BPMN}}}serviceTask"):
        task_id, props = task.get("id"), _props(task)
        java = [name for name in IMPLEMENTATIONS if task.get(f"{{{CAMUNDA}}}{name}")]
        kind = task.get(f"{{{CAMUNDA}}}type")
        if java or (kind is not None and kind != "external"):
            what = f"camunda:{java[0]}" if java else f'camunda:type="{kind}"'
            yield task_id, "error", (f"{what} cannot run in gridcase: a service task is a job for an external worker; "
                                     'set camunda:type="external" camunda:topic="…"')
        elif "connector" in props:
            yield from _connector_findings(task_id, props)
        elif not _topic(task, props):
            yield task_id, "error", NO_TOPIC
        elif _topic(task, props).startswith(RESERVED_PREFIX):
            yield task_id, "error", (f"topics starting with {RESERVED_PREFIX!r} are gridcase's own; for a built-in "
                                     'connector set the property "connector"')
        try:
            model_retries(props, retry_cycle(task))
        except ValueError as exc:
            yield task_id, "error", str(exc)


def _connector_findings(task_id: str | None, props: dict[str, str]) -> Iterator[Finding]:
    """The deploy's own checks of a connector task (one finding: the first problem, as the deploy refuses it)."""
    try:
        connector = connector_named(props["connector"])
        connector.check(props)
        connector_expression_problems(connector, props)
    except ValueError as exc:
        yield task_id, "error", str(exc)


def _props(task: Any) -> dict[str, str]:
    return {p.get("name"): p.get("value") or "" for p in task.xpath(
        "./bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)}


def _topic(task: Any, props: dict[str, str]) -> str:
    operators = task.xpath("./bpmn:extensionElements/spiff:serviceTaskOperator/@id", namespaces=NS)
    found = [task.get(f"{{{CAMUNDA}}}topic") or "", props.get("topic", ""), *[str(o) for o in operators]]
    return next((t.strip() for t in found if t.strip()), "")
