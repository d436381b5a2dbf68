"""What a process says about being started by hand: its name and description, who may start it, and its start form.

Read from the BPMN text of a deployed version (SpiffWorkflow's spec keeps none of it):

- **starter groups**: ``camunda:candidateStarterGroups`` / ``flowable:candidateStarterGroups`` (also Activiti's)
  on the ``process`` element, comma-separated, as the other modelling tools write them; or gridcase's own
  extension property ``candidateStarterGroups`` in the process's ``extensionElements`` (read like ``form`` and
  ``candidateGroups`` on tasks). Every source found counts; none found means the process names no starters.
- **start form**: the ``form`` (or ``formKey``) extension property of the process's none start event (a start
  event without an event definition: a message or timer start is not started by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

# The modelling tools whose attribute gridcase reads, by namespace (each writes the same attribute name).
STARTER_NAMESPACES = ("http://camunda.org/schema/1.0/bpmn", "http://flowable.org/bpmn", "http://activiti.org/bpmn")
STARTER_PROPERTY = "candidateStarterGroups"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class StartSettings:
    """A process as its start page shows it. ``starter_groups`` None: the model names no starters."""

    process_id: str
    name: str
    description: str
    starter_groups: tuple[str, ...] | None = None
    form: str | None = None
    timers_only: bool = False  # timer start events and no none start event: its timers alone start it


def _timers_only(process: Any) -> bool:
    """Whether ``process`` has timer start events and no none start event (nobody starts it by hand)."""
    kinds = [{_local(child) for child in event if _local(child).endswith("EventDefinition")}
             for event in process if _local(event) == "startEvent"]
    return any("timerEventDefinition" in k for k in kinds) and not any(not k for k in kinds)


def _local(element: Any) -> str:
    return str(etree.QName(element).localname) if isinstance(element.tag, str) else ""


def split_groups(values: Iterable[str]) -> tuple[str, ...]:
    """The groups named in comma-separated ``values``, each once, in order, blanks dropped."""
    found: list[str] = []
    for value in values:
        for group in value.split(","):
            if group.strip() and group.strip() not in found:
                found.append(group.strip())
    return tuple(found)


def _properties(element: Any) -> dict[str, str]:
    """The extension properties (``name`` → ``value``) directly under ``element``'s extensionElements."""
    found: dict[str, str] = {}
    for extensions in (child for child in element if _local(child) == "extensionElements"):
        for holder in (child for child in extensions if _local(child) == "properties"):
            for prop in (child for child in holder if _local(child) == "property"):
                if prop.get("name") and prop.get("value") is not None:
                    found.setdefault(prop.get("name"), prop.get("value"))
    return found


def _starter_groups(process: Any) -> tuple[str, ...] | None:
    declared = [value for ns in STARTER_NAMESPACES if (value := process.get(f"{{{ns}}}{STARTER_PROPERTY}")) is not None]
    own = _properties(process).get(STARTER_PROPERTY)
    if own is not None:
        declared.append(own)
    return split_groups(declared) if declared else None


def _start_form(process: Any) -> str | None:
    for event in (child for child in process if _local(child) == "startEvent"):
        if any(_local(child).endswith("EventDefinition") for child in event):
            continue  # a message, timer or signal start: not started by hand
        props = _properties(event)
        form = props.get("form") or props.get("formKey")
        if form:
            return form
    return None


def _process(sources: Mapping[str, str], process_id: str) -> Any:
    for name, text in sorted(sources.items()):
        if name.endswith((".dmn", ".json")):  # a .bpmn, or another tool's BPMN file (.bpmn20.xml)
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"), _PARSER)
        except (etree.XMLSyntaxError, ValueError):
            continue
        for element in root.iter():
            if _local(element) == "process" and element.get("id") == process_id:
                return element
    return None


def start_settings(sources: Mapping[str, str], process_id: str) -> StartSettings:
    """The start settings of ``process_id`` in its version's ``sources`` (file name → text); a process not found
    in them (it cannot be: the sources were parsed into it) has its id as name and nothing else."""
    process = _process(sources, process_id)
    if process is None:
        return StartSettings(process_id, process_id, "")
    documentation = next((child for child in process if _local(child) == "documentation"), None)
    description = "" if documentation is None else "".join(documentation.itertext()).strip()
    return StartSettings(process_id, process.get("name") or process_id, description,
                         _starter_groups(process), _start_form(process), _timers_only(process))


def is_starter_attribute(element: Any, name: Any) -> bool:
    """Whether attribute ``name`` (an lxml QName) of ``element`` is another modeller's starter groups, which gridcase
    reads (designer lint does not call it ignored)."""
    return _local(element) == "process" and name.localname == STARTER_PROPERTY and name.namespace in STARTER_NAMESPACES
