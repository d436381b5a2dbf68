"""What changed between two versions of a BPMN or DMN file, element by element.

BPMN elements (flow nodes, sequence flows, lanes, messages, processes, …) are matched by id and compared on
what they mean: name, flow source and target, timer, condition, script, candidate groups and the other
properties. The diagram interchange (bpmndi: shapes, edges, waypoints) is not part of the meaning: a pure
re-layout has no changes and says ``layout_only``. DMN decisions are compared rule by rule (by rule id).

An empty text stands for an empty model, so a file that one version lacks diffs as "everything added".
Only lxml is used: nothing here needs a parsed SpiffWorkflow spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
FLOW_NODES = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "implicitThrowEvent",
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
})
TRACKED = FLOW_NODES | {
    "process", "sequenceFlow", "lane", "message", "signal", "error", "escalation", "participant", "messageFlow",
    "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation", "association",
}
IMPLIED = frozenset({"incoming", "outgoing"})  # repeated by the sequence flows themselves
ATTRIBUTE_LABELS = {"sourceRef": "flow source", "targetRef": "flow target", "attachedToRef": "attached to",
                    "cancelActivity": "interrupting", "default": "default flow", "isExecutable": "executable",
                    "processRef": "process", "messageRef": "message", "calledElement": "called process",
                    "triggeredByEvent": "event subprocess"}
CHILD_LABELS = {"conditionExpression": "condition", "condition": "condition", "script": "script",
                "documentation": "documentation", "calledDecisionId": "decision", "preScript": "pre-script",
                "postScript": "post-script", "instructionsForEndUser": "instructions"}
OPAQUE = frozenset({"condition", "script", "documentation", "pre-script", "post-script", "instructions",
                    "expression", "description"})
TIMERS = frozenset({"timeDate", "timeDuration", "timeCycle"})
EVENT_REFS = ("messageRef", "signalRef", "errorRef", "escalationRef", "name")
SHORT = 80

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)

Canon = tuple[Any, ...]
Facets = dict[str, Any]


class VersionDiffError(ValueError):
    """A text that is not well-formed XML."""


@dataclass
class _Element:
    id: str
    type: str
    name: str | None
    facets: Facets
    canon: Canon


@dataclass
class _Decision:
    id: str
    name: str | None
    facets: Facets
    canon: Canon
    rules: dict[str, Facets] = field(default_factory=dict)


def _parse(xml: str) -> etree._Element | None:
    if not xml.strip():
        return None
    try:
        return etree.fromstring(xml.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, UnicodeEncodeError) as exc:
        raise VersionDiffError(f"not well-formed XML: {exc}") from None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _tracked(element: etree._Element) -> bool:
    return (isinstance(element.tag, str) and etree.QName(element).namespace == BPMN_NS
            and etree.QName(element).localname in TRACKED and bool(element.get("id")))


def _own_children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements that belong to ``element``'s own definition (not tracked elements, not implied refs)."""
    for child in element:
        if isinstance(child.tag, str) and not _tracked(child) and _local(child) not in IMPLIED:
            yield child


def _own_descendants(element: etree._Element) -> Iterator[etree._Element]:
    for child in _own_children(element):
        yield child
        yield from _own_descendants(child)


def _canon(element: etree._Element, keep_ids: bool = False) -> Canon:
    """A comparable form of the element and its own children: attributes (ids aside), trimmed texts."""
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if keep_ids or k != "id"))
    children = element if keep_ids else _own_children(element)
    return (element.tag, attributes, (element.text or "").strip(),
            tuple(_canon(child, keep_ids) for child in children if isinstance(child.tag, str)))


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= SHORT else text[:SHORT - 1] + "…"


def _attribute_facets(element: etree._Element, facets: Facets) -> None:
    for key, value in element.attrib.items():
        local = etree.QName(key).localname
        if local not in ("id", "name"):
            facets[ATTRIBUTE_LABELS.get(local, local)] = value


def _event_definition(child: etree._Element) -> str:
    kind = _local(child).removesuffix("EventDefinition")
    refs = [child.get(ref) for ref in EVENT_REFS if child.get(ref)]
    return " ".join([kind, *[str(ref) for ref in refs]])


def _detail_facet(child: etree._Element, facets: Facets) -> None:
    """Record what one own descendant says (timers, conditions, scripts, properties, event kinds, lane members)."""
    local = _local(child)
    text = (child.text or "").strip()
    if local in TIMERS:
        facets["timer"], facets["timer kind"] = text, local
    elif local.endswith("EventDefinition"):
        facets["event"] = ", ".join(filter(None, [facets.get("event"), _event_definition(child)]))
    elif local == "property" and child.get("name"):
        facets[str(child.get("name"))] = child.get("value")
    elif local == "flowNodeRef":
        facets["members"] = facets.get("members", frozenset()) | {text}
    elif local in CHILD_LABELS:
        facets[CHILD_LABELS[local]] = text


def _describe(element: etree._Element) -> _Element:
    facets: Facets = {"name": element.get("name")}
    _attribute_facets(element, facets)
    for child in _own_descendants(element):
        _detail_facet(child, facets)
    return _Element(str(element.get("id")), _local(element), element.get("name"), facets, _canon(element))


def _bpmn_elements(root: etree._Element | None) -> dict[str, _Element]:
    if root is None:
        return {}
    return {str(el.get("id")): _describe(el) for el in root.iter() if _tracked(el)}


def _layout(root: etree._Element | None) -> Canon:
    if root is None:
        return ()
    return tuple(_canon(el, keep_ids=True) for el in root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram"))


def _quoted(value: Any) -> str:
    return "(none)" if value is None else f"'{_short(value)}'"


def _change(label: str, old: Any, new: Any) -> str:
    """One human-readable difference."""
    if isinstance(old, frozenset) or isinstance(new, frozenset):
        before, after = old or frozenset(), new or frozenset()
        parts = [f"+{m}" for m in sorted(after - before)] + [f"-{m}" for m in sorted(before - after)]
        return f"{label}: {', '.join(parts)}"
    if label in OPAQUE:
        return f"{label} added" if old is None else f"{label} removed" if new is None else f"{label} changed"
    if label == "name":
        return f"name: {_quoted(old)} → {_quoted(new)}"
    return f"{label}: {'(none)' if old is None else _short(old)} → {'(none)' if new is None else _short(new)}"


def _facet_changes(old: Facets, new: Facets) -> list[str]:
    return [_change(label, old.get(label), new.get(label))
            for label in dict.fromkeys([*old, *new]) if old.get(label) != new.get(label)]


def _element_changes(old: _Element, new: _Element) -> list[str]:
    changes = [f"type: {old.type} → {new.type}"] if old.type != new.type else []
    changes += _facet_changes(old.facets, new.facets)
    if not changes and old.canon != new.canon:
        changes.append("details changed")
    return changes


def _summary(element: _Element) -> dict[str, Any]:
    return {"id": element.id, "type": element.type, "name": element.name}


def diff_bpmn(old_xml: str, new_xml: str) -> dict[str, Any]:
    """``{added, removed, changed, layout_changed, layout_only}``; entries are ``{id, type, name}``, changed ones
    with ``changes`` (e.g. ``"name: 'A' → 'B'"``, ``"timer: PT4H → PT2H"``, ``"script changed"``).

    Raises VersionDiffError when a text is not well-formed XML."""
    old_root, new_root = _parse(old_xml), _parse(new_xml)
    old, new = _bpmn_elements(old_root), _bpmn_elements(new_root)
    added = [_summary(e) for key, e in new.items() if key not in old]
    removed = [_summary(e) for key, e in old.items() if key not in new]
    changed = []
    for key, element in new.items():
        if key in old and (changes := _element_changes(old[key], element)):
            changed.append({**_summary(element), "changes": changes})
    layout_changed = _layout(old_root) != _layout(new_root)
    return {"added": added, "removed": removed, "changed": changed, "layout_changed": layout_changed,
            "layout_only": layout_changed and not (added or removed or changed)}


def _child(element: etree._Element, local: str) -> etree._Element | None:
    return next((c for c in element if _local(c) == local), None)


def _children(element: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == local]


def _text_of(element: etree._Element | None) -> str:
    """The text of an entry or expression (its ``text`` child in DMN)."""
    if element is None:
        return ""
    inner = _child(element, "text")
    return ((inner.text if inner is not None else element.text) or "").strip()


def _columns(table: etree._Element) -> tuple[list[str], list[str]]:
    inputs = [c.get("label") or _text_of(_child(c, "inputExpression")) or f"#{i + 1}"
              for i, c in enumerate(_children(table, "input"))]
    outputs = [c.get("name") or c.get("label") or f"#{i + 1}" for i, c in enumerate(_children(table, "output"))]
    return inputs, outputs


def _rule_facets(rule: etree._Element, inputs: list[str], outputs: list[str]) -> Facets:
    facets: Facets = {}
    for kind, labels in (("input", inputs), ("output", outputs), ("annotation", [])):
        for i, entry in enumerate(_children(rule, f"{kind}Entry")):
            facets[f"{kind} {labels[i] if i < len(labels) else f'#{i + 1}'}"] = _text_of(entry)
    description = _child(rule, "description")
    if description is not None:
        facets["description"] = (description.text or "").strip()
    return facets


def _decision(element: etree._Element) -> _Decision:
    facets: Facets = {"name": element.get("name")}
    decision = _Decision(str(element.get("id")), element.get("name"), facets, ())
    table = _child(element, "decisionTable")
    if table is None:
        decision.canon = _canon(element)
        literal = _child(element, "literalExpression")
        facets["expression"] = _text_of(literal) if literal is not None else None
        return decision
    inputs, outputs = _columns(table)
    facets["hit policy"] = table.get("hitPolicy") or "UNIQUE"
    facets["aggregation"] = table.get("aggregation")
    for i, column in enumerate(_children(table, "input")):
        facets[f"input {i + 1}"] = _text_of(_child(column, "inputExpression"))
        facets[f"input {i + 1} values"] = _text_of(_child(column, "inputValues")) or None
    for i, column in enumerate(_children(table, "output")):
        facets[f"output {i + 1}"] = outputs[i]
        facets[f"output {i + 1} values"] = _text_of(_child(column, "outputValues")) or None
    for index, rule in enumerate(_children(table, "rule")):
        decision.rules[rule.get("id") or f"#{index + 1}"] = _rule_facets(rule, inputs, outputs)
    return decision


def _decisions(root: etree._Element | None) -> dict[str, _Decision]:
    if root is None:
        return {}
    return {str(el.get("id")): _decision(el) for el in root.iter() if _local(el) == "decision" and el.get("id")}


def _rule_diff(old: _Decision, new: _Decision) -> dict[str, Any]:
    changed = [{"id": key, "changes": _facet_changes(old.rules[key], facets)}
               for key, facets in new.rules.items() if key in old.rules and old.rules[key] != facets]
    return {"added": [key for key in new.rules if key not in old.rules],
            "removed": [key for key in old.rules if key not in new.rules], "changed": changed}


def diff_dmn(old_xml: str, new_xml: str) -> dict[str, Any]:
    """``{added, removed, changed}`` decisions by id; a changed one has ``changes`` (its table: columns, hit
    policy) and ``rules``: ``{added: [rule ids], removed: [rule ids], changed: [{id, changes}]}``."""
    old, new = _decisions(_parse(old_xml)), _decisions(_parse(new_xml))
    added = [{"id": key, "name": d.name, "rules": len(d.rules)} for key, d in new.items() if key not in old]
    removed = [{"id": key, "name": d.name, "rules": len(d.rules)} for key, d in old.items() if key not in new]
    changed = []
    for key, decision in new.items():
        if key not in old:
            continue
        changes = _facet_changes(old[key].facets, decision.facets)
        if not changes and old[key].canon != decision.canon:
            changes.append("details changed")
        rules = _rule_diff(old[key], decision)
        if changes or any(rules.values()):
            changed.append({"id": key, "name": decision.name, "changes": changes, "rules": rules})
    return {"added": added, "removed": removed, "changed": changed}


def main_process_id(xml: str) -> str | None:
    """The id of the file's executable process (else its first process); None for no process or bad XML."""
    try:
        root = _parse(xml)
    except VersionDiffError:
        return None
    if root is None:
        return None
    processes = list(root.iter(f"{{{BPMN_NS}}}process"))
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    chosen = executable or processes
    return chosen[0].get("id") if chosen else None
