"""Lint of what the properties panel sets beyond people's tasks and the deploy does not refuse by itself: the error,
signal or escalation an event names, a process's starter groups, http properties on a task without the http connector.

Each finding names the property or reference and the value at fault, so the designer can fix it in the panel before
a case runs into it (docs/workers.md, docs/engine.md "Events"). A service task's topic, connector, http call,
retries and back-off are :mod:`designer.service_tasks`' rules (the deploy's own checks), not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.bpmn.starters import STARTER_PROPERTY, split_groups

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
Finding = tuple[str | None, str, str]  # element id, severity, message (as designer.lint)
HTTP_PROPERTIES = ("httpUrl", "httpMethod", "httpBody", "httpResult", "httpTimeout")
THROWING = ("endEvent", "intermediateThrowEvent")
# (definition, its reference attribute, the root element, that element's code attribute or None)
REFERENCES = (("errorEventDefinition", "errorRef", "error", "errorCode"),
              ("signalEventDefinition", "signalRef", "signal", None),
              ("escalationEventDefinition", "escalationRef", "escalation", "escalationCode"))


def _props(el: Any) -> dict[str, str]:
    found = el.xpath("./bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)
    return {p.get("name"): (p.get("value") or "").strip() for p in found}


def _local(el: Any) -> str:
    return str(etree.QName(el).localname)


def engine_property_findings(root: Any) -> Iterator[Finding]:
    """Every finding of the service tasks, events and processes of one BPMN tree."""
    for task in root.iter(f"{{{BPMN}}}serviceTask"):
        yield from ((task.get("id"), severity, message) for severity, message in service_task_problems(_props(task)))
    yield from _event_references(root)
    for process in root.iter(f"{{{BPMN}}}process"):
        groups = _props(process).get(STARTER_PROPERTY)
        # value "" on purpose: started by its own command only (engine.service.process_starts); "," by mistake
        if groups and not split_groups([groups]):
            yield process.get("id"), "warning", (f"{STARTER_PROPERTY} names no group: nobody starts this process by "
                                                 'hand (write value="" when only its own command starts it)')


def service_task_problems(props: dict[str, str]) -> list[tuple[str, str]]:
    """(severity, message) for a service task's ``props`` that the engine would silently ignore: http properties
    without connector ``http``. Their values, the retries and the back-off are checked as the deploy checks them,
    by :mod:`designer.service_tasks` (not repeated here)."""
    if props.get("connector"):
        return []
    stray = [name for name in HTTP_PROPERTIES if props.get(name)]
    return [("warning", f"{', '.join(stray)} ignored: the http properties are read only with connector http")] \
        if stray else []


def _event_references(root: Any) -> Iterator[Finding]:
    for definition_tag, ref_attribute, kind, code_attribute in REFERENCES:
        known = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}{kind}")}
        for definition in root.iter(f"{{{BPMN}}}{definition_tag}"):
            event = definition.getparent()
            ref, throws = definition.get(ref_attribute), _local(event) in THROWING
            if ref and ref not in known:
                yield event.get("id"), "error", f"{kind} {ref!r} is not defined (bpmn:{kind})"
                continue
            found = known.get(ref) if ref else None
            problem = _reference_problem(kind, found, code_attribute, throws)
            if problem:
                yield (event.get("id"), *problem)


def _reference_problem(kind: str, found: Any, code_attribute: str | None, throws: bool) -> tuple[str, str] | None:
    """What is wrong with the ``kind`` an event names (``found``: its element, None when it names none)."""
    if code_attribute is None:  # a signal is known by its name only: without one nothing is sent or caught
        if found is None:
            return "error", "names no signal: pick or create one (its name is what is broadcast and caught)"
        if not (found.get("name") or "").strip():
            return "error", f"signal {found.get('id')!r} has no name: a signal is broadcast and caught by its name"
        return None
    code = (found.get(code_attribute) or "").strip() if found is not None else ""
    if code:
        return None
    what = f"{kind} {found.get('id')!r} has no {code_attribute}" if found is not None else f"names no {kind}"
    if throws:
        return "error", (f"{what}: a thrown {kind} needs a code, the catchers choose by it; pick or create "
                         "one with a code")
    if found is not None:
        return "warning", f"{what}: this event catches every {kind}, not only {found.get('name') or 'this one'!r}"
    return None
