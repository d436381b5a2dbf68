"""SpiffWorkflow's parse errors in the designer's words: the element (id and name) and the fix.

SpiffWorkflow raises ``ValidationException`` with the offending XML node's id, name and tag, but its text is
written for its own developers and sometimes embeds an lxml element's repr (``<Element {…}targetRef at
0x…>``). :func:`explain` maps the known messages to what a process designer should do, and falls back to the
element plus the message with every object repr taken out; no Python repr or traceback reaches the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

_REPR = re.compile(r"<(?:Element|[A-Za-z_.]+ object) (?:\{[^}]*\})?([\w:.-]*)[^>]*? at 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_START_EVENTS = re.compile(r"Exactly one start event is required in a SubWorkflow Task; found (\d+)")
_EXPLAINED: tuple[tuple[str, Callable[[str, str], str]], ...] = (
    ("Cannot resolve dataOutputAssociation", lambda label, _: (
        f"{label} writes to a data object through a data output association whose target is no data object "
        "reference of this process (or a data store gridcase does not implement): point the association at a "
        "bpmn:dataObjectReference of a data object of the process, or remove the association")),
    ("Cannot resolve dataInputAssociation", lambda label, _: (
        f"{label} reads a data object through a data input association whose source is no data object "
        "reference of this process (or a data store gridcase does not implement): point the association at a "
        "bpmn:dataObjectReference of a data object of the process, or remove the association")),
    ("Exactly one start event is required", lambda label, text: _start_events(label, text)),
    ("A SubWorkflow Must contain an End event", lambda label, _: (
        f"{label} has no end event: a subprocess must end in an end event; add one after its last task")),
    ("No start event found", lambda label, _: f"{label} has no start event: add a (none) start event"),
    ("is not executable", lambda label, _: (
        f"{label} is marked isExecutable=\"false\": set isExecutable=\"true\" on the process to deploy it")),
    ("Could not find messageRef", lambda label, _: (
        f"{label} names a message that is not defined: add a bpmn:message with that id (or pick one in the "
        "properties panel)")),
    ("Multiple outgoing flows are not supported", lambda label, _: (
        f"{label} has more than one outgoing sequence flow: split the path with a gateway after it (parallel for "
        "all paths, exclusive for one)")),
    ("Non-default exclusive outgoing sequence flow without condition", lambda label, _: (
        f"{label} leaves an exclusive gateway without a condition and is not the gateway's default: add a "
        "condition or make it the default flow")),
    ('No "calledElement" attribute', lambda label, _: (
        f"{label} names no process to call: set calledElement to the id of a process deployed with it")),
    ("Invalid Script Task", lambda label, _: f"{label} has no script: write one, or make it a plain task"),
    ("There is no support implemented for this task type", lambda label, _: (
        f"{label} is an element gridcase cannot run: replace it with a task, gateway or event gridcase supports")),
    ("Cancel Events may only be used with transactions", lambda label, _: (
        f"{label} is a cancel event outside a transaction subprocess: attach it to a transaction, or use an "
        "error event")),
    ("Duplicate process ID", lambda label, text: (
        f"{_clean(text).removeprefix('Duplicate process ID: ')!r} is the id of two processes: give each "
        "process its own id")),
    ("was not found", lambda label, text: (
        f"{_clean(text).split(' Did you mean')[0]} A call activity names it: deploy the BPMN file that defines "
        "that process together with this one, or correct calledElement")),
)


def explain(exc: BaseException, file_name: str) -> tuple[str | None, str]:
    """(element id or None, message) for a failure to parse or build a process; never a repr or traceback."""
    if isinstance(exc, etree.XMLSyntaxError):
        return None, f"{file_name} is not well-formed XML: {_clean(str(exc))}; fix the file (or export it again)"
    element_id = (getattr(exc, "id", "") or None) if isinstance(exc, ValidationException) else None
    label = _label(exc) if element_id else file_name
    text = str(exc)
    for marker, describe in _EXPLAINED:
        if marker in text:
            return element_id, describe(label, text)
    detail = _clean(text).removeprefix("Time Specification Error. ") or type(exc).__name__
    if "unsupported FEEL" in detail:
        detail += "; write the cell in the FEEL gridcase evaluates (comparisons, ranges, lists, not, -)"
    if element_id:
        return element_id, f"{label} cannot be read by the engine: {detail}"
    if isinstance(exc, ValidationException):  # a file-level problem (a DMN file, a missing process)
        return None, detail if detail.startswith(file_name) else f"{file_name}: {detail}"
    return None, (f"{file_name} cannot be read by the engine ({detail}); check the element the designer "
                  "highlights, or export the model again")


def _label(exc: ValidationException) -> str:
    """``task 'Approve' (id approve)`` from the exception's element; ``the element`` when it names none."""
    tag = (getattr(exc, "tag", "") or "").removeprefix("bpmn:")
    tag = tag.rsplit("}", 1)[-1] or "element"
    element_id, name = getattr(exc, "id", "") or "", getattr(exc, "name", "") or ""
    if name and element_id:
        return f"{tag} {name!r} (id {element_id})"
    return f"{tag} {element_id}" if element_id else f"the {tag}"


def _start_events(label: str, text: str) -> str:
    match = _START_EVENTS.search(text)
    count = int(match.group(1)) if match else 0
    fix = "add one (none) start event" if count == 0 else f"keep one of its {count} start events"
    return f"{label} has {count} start events; a subprocess starts at exactly one: {fix}"


def _clean(text: str) -> str:
    """``text`` with lxml/Python object reprs replaced by the element's tag and no memory addresses."""
    text = _REPR.sub(lambda m: f"bpmn:{m.group(1)}" if m.group(1) else "an element", text)
    return _ADDRESS.sub("…", text).strip().rstrip(".")
