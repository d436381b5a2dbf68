"""Automatic BPMN diagram interchange (DI), so hand-written process files render in bpmn-js. The diagrams are
cut out of the original bytes and fresh ones spliced in: everything else stays exactly as written."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from lxml import etree

NSMAP = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
         "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
BPMN, BPMNDI, DC, DI = (f"{{{uri}}}" for uri in NSMAP.values())
COLUMN, ROW, PAD, HEADER, MARGIN, MIN_BAND = 150, 140, 10, 30, 30, 100
CHANNEL_GAP, LOOP_GAP, POOL_GAP, EVENT_GAP, LEFT, TOP = 14, 62, 40, 40, 100, 60
SIZES = {"start": (36, 36), "event": (36, 36), "gateway": (50, 50), "task": (100, 80), "sub": (100, 80)}
SUBPROCESS_TAGS = ("subProcess", "transaction", "adHocSubProcess")
NODE_SUFFIXES = ("Event", "Gateway", "Task", "task", "callActivity", *SUBPROCESS_TAGS)
# A whole diagram element with its line; the file's other bytes must survive untouched.
DIAGRAM = re.compile(rb"(?:^[ \t]*)?<((?:[\w.-]+:)?)BPMNDiagram\b(?:[^>]*/>|.*?</\1BPMNDiagram\s*>)[ \t]*\r?\n?",
                     re.M | re.S)
Point = tuple[int, int]
Element = etree._Element


@dataclass
class Box:
    x: int
    y: int
    w: int
    h: int

    def __post_init__(self) -> None:
        self.cx, self.cy = self.x + self.w // 2, self.y + self.h // 2
        self.right, self.bottom = self.x + self.w, self.y + self.h

    def hits(self, other: Box) -> bool:
        """Whether the interiors overlap; a zero-width box (a segment) hits what it passes through."""
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass
class Plan:
    """One plane's flow graph and, once laid out, its geometry."""
    nodes: dict[str, str] = field(default_factory=dict)  # id -> kind (a SIZES key), in document order
    names: dict[str, str] = field(default_factory=dict)
    flows: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, source, target, name
    attached: dict[str, str] = field(default_factory=dict)  # boundary event -> its activity
    boxes: dict[str, Box] = field(default_factory=dict)
    bands: list[tuple[int, int]] = field(default_factory=list)  # (top, height) per lane band
    channels: dict[str, int] = field(default_factory=dict)  # back-edge flow id -> y of its channel


def layout_bpmn(xml: bytes) -> bytes:
    """Return ``xml`` with its ``bpmndi:BPMNDiagram`` elements replaced by a generated layout: pools with a band
    per leaf lane, flow nodes in columns by longest-path rank, orthogonal flows with loops routed below the lane's
    nodes; each embedded subprocess drawn collapsed, with a plane of its own (bpmn-js drill-down)."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    stripped, removed = DIAGRAM.subn(b"", xml)
    if removed != len(root.findall(".//" + BPMNDI + "BPMNDiagram")):
        raise ValueError("cannot cut the existing bpmndi:BPMNDiagram elements out of this file")
    collaboration, processes = root.find(BPMN + "collaboration"), root.findall(BPMN + "process")
    if collaboration is None and not processes:
        raise ValueError("no bpmn:process to lay out")
    main, plane = _diagram(processes[0] if collaboration is None else collaboration, collaboration is None)
    by_id, top = {process.get("id"): process for process in processes}, TOP
    for participant in [] if collaboration is None else collaboration.iterfind(BPMN + "participant"):
        top = _draw_pool(plane, participant, by_id.get(participant.get("processRef"), etree.Element("none")), top)
    diagrams = [main, *(_diagram(sub, True)[0] for sub in root.iter(*(BPMN + tag for tag in SUBPROCESS_TAGS)))]
    newline = b"\r\n" if b"\r\n" in xml else b"\n"
    texts = (etree.tostring(diagram, encoding="unicode", pretty_print=True) for diagram in diagrams)
    block = b"".join(f"  {line}".encode() + newline for text in texts for line in text.splitlines())
    end = stripped.rindex(b"</")  # the root's end tag
    line = len(stripped[:end].rstrip(b" \t"))
    if line and stripped[line - 1:line] == b"\n":
        return stripped[:line] + block + stripped[line:]
    return stripped[:end] + newline + block + stripped[end:]


def _diagram(element: Element, plain: bool) -> tuple[Element, Element]:
    """A diagram and its plane for ``element``; ``plain`` lays the element's own nodes out on it, lane-less."""
    element_id = _id(element)
    diagram = etree.Element(BPMNDI + "BPMNDiagram", nsmap={k: v for k, v in NSMAP.items() if k != "bpmn"},
                            id=f"{element_id}_diagram")
    plane = etree.SubElement(diagram, BPMNDI + "BPMNPlane", id=f"{element_id}_plane", bpmnElement=element_id)
    if plain:
        _draw(plane, _plan(element, [], LEFT, TOP)[0])
    return diagram, plane


def _draw_pool(plane: Element, participant: Element, process: Element, top: int) -> int:
    lanes = process.findall(f"{BPMN}laneSet//{BPMN}lane")
    lanes = [lane for lane in lanes if lane.find(BPMN + "childLaneSet") is None]
    header = HEADER * (2 if lanes else 1)
    plan, width = _plan(process, lanes, LEFT + header + MARGIN, top)
    width, height = width + header + 2 * MARGIN, sum(h for _, h in plan.bands)
    _shape(plane, _id(participant), Box(LEFT, top, width, height), isHorizontal="true")
    for lane, (y, h) in zip(lanes, plan.bands, strict=False):
        _shape(plane, _id(lane), Box(LEFT + HEADER, y, width - HEADER, h), isHorizontal="true")
    _draw(plane, plan)
    return top + height + POOL_GAP


def _shape(plane: Element, element_id: str, box: Box, label: Box | None = None, **attrs: str) -> None:
    shape = etree.SubElement(plane, BPMNDI + "BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
    for name, value in attrs.items():
        shape.set(name, value)
    _bounds(shape, box)
    if label is not None:
        _bounds(etree.SubElement(shape, BPMNDI + "BPMNLabel"), label)


def _bounds(parent: Element, box: Box) -> None:
    etree.SubElement(parent, DC + "Bounds", x=str(box.x), y=str(box.y), width=str(box.w), height=str(box.h))


def _draw(plane: Element, plan: Plan) -> None:
    routes = {fid: _route(plan, fid, source, target) for fid, source, target, _ in plan.flows}
    labels: dict[str, Box] = {}
    for event in plan.attached:
        # Right of the event's downward flow, just above its turn: neighbouring events' labels stay apart.
        path = next((routes[fid] for fid, source, _, _ in plan.flows if source == event), [(0, 0)])
        (x0, y0), (_, y1), (x2, _) = (path + path[-1:] * 2)[:3]
        w, h = _text_size(plan.names[event], max(24, x2 - x0 - 10) if x2 > x0 else 90)
        if plan.names[event] and y1 - y0 > h + 8:
            labels[event] = Box(x0 + 6, y1 - h - 4, w, h)
    for node in plan.nodes:
        expanded = {"isExpanded": "false"} if plan.nodes[node] == "sub" else {}
        _shape(plane, node, plan.boxes[node], labels.get(node), **expanded)
    taken = [*plan.boxes.values(), *labels.values()]
    for fid, _, _, name in plan.flows:
        edge = etree.SubElement(plane, BPMNDI + "BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
        for x, y in routes[fid]:
            etree.SubElement(edge, DI + "waypoint", x=str(x), y=str(y))
        if name:
            taken.append(_flow_label(routes[fid], name, taken))
            _bounds(etree.SubElement(edge, BPMNDI + "BPMNLabel"), taken[-1])


def _id(element: Element) -> str:
    """The element's id ("" when it has none: the layout still draws it)."""
    return element.get("id", "")


def _read(container: Element) -> Plan:
    plan = Plan()
    for el in container.iterchildren(BPMN + "*"):
        if (tag := etree.QName(el).localname).endswith(NODE_SUFFIXES):
            kind = "gateway" if tag.endswith("Gateway") else "sub" if tag in SUBPROCESS_TAGS else "task"
            kind = "start" if tag == "startEvent" else "event" if tag.endswith("Event") else kind
            plan.nodes[_id(el)], plan.names[_id(el)] = kind, el.get("name") or ""
            if tag == "boundaryEvent":
                plan.attached[_id(el)] = el.get("attachedToRef", "")
    plan.attached = {event: host for event, host in plan.attached.items() if host in plan.nodes}
    for flow in container.iterfind(BPMN + "sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        if source in plan.nodes and target in plan.nodes:
            plan.flows.append((_id(flow), source, target, flow.get("name") or ""))
    return plan


def _ranks(plan: Plan) -> tuple[dict[str, int], set[str]]:
    """Longest-path column per node, and the flows that close loops (back edges of a DFS from the starts)."""
    out: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for fid, source, target, weight in [(f, s, t, 1) for f, s, t, _ in plan.flows] + [
            (f"@{event}", host, event, 0) for event, host in plan.attached.items()]:
        out[source].append((fid, target, weight))
    # Boundary events go last so that one is only ever entered from its activity.
    roots = [node for node, kind in plan.nodes.items() if kind == "start"]
    roots += sorted(plan.nodes, key=plan.attached.__contains__)
    on_stack, back, order = dict[str, bool](), set[str](), list[str]()

    def visit(node: str) -> None:
        on_stack[node] = True
        for fid, target, _ in out[node]:
            if on_stack.get(target):
                back.add(fid)
            elif target not in on_stack:
                visit(target)
        on_stack[node] = False
        order.append(node)

    for root in (root for root in roots if root not in on_stack):
        visit(root)
    rank = dict.fromkeys(plan.nodes, 0)
    for node in reversed(order):
        for _, target, weight in (edge for edge in out[node] if edge[0] not in back):
            rank[target] = max(rank[target], rank[node] + weight)
    return rank, back


def _rows(plan: Plan, rank: dict[str, int], band: dict[str, int], back: set[str]) -> dict[str, int]:
    """Row of each node in its band: its first same-band predecessor's row when free, else the nearest free one."""
    incoming: dict[str, list[tuple[str, int]]] = defaultdict(list)
    fan_out: dict[str, int] = defaultdict(int)
    for _, source, target, _ in (flow for flow in plan.flows if flow[0] not in back):
        # A boundary event's flow leaves downwards: its target yields the activity's row to a normal successor.
        incoming[target].append((plan.attached.get(source, source), fan_out[source] + (source in plan.attached)))
        fan_out[source] += 1
    row: dict[str, int] = {}

    def wish(node: str) -> tuple[bool, int, int]:
        # A predecessor's first successor gets its row before the others branching off it.
        same = [(i > 0, row[s], i) for s, i in incoming[node] if s in row and band[s] == band[node]]
        return same[0] if same else (False, 0, 0)

    placed = [node for node in plan.nodes if node not in plan.attached]
    for column in sorted({rank[node] for node in placed}):
        taken: set[tuple[int, int]] = set()
        for node in sorted((n for n in placed if rank[n] == column), key=wish):
            want = wish(node)[1]
            free = (r for d in range(len(placed) + 1) for r in (want + d, want - d) if r >= 0)
            row[node] = next(r for r in free if (band[node], r) not in taken)
            taken.add((band[node], row[node]))
    return row


def _plan(container: Element, lanes: list[Element], left: int, top: int) -> tuple[Plan, int]:
    plan = _read(container)
    rank, back = _ranks(plan)
    lane_of = {(ref.text or "").strip(): i for i, lane in reversed(list(enumerate(lanes)))
               for ref in lane.iterfind(BPMN + "flowNodeRef")}
    # Nodes in no lane get a band of their own, below the lanes.
    band = {node: lane_of.get(plan.attached.get(node, node), len(lanes)) for node in plan.nodes}
    row = _rows(plan, rank, band, back)
    channels: dict[int, list[str]] = defaultdict(list)
    for fid, source, target, _ in (flow for flow in plan.flows if flow[0] in back):
        channels[max(band[source], band[target])].append(fid)
    for b in range(max(len(lanes) + (len(lanes) in band.values()), 1)):
        content = top + PAD + max((row[n] + 1 for n in row if band[n] == b), default=0) * ROW
        plan.channels.update({fid: content + i * CHANNEL_GAP + CHANNEL_GAP // 2 for i, fid in enumerate(channels[b])})
        plan.bands.append((top, max(MIN_BAND, content - top + len(channels[b]) * CHANNEL_GAP + PAD)))
        top += plan.bands[-1][1]
    for node, r in row.items():
        w, h = SIZES[plan.nodes[node]]
        cx, cy = left + rank[node] * COLUMN + 50, plan.bands[band[node]][0] + PAD + r * ROW + ROW // 2
        plan.boxes[node] = Box(cx - w // 2, cy - h // 2, w, h)
    _place_boundary_events(plan)
    return plan, (max(rank.values(), default=0) + 1) * COLUMN


def _place_boundary_events(plan: Plan) -> None:
    """Spread boundary events along their activity's bottom edge, past its corners if need be; the one whose flow
    goes deepest sits leftmost, so the flows leaving them downwards do not cross."""
    depth = {source: -plan.boxes[target].cy for _, source, target, _ in reversed(plan.flows) if target in plan.boxes}
    for host in dict.fromkeys(plan.attached.values()):
        host_box, events = plan.boxes[host], [event for event, on in plan.attached.items() if on == host]
        for i, event in enumerate(sorted(events, key=lambda event: depth.get(event, 1))):
            x = host_box.cx + (2 * i + 1 - len(events)) * EVENT_GAP // 2
            plan.boxes[event] = Box(x - 18, host_box.bottom - 18, 36, 36)


def _route(plan: Plan, fid: str, source: str, target: str) -> list[Point]:
    a, b = plan.boxes[source], plan.boxes[target]
    others = [box for node, box in plan.boxes.items() if node not in (source, target)]
    slot = plan.boxes[plan.attached.get(source, source)].cy + ROW // 2  # the gap below the source's row
    if fid in plan.channels:  # a loop: down from the source, along its channel below the lane's nodes, up
        y, (sx, tx) = plan.channels[fid], (a.cx + a.w // 4, b.cx - b.w // 4) if a == b else (a.cx, b.cx)
        head, tail, gap = [(sx, a.bottom), (sx, y)], [(tx, y), (tx, b.bottom)], a.cx + LOOP_GAP
        if not _clear(head, others):  # blocked: through the gap beside the source (a boundary event: below it)
            head = [(sx, a.bottom), (sx, slot), (gap, slot)] if source in plan.attached else [(a.right, a.cy)]
            head += [(gap, head[-1][1]), (gap, y)]
        if not _clear(tail, others):
            tail = [(b.cx - LOOP_GAP, y), (b.cx - LOOP_GAP, b.cy), (b.x, b.cy)]
        return _simplify(head + tail)
    if source in plan.attached:
        direct = [(a.cx, a.bottom), (a.cx, b.cy), (b.x, b.cy)]
        if b.cy > a.bottom and _clear(direct, others):
            return direct
        x = b.cx - COLUMN // 2
        return _simplify([(a.cx, a.bottom), (a.cx, slot), (x, slot), (x, b.cy), (b.x, b.cy)])
    for x in (b.cx - COLUMN // 2, a.cx + COLUMN // 2):
        path = _simplify([(a.right, a.cy), (x, a.cy), (x, b.cy), (b.x, b.cy)])
        if _clear(path, others):
            return path
    x1, x2, y = a.cx + COLUMN // 2, b.cx - COLUMN // 2, a.cy - ROW // 2
    return _simplify([(a.right, a.cy), (x1, a.cy), (x1, y), (x2, y), (x2, b.cy), (b.x, b.cy)])


def _simplify(points: list[Point]) -> list[Point]:
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [p for i, p in enumerate(points) if i in (0, len(points) - 1)
            or not (points[i - 1][0] == p[0] == points[i + 1][0] or points[i - 1][1] == p[1] == points[i + 1][1])]


def _clear(points: list[Point], boxes: list[Box]) -> bool:
    # A few pixels of margin: a line along a gateway's bounding box would seem to run through the diamond.
    segments = [Box(min(x0, x1) - 4, min(y0, y1) - 4, abs(x1 - x0) + 8, abs(y1 - y0) + 8)
                for (x0, y0), (x1, y1) in pairwise(points)]
    return not any(segment.hits(box) for segment in segments for box in boxes)


def _text_size(text: str, room: int = 90) -> tuple[int, int]:
    width, room = sum(12 if ord(char) > 0x2E80 else 6 for char in text), min(room, 90)  # bpmn-js wraps at 90
    return min(width, room), 14 * (1 + width // room)


def _flow_label(points: list[Point], text: str, taken: list[Box]) -> Box:
    """Just before the target (the part of a flow its siblings do not share), else beside its longest segment."""
    w, h = _text_size(text)
    (_, py), (qx, qy) = points[-2:]
    (x0, y0), (x1, y1) = max(pairwise(points), key=lambda s: abs(s[1][0] - s[0][0]) + abs(s[1][1] - s[0][1]))
    beside = Box((x0 + x1) // 2 - w // 2, y0 - h - 4, w, h) if y0 == y1 else Box(x0 + 6, (y0 + y1) // 2 - h // 2, w, h)
    options = [Box(qx - w - 4, qy - h - 2, w, h) if py == qy else Box(qx + 4, qy + 4, w, h), beside]
    return next((o for o in options if not any(o.hits(box) for box in taken)), options[0])
