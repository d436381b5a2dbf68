"""Every model in workflows/ carries its whole diagram: bpmn-js (the case page, the replay, the designer) refuses to
import a flow whose gateway or task has no shape ("failed to import <bpmn:SequenceFlow …>"), and shows nothing of a
model without a diagram. Each flow node, sequence flow, lane and pool has exactly one BPMNShape/BPMNEdge, each
edge has its waypoints, no diagram element points at a missing one, and the diagram is the one
``gridcase process layout`` draws (a model edited without laying it out again fails here)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from designer.layout import layout_bpmn

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted((ROOT / "workflows").glob("*.bpmn"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
DRAWN_TAGS = ("sequenceFlow", "subProcess", "callActivity", "transaction", "task", "lane", "participant")
NOT_DRAWN = ("laneSet", "process", "collaboration")


def drawn(root: etree._Element) -> list[str]:
    """The ids of what a diagram must show: tasks, events, gateways, subprocesses, flows, lanes, pools."""
    ids: list[str] = []
    for element in root.iter(f"{{{BPMN}}}*"):
        tag = etree.QName(element).localname
        if tag in NOT_DRAWN or tag.endswith("EventDefinition"):
            continue
        if tag in DRAWN_TAGS or tag.endswith(("Task", "Event", "Gateway")):
            ids.append(str(element.get("id")))
    return ids


def test_the_models_are_there() -> None:
    assert {"case_lifecycle", "supervision", "emergency_event"} <= {m.stem for m in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.stem)
def test_every_node_flow_lane_and_pool_is_drawn_once(model: Path) -> None:
    root = etree.parse(str(model)).getroot()
    shown = Counter(str(e.get("bpmnElement")) for e in root.xpath("//bpmndi:BPMNShape|//bpmndi:BPMNEdge",
                                                                  namespaces=NS))
    expected = drawn(root)
    assert len(expected) > 5
    assert [i for i in expected if shown[i] != 1] == []
    ids = set(root.xpath("//@id"))
    assert sorted(set(shown) - ids) == []  # no diagram element for an element the model does not have
    for edge in root.xpath("//bpmndi:BPMNEdge", namespaces=NS):
        assert len(edge.xpath("di:waypoint", namespaces=NS)) >= 2, edge.get("bpmnElement")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.stem)
def test_the_diagram_is_laid_out(model: Path) -> None:
    xml = model.read_bytes()
    assert layout_bpmn(xml) == xml, f"run: gridcase process layout workflows/{model.name}"
