"""Lint of service tasks: each is a job for an external worker subscribed to its topic (docs/workers.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.bpmn.external import CAMUNDA

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}
Finding = tuple[str | None, str, str]  # element id, severity, message (as designer.lint)
NO_TOPIC = ('service task without a topic: gridcase runs a service task as a job for an external worker subscribed '
            'to its topic; set camunda:type="external" camunda:topic="…" or the extension property "topic"')
IMPLEMENTATIONS = ("class", "expression", "delegateExpression")


def worker_attribute(el: Any, name: etree.QName) -> bool:
    """True for the Camunda attributes gridcase reads on a service task (so they are not "ignored")."""
    return (etree.QName(el).localname == "serviceTask" and name.namespace == CAMUNDA
            and name.localname in ("type", "topic"))


def service_task_findings(tree: Any) -> Iterator[Finding]:
    """An error for each service task gridcase cannot hand to a worker: no topic, or a Java implementation."""
    for task in tree.iter(f"{{{BPMN}}}serviceTask"):
        task_id = task.get("id")
        java = [name for name in IMPLEMENTATIONS if task.get(f"{{{CAMUNDA}}}{name}")]
        kind = task.get(f"{{{CAMUNDA}}}type")
        if java or (kind is not None and kind != "external"):
            what = f"camunda:{java[0]}" if java else f'camunda:type="{kind}"'
            yield task_id, "error", (f"{what} cannot run in gridcase: a service task is a job for an external worker; "
                                     'set camunda:type="external" camunda:topic="…"')
        elif not _topic(task):
            yield task_id, "error", NO_TOPIC


def _topic(task: Any) -> str:
    props = {p.get("name"): p.get("value") or "" for p in task.xpath(
        "./bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)}
    operators = task.xpath("./bpmn:extensionElements/spiff:serviceTaskOperator/@id", namespaces=NS)
    found = [task.get(f"{{{CAMUNDA}}}topic") or "", props.get("topic", ""), *[str(o) for o in operators]]
    return next((t.strip() for t in found if t.strip()), "")
