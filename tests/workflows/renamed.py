"""A copy of workflows/case_lifecycle.bpmn with every element id renamed, its milestone properties kept.

The engine must find the lifecycle's milestones (dispatched, checked, …) in the model, never by task id:
the renamed copy must run the same cases to the same facts, KPIs and replay frames as the original.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "workflows" / "case_lifecycle.bpmn"
# Not tasks: the process (cases start it by id), its pool, the message a camera detection sends, and the
# co-handling's multi-instance data items (their ids are the variables each instance reads and writes).
KEPT = {"case_lifecycle", "case_lifecycle_definitions", "case_lifecycle_collaboration", "city_management_centre",
        "video_detection_message", "co_index"}
REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "bpmnElement", "default", "signalRef")
TEXT_REFERENCES = ("flowNodeRef", "incoming", "outgoing")


def renames(text: str) -> dict[str, str]:
    """Original element id → a new id sharing no part of it (``node_001`` …), for every renamable element."""
    ids = sorted(set(re.findall(r'\bid="([^"]+)"', text)) - KEPT)
    return {old: f"node_{number:03d}" for number, old in enumerate(ids, start=1)}


def renamed_lifecycle(text: str, ids: dict[str, str]) -> str:
    """``text`` with every id and every reference to one rewritten: attributes, lane and flow references and the
    ``dueTimer`` property (it names a boundary event). Forms keep their file names; scripts name no element."""
    def attribute(found: re.Match[str]) -> str:
        return f'{found[1]}="{ids.get(found[2], found[2])}"'

    def element_text(found: re.Match[str]) -> str:
        return f"{found[1]}{ids.get(found[2].strip(), found[2])}{found[3]}"

    names = "|".join(("id", *REFERENCES))
    out = re.sub(rf'\b({names})="([^"]*)"', attribute, text)
    tags = "|".join(TEXT_REFERENCES)
    out = re.sub(rf"(<bpmn:(?:{tags})>)([^<]*)(</bpmn:(?:{tags})>)", element_text, out)
    return re.sub(r'(<spiffworkflow:property name="dueTimer" value=")([^"]*)(")', element_text, out)
