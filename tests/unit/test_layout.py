"""`layout_bpmn` and `gridcase process layout`: generated BPMN DI that bpmn-js can display, with the process
XML left as it was."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from cli.main import cli
from designer.layout import layout_bpmn

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "workflows" / "case_lifecycle.bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
NODE = re.compile(r"(Event|Gateway|Task|task|callActivity|subProcess)$")

# Two lanes, a loop back to an earlier task, a self-loop, a shortcut past two tasks of the same row, a boundary
# timer, a node in no lane, an embedded subprocess with a loop of its own, and a stale diagram to be replaced.
SYNTHETIC = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    id="defs" targetNamespace="http://example.org">
  <bpmn:collaboration id="collab">
    <bpmn:participant id="pool" name="Office" processRef="office"/>
  </bpmn:collaboration>
  <bpmn:process id="office" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="clerk" name="clerk">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fix</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>step_one</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>step_two</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>merge</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="boss" name="boss">
        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>chase</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>chased</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>archive</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Request"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide" name="Complete?" default="ok"/>
    <bpmn:sequenceFlow id="incomplete" name="incomplete" sourceRef="decide" targetRef="fix">
      <bpmn:conditionExpression>missing</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:scriptTask id="fix" name="Fix"><bpmn:script>missing = False</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="retry" name="retry" sourceRef="fix" targetRef="fix"/>
    <bpmn:sequenceFlow id="again" name="again" sourceRef="fix" targetRef="review"/>
    <bpmn:sequenceFlow id="ok" name="complete" sourceRef="decide" targetRef="split"/>
    <bpmn:exclusiveGateway id="split" default="long_way"/>
    <bpmn:sequenceFlow id="long_way" sourceRef="split" targetRef="step_one"/>
    <bpmn:sequenceFlow id="short_way" name="nothing to do" sourceRef="split" targetRef="merge">
      <bpmn:conditionExpression>done</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:task id="step_one"/>
    <bpmn:sequenceFlow id="f3" sourceRef="step_one" targetRef="step_two"/>
    <bpmn:task id="step_two"/>
    <bpmn:sequenceFlow id="f4" sourceRef="step_two" targetRef="merge"/>
    <bpmn:exclusiveGateway id="merge"/>
    <bpmn:sequenceFlow id="f5" sourceRef="merge" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve"/>
    <bpmn:boundaryEvent id="late" name="A day late" attachedToRef="approve" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f6" sourceRef="late" targetRef="chase"/>
    <bpmn:userTask id="chase" name="Chase"/>
    <bpmn:sequenceFlow id="f7" sourceRef="chase" targetRef="chased"/>
    <bpmn:endEvent id="chased"/>
    <bpmn:sequenceFlow id="f8" sourceRef="approve" targetRef="archive"/>
    <bpmn:subProcess id="archive" name="Archive">
      <bpmn:startEvent id="archive_start"/>
      <bpmn:sequenceFlow id="s1" sourceRef="archive_start" targetRef="file"/>
      <bpmn:task id="file" name="File"/>
      <bpmn:sequenceFlow id="s2" sourceRef="file" targetRef="filed"/>
      <bpmn:exclusiveGateway id="filed" default="s4"/>
      <bpmn:sequenceFlow id="s3" name="misfiled" sourceRef="filed" targetRef="file">
        <bpmn:conditionExpression>misfiled</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="s4" sourceRef="filed" targetRef="archive_end"/>
      <bpmn:endEvent id="archive_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f9" sourceRef="archive" targetRef="done"/>
    <bpmn:endEvent id="done" name="Done"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="stale">
    <bpmndi:BPMNPlane id="stale_plane" bpmnElement="collab">
      <bpmndi:BPMNShape id="stale_shape" bpmnElement="review">
        <dc:Bounds x="0" y="0" width="1" height="1"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
LOOPS = {"again", "retry", "s3"}
LIFECYCLE_LOOPS = {"return_to_dispatch", "extension_to_disposal", "suspension_refused", "resumption_to_disposal",
                   "rework_to_disposal"}


def _bounds(element: etree._Element) -> tuple[float, float, float, float]:
    b = element.find("dc:Bounds", NS)
    return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def _containers(root: etree._Element, plane: etree._Element) -> list[etree._Element]:
    """The process(es) or subprocess whose nodes a plane shows."""
    element = root.find(f".//*[@id='{plane.get('bpmnElement')}']")
    if etree.QName(element).localname != "collaboration":
        return [element]
    refs = [p.get("processRef") for p in element.iterfind("bpmn:participant", NS)]
    return [root.find(f"bpmn:process[@id='{ref}']", NS) for ref in refs]


def _planes(xml: bytes) -> list[dict]:
    """Per plane: its nodes (id → (localname, attachedToRef, lane id)), flows, shapes and edges."""
    root = etree.fromstring(xml)
    planes = []
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        nodes, flows = {}, set()
        for container in _containers(root, plane):
            lane_of = {ref.text: lane.get("id") for lane in container.iterfind("bpmn:laneSet/bpmn:lane", NS)
                       for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
            for child in container.iterchildren(f"{{{NS['bpmn']}}}*"):
                name = etree.QName(child).localname
                if NODE.search(name):
                    nodes[child.get("id")] = (name, child.get("attachedToRef"), lane_of.get(child.get("id")))
                elif name == "sequenceFlow":
                    flows.add(child.get("id"))
        shapes = [(s.get("bpmnElement"), s) for s in plane.iterfind("bpmndi:BPMNShape", NS)]
        edges = [(e.get("bpmnElement"), e) for e in plane.iterfind("bpmndi:BPMNEdge", NS)]
        planes.append({"plane": plane, "nodes": nodes, "flows": flows, "shapes": shapes, "edges": edges})
    return planes


def _waypoints(edge: etree._Element) -> list[tuple[float, float]]:
    return [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]


def assert_well_formed_diagram(xml: bytes) -> None:
    """One shape/edge per node/flow; node shapes and labels do not overlap; shapes lie in their lanes; edges are
    orthogonal and cross no node but their own two."""
    for p in _planes(xml):
        shape_ids = [element_id for element_id, _ in p["shapes"] if element_id in p["nodes"]]
        assert sorted(shape_ids) == sorted(p["nodes"]), p["plane"].get("id")
        assert sorted(element_id for element_id, _ in p["edges"]) == sorted(p["flows"])
        boxes = {element_id: _bounds(shape) for element_id, shape in p["shapes"]}
        lanes = {lane for _, _, lane in p["nodes"].values()}
        for (a, (_, host_a, _)), (b, (_, host_b, _)) in itertools.combinations(p["nodes"].items(), 2):
            if b != host_a and a != host_b:  # a boundary event sits on its activity's edge by design
                assert not _overlap(boxes[a], boxes[b]), (a, b)
        for node, (kind, host, lane) in p["nodes"].items():
            lane = p["nodes"][host][2] if host else lane
            if lane is not None:
                assert _inside(boxes[node], boxes[lane]), (node, lane)
            size = (36, 36) if kind.endswith("Event") else (50, 50) if kind.endswith("Gateway") else (100, 80)
            assert boxes[node][2:] == size, node
        for lane in lanes - {None}:
            assert dict(p["shapes"])[lane].get("isHorizontal") == "true"
        labels = [_bounds(label) for label in p["plane"].iterfind(".//bpmndi:BPMNLabel", NS)]
        assert not [label for label in labels if any(_overlap(label, boxes[n]) for n in p["nodes"])]
        assert not [pair for pair in itertools.combinations(labels, 2) if _overlap(*pair)]
        for flow, edge in p["edges"]:
            points = _waypoints(edge)
            assert all(x0 == x1 or y0 == y1 for (x0, y0), (x1, y1) in itertools.pairwise(points)), flow
            source, target = (_ref(xml, flow, end) for end in ("sourceRef", "targetRef"))
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                segment = (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
                crossed = [n for n in p["nodes"] if n not in (source, target) and _overlap(segment, boxes[n])]
                assert not crossed, (flow, crossed)


def _ref(xml: bytes, flow: str, end: str) -> str:
    return etree.fromstring(xml).find(f".//bpmn:sequenceFlow[@id='{flow}']", NS).get(end)


def _without_diagrams(xml: bytes) -> list[bytes]:
    """Canonical XML of everything but the diagrams, element by element."""
    root = etree.fromstring(xml)
    return [etree.tostring(child, method="c14n") for child in root
            if child.tag != f"{{{NS['bpmndi']}}}BPMNDiagram"] + [repr(sorted(root.attrib.items())).encode()]


@pytest.fixture(scope="module")
def lifecycle() -> bytes:
    return LIFECYCLE.read_bytes()


@pytest.mark.parametrize("name", ["lifecycle", "synthetic"])
def test_the_diagram_has_every_node_and_flow_once_without_overlaps_and_inside_the_lanes(
        name: str, lifecycle: bytes) -> None:
    assert_well_formed_diagram(layout_bpmn(lifecycle if name == "lifecycle" else SYNTHETIC))


def test_the_main_plane_is_the_collaboration_with_a_pool_around_lanes_in_document_order() -> None:
    root = etree.fromstring(layout_bpmn(SYNTHETIC))
    diagrams = root.findall("bpmndi:BPMNDiagram", NS)
    assert [d.find("bpmndi:BPMNPlane", NS).get("bpmnElement") for d in diagrams] == ["collab", "archive"]
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    pool, clerk, boss = (_bounds(shapes[i]) for i in ("pool", "clerk", "boss"))
    assert shapes["pool"].get("isHorizontal") == "true"
    assert _inside(clerk, pool) and _inside(boss, pool) and clerk[1] + clerk[3] == boss[1]
    assert _inside(_bounds(shapes["done"]), pool)  # in no lane: a band of its own inside the pool
    assert not _overlap(_bounds(shapes["done"]), boss)


def test_columns_follow_the_longest_path_and_boundary_events_sit_on_their_task() -> None:
    shapes = {s.get("bpmnElement"): _bounds(s) for s in etree.fromstring(layout_bpmn(SYNTHETIC)).iterfind(
        ".//bpmndi:BPMNShape", NS)}
    centre = {node: box[0] + box[2] / 2 for node, box in shapes.items()}
    order = ["start", "review", "decide", "split", "step_one", "step_two", "merge", "approve", "archive", "done"]
    assert [centre[n] for n in order] == sorted(centre[n] for n in order)
    assert centre["fix"] == centre["split"]  # both one step after the gateway; the loop back does not count
    assert centre["late"] == centre["approve"] and centre["chase"] == centre["archive"]
    late, approve = shapes["late"], shapes["approve"]
    assert late[1] + late[3] / 2 == approve[1] + approve[3]  # centred on the bottom edge


def test_the_subprocess_is_collapsed_with_its_own_plane() -> None:
    root = etree.fromstring(layout_bpmn(SYNTHETIC))
    main, sub = root.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert main.find("bpmndi:BPMNShape[@bpmnElement='archive']", NS).get("isExpanded") == "false"
    assert {s.get("bpmnElement") for s in sub.iterfind("bpmndi:BPMNShape", NS)} == {
        "archive_start", "file", "filed", "archive_end"}
    assert main.find("bpmndi:BPMNShape[@bpmnElement='file']", NS) is None


@pytest.mark.parametrize(("name", "loops"), [("synthetic", LOOPS), ("lifecycle", LIFECYCLE_LOOPS)])
def test_loops_run_back_leftwards_below_the_nodes_of_their_lane(name: str, loops: set[str], lifecycle: bytes) -> None:
    xml = layout_bpmn(lifecycle if name == "lifecycle" else SYNTHETIC)
    seen = set()
    for p in _planes(xml):
        boxes = {element_id: _bounds(shape) for element_id, shape in p["shapes"]}
        lane_ids = {lane for _, _, lane in p["nodes"].values()} - {None}
        lanes = [boxes[lane] for lane in lane_ids] or [(-1e9, -1e9, 2e9, 2e9)]
        for flow, edge in ((flow, edge) for flow, edge in p["edges"] if flow in loops):
            seen.add(flow)
            points = _waypoints(edge)
            (sx, sy, sw, sh), (tx, ty, _, th) = (boxes[_ref(xml, flow, end)] for end in ("sourceRef", "targetRef"))
            assert points[0][1] == sy + sh or points[0][0] == sx + sw, flow  # leaves from the bottom or the right
            assert points[-1][1] == ty + th or points[-1][0] == tx, flow  # enters from the bottom or the left
            lowest = max(y for _, y in points)
            runs = [(x0, x1) for (x0, y0), (x1, y1) in itertools.pairwise(points) if y0 == y1 == lowest]
            assert len(runs) == 1 and runs[0][0] > runs[0][1], flow
            lane = next(lane for lane in lanes if lane[1] <= lowest <= lane[1] + lane[3])
            below = [n for n in p["nodes"] if _inside(boxes[n], lane) and boxes[n][1] + boxes[n][3] >= lowest]
            assert not below, (flow, below)
    assert seen == loops


def test_flow_names_get_labels_and_forward_flows_go_right_middle_to_left_middle() -> None:
    xml = layout_bpmn(SYNTHETIC)
    root = etree.fromstring(xml)
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    assert {flow for flow, e in edges.items() if e.find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None} == {
        "incomplete", "retry", "again", "ok", "short_way", "s3"}
    shapes = {s.get("bpmnElement"): _bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    for flow in ("f2", "ok", "short_way", "f5", "f8"):
        (sx, sy), (tx, ty) = _waypoints(edges[flow])[0], _waypoints(edges[flow])[-1]
        source, target = (shapes[_ref(xml, flow, end)] for end in ("sourceRef", "targetRef"))
        assert (sx, sy) == (source[0] + source[2], source[1] + source[3] / 2)
        assert (tx, ty) == (target[0], target[1] + target[3] / 2)
    (bx, by), *_ = _waypoints(edges["f6"])
    late = shapes["late"]
    assert (bx, by) == (late[0] + late[2] / 2, late[1] + late[3])  # a boundary flow leaves from the bottom


@pytest.mark.parametrize("name", ["lifecycle", "synthetic"])
def test_same_input_same_bytes_and_laying_out_again_changes_nothing(name: str, lifecycle: bytes) -> None:
    xml = lifecycle if name == "lifecycle" else SYNTHETIC
    once = layout_bpmn(xml)
    assert layout_bpmn(xml) == once
    assert layout_bpmn(once) == once


def test_the_committed_lifecycle_diagram_is_up_to_date(lifecycle: bytes) -> None:
    assert layout_bpmn(lifecycle) == lifecycle, "run: gridcase process layout workflows/case_lifecycle.bpmn"


@pytest.mark.parametrize("name", ["lifecycle", "synthetic"])
def test_only_the_diagrams_change(name: str, lifecycle: bytes) -> None:
    xml = lifecycle if name == "lifecycle" else SYNTHETIC
    out = layout_bpmn(xml)
    assert _without_diagrams(out) == _without_diagrams(xml)
    before = [etree.tostring(p, method="c14n") for p in etree.fromstring(xml).iterfind("bpmn:process", NS)]
    assert [etree.tostring(p, method="c14n") for p in etree.fromstring(out).iterfind("bpmn:process", NS)] == before
    assert b'id="stale' not in out


def test_the_bytes_outside_the_diagram_are_kept_as_written() -> None:
    bare = re.sub(rb"  <bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>\n", b"", SYNTHETIC, flags=re.S)
    out = layout_bpmn(bare)
    end = bare.rindex(b"</bpmn:definitions>")
    assert out.startswith(bare[:end]) and out.endswith(bare[end:])
    assert len(etree.fromstring(out).findall("bpmndi:BPMNDiagram", NS)) == 2


def test_spiffworkflow_reads_the_same_process_from_the_laid_out_lifecycle(lifecycle: bytes) -> None:
    """SpiffWorkflow lists a gateway's outgoing flows by the diagram's y, so their order in the stored spec
    follows the lanes; the lifecycle's gateways have at most one condition or exclusive ones, so only that
    order may differ."""
    from engine.bpmn.specs import parse_bundles

    rules = {path.name: path.read_text("utf-8") for path in (ROOT / "rules").glob("*.dmn")}
    bare = etree.fromstring(lifecycle)
    for diagram in bare.findall("bpmndi:BPMNDiagram", NS):
        bare.remove(diagram)

    def spec(text: str) -> dict:
        serialized = json.loads(parse_bundles({**rules, "case_lifecycle.bpmn": text})[0].spec_json)
        for task_specs in [serialized["spec"]["task_specs"]] + [
                s["task_specs"] for s in serialized["subprocess_specs"].values()]:
            for task_spec in task_specs.values():
                for key in ("outputs", "cond_task_specs"):
                    task_spec[key] = sorted(task_spec.get(key) or [], key=json.dumps)
        return serialized

    assert spec(lifecycle.decode("utf-8")) == spec(etree.tostring(bare, encoding="unicode"))


def test_cli_check_lists_stale_files_and_layout_rewrites_them(tmp_path: Path) -> None:
    path = tmp_path / "office.bpmn"
    path.write_bytes(SYNTHETIC)
    runner = CliRunner()
    checked = runner.invoke(cli, ["process", "layout", "--check", str(path)])
    assert checked.exit_code == 1 and str(path) in checked.output
    assert path.read_bytes() == SYNTHETIC
    laid_out = runner.invoke(cli, ["process", "layout", str(tmp_path)])
    assert laid_out.exit_code == 0, laid_out.output
    assert path.read_bytes() == layout_bpmn(SYNTHETIC)
    again = runner.invoke(cli, ["process", "layout", "--check", str(path), str(LIFECYCLE)])
    assert again.exit_code == 0 and again.output == ""


def test_cli_reports_a_file_that_is_not_bpmn(tmp_path: Path) -> None:
    path = tmp_path / "broken.bpmn"
    path.write_text("<bpmn:definitions", "utf-8")
    result = CliRunner().invoke(cli, ["process", "layout", str(path)])
    assert result.exit_code == 1 and "broken.bpmn" in result.output
