"""Lint of what the properties panel sets beyond people's tasks: a service task's retries, back-off and http call, the
error, signal or escalation an event names, and a process's starter groups.

Each finding names the property or reference and the value at fault, so the designer can fix it in the panel before
the engine refuses it at deploy or at run time (docs/workers.md, docs/engine.md "Events"). Whether a service task has
a topic, a known connector or an http task an ``httpUrl`` is :mod:`designer.service_tasks`' rule, not repeated here.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from engine.bpmn import timers
from engine.bpmn.sandbox import compile_sandboxed
from engine.bpmn.starters import STARTER_PROPERTY, split_groups

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
Finding = tuple[str | None, str, str]  # element id, severity, message (as designer.lint)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HTTP_PROPERTIES = ("httpUrl", "httpMethod", "httpBody", "httpResult", "httpTimeout")
MAX_HTTP_TIMEOUT = 60  # seconds: the http connector waits no longer (docs/workers.md)
THROWING = ("endEvent", "intermediateThrowEvent")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
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
        if groups is not None and not split_groups([groups]):
            yield process.get("id"), "warning", (f"{STARTER_PROPERTY} names no group: only admins and process "
                                                 "designers may start this process")


def service_task_problems(props: dict[str, str]) -> list[tuple[str, str]]:
    """(severity, message) for each bad retry or http property of a service task's ``props``."""
    found: list[tuple[str, str]] = []
    retries, backoff = props.get("retries"), props.get("retryBackoff")
    if retries and not retries.isdigit():
        found.append(("error", f"retries {retries!r} is not a whole number ≥ 0 (how often a failed job is tried "
                               "again when the worker's failure call gives no count; default 3)"))
    if backoff:
        try:
            timers.iso_duration_delta(backoff, _REFERENCE)
        except ValueError:
            found.append(("error", f"retryBackoff {backoff!r} is not an ISO 8601 duration (e.g. PT5M, PT1H)"))
    if props.get("connector") == "http":
        found += _http_problems(props)
    elif props.get("connector") in (None, ""):
        stray = [name for name in HTTP_PROPERTIES if props.get(name)]
        if stray:
            found.append(("warning", f"{', '.join(stray)} ignored: the http properties are read only with "
                                     "connector http"))
    return found


def _http_problems(props: dict[str, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    url, method, timeout = props.get("httpUrl", ""), props.get("httpMethod", ""), props.get("httpTimeout", "")
    names = _PLACEHOLDER.findall(url)
    bad = [name for name in names if not name.strip().isidentifier()]
    if bad or url.count("{") != len(names) or url.count("}") != len(names):
        found.append(("error", f"httpUrl {url!r}: placeholders are {{name}}, a case variable's name each"))
    elif url and not _PLACEHOLDER.sub("x", url).lower().startswith(("http://", "https://")):
        found.append(("error", f"httpUrl {url!r} must start with http:// or https://"))
    if method and method.upper() not in HTTP_METHODS:
        found.append(("error", f"httpMethod {method!r} is not one of {', '.join(HTTP_METHODS)}"))
    if timeout and not _seconds(timeout):
        found.append(("error", f"httpTimeout {timeout!r} is not a number of seconds above 0 and at most "
                               f"{MAX_HTTP_TIMEOUT}"))
    result = props.get("httpResult", "")
    if result and (not result.isidentifier() or keyword.iskeyword(result)):
        found.append(("error", f"httpResult {result!r} is not a variable name (the case variable that receives "
                               "{status, body})"))
    body = props.get("httpBody", "")
    refused = _refused(body) if body else None
    if refused:
        found.append(("error", f"httpBody refused: {refused}"))
    return found


def _seconds(text: str) -> bool:
    try:
        return 0 < float(text) <= MAX_HTTP_TIMEOUT
    except ValueError:
        return False


def _refused(source: str) -> str | None:
    """Why the sandbox refuses expression ``source`` (None when it compiles)."""
    try:
        compile_sandboxed(source, "eval")
    except SyntaxError as exc:
        return f"{source.strip()[:80]!r} is not a Python expression ({exc.msg})"
    except Exception as exc:  # SandboxViolation, ValueError (null bytes): all are refusals
        return f"{type(exc).__name__}: {exc}"
    return None


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
