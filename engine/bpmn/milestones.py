"""Reading the milestones a process declares, from a parsed spec (deployment) or its XML (lint).

A task declares its milestone with the SpiffWorkflow extension property ``milestone``, read the same way
as ``form`` or ``candidateGroups``. What the milestones mean is the city domain's business
(``engine.domain.milestones``); this module only finds them and checks a lifecycle declares enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from engine.domain import milestones as m

PROPERTY = "milestone"
BPMN, SPIFF = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN, "spiff": SPIFF}
_HUMAN_TAGS = ("userTask", "manualTask")


def spec_milestones(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, str]:
    """BPMN id → milestone over a process spec and its (embedded or called) subprocess specs."""
    found: dict[str, str] = {}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            value = (props.get(PROPERTY) or "").strip()
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if value and bpmn_id:
                found[bpmn_id] = value
    return dict(sorted(found.items()))


def _declared(process: Any) -> Iterator[tuple[Any, str]]:
    """(element, milestone) of every element inside ``process`` (nested subprocesses included)."""
    path = ".//*[bpmn:extensionElements/spiff:properties/spiff:property[@name='milestone']]"
    for el in process.xpath(path, namespaces=_NS):
        props = el.xpath("./bpmn:extensionElements/spiff:properties/spiff:property[@name='milestone']",
                         namespaces=_NS)
        yield el, (props[0].get("value") or "").strip()


def lint_milestones(processes: Iterable[Any]) -> Iterator[tuple[str | None, str, str]]:
    """Lint findings (element id, severity, message) for the milestones of these ``bpmn:process`` elements.

    A process that declares any milestone is a case lifecycle: it must declare every required one, each on
    a task that can carry it (a person's task where its doer or its being ready is what counts)."""
    known = ", ".join(m.MILESTONES)
    for process in processes:
        seen = set()
        for el, value in _declared(process):
            tag = el.tag.rpartition("}")[2]
            if value not in m.MILESTONES:
                yield el.get("id"), "error", f"unknown milestone {value!r}: one of {known}"
                continue
            seen.add(value)
            if value in m.HUMAN and tag not in _HUMAN_TAGS:
                yield el.get("id"), "error", (f"milestone {value!r} ({m.MILESTONES[value]}) must be on a user or"
                                              f" manual task, not a {tag}")
        for missing in (name for name in m.REQUIRED if seen and name not in seen):
            yield process.get("id"), "error", (
                f"process {process.get('id')!r} declares milestones, so it is a case lifecycle, but no task declares"
                f" the milestone {missing!r} ({m.MILESTONES[missing]}): set the property milestone={missing} on"
                " that task (facts, KPIs and the replay read it)")
