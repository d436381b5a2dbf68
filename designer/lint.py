"""Lint BPMN/DMN files before deployment: every problem is named by file and element, none is raised.

gridcase's rules read the XML, so a model from another tool is reported element by element; then the files
are parsed exactly as deployment parses them (an engine problem on an element already reported is dropped)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from designer.engine_lint import engine_property_findings
from designer.feel_lint import dmn_feel_findings
from designer.imports import has_executable_process, import_findings
from designer.service_tasks import service_task_findings, worker_attribute
from engine.bpmn import iso8601, timers
from engine.bpmn.feel_expressions import feel_problem, is_feel
from engine.bpmn.foreign import is_bpmn_file, is_model_file
from engine.bpmn.form_files import form_problems
from engine.bpmn.juel import is_juel
from engine.bpmn.milestones import lint_milestones
from engine.bpmn.parse_errors import explain
from engine.bpmn.sandbox import compile_sandboxed
from engine.bpmn.specs import GridcaseParser
from engine.bpmn.starters import is_starter_attribute
from engine.bpmn.step_limits import lint_step_limits
from engine.bpmn.support import unsupported

ERROR, WARNING = "error", "warning"
BPMN, SPIFF = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}
OWN_NAMESPACES = {BPMN, SPIFF, "http://www.w3.org/2001/XMLSchema-instance"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
FLOW_NODES = EVENTS | ACTIVITIES | GATEWAYS
UNSUPPORTED = {
    "complexGateway": "complex gateways are not supported; use exclusive, inclusive or parallel gateways"}
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
TIMER_CHECKS: dict[str, Callable[[str], object]] = {  # in SpiffWorkflow's lookup order
    "timeDate": iso8601.parse_iso_datetime, "timeDuration": lambda text: iso8601.iso_duration_delta(text, _REFERENCE),
    "timeCycle": lambda text: iso8601.parse_iso_cycle(text, _REFERENCE)}
Finding = tuple[str | None, str, str]  # element id, severity, message


@dataclass(frozen=True)
class Problem:
    """One lint finding; ``element_id`` (None for a whole file) lets the designer highlight it."""

    file: str
    element_id: str | None
    severity: str  # "error" | "warning"
    message: str


def lint_sources(sources: Mapping[str, str], forms_dir: Path | None = None,
                 forms: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem of .bpmn/.dmn files (forms: as sent in ``forms``, else relative to ``forms_dir`` when given);
    never raises."""
    read = {name: _read(name, text) for name, text in sources.items()}
    problems = [problem for _, problem in read.values() if problem is not None]
    trees = {name: tree for name, (tree, _) in read.items() if tree is not None}
    decisions = {d for name, tree in trees.items() if name.endswith(".dmn")
                 for d in tree.xpath("//*[local-name()='decision']/@id")}
    executable = has_executable_process(tree for name, tree in trees.items() if is_bpmn_file(name))
    for name, tree in trees.items():
        model = _Model(tree, decisions, forms_dir, dict(forms or {}))
        # First, as deployment does: translate Camunda/Flowable expressions in the tree. What it refuses (JUEL
        # beyond the subset, another script language) is not refused again by the sandbox's syntax error.
        imported = import_findings(tree, executable) if is_bpmn_file(name) else []
        refused = {element for element, severity, _ in imported if severity == ERROR}
        problems += [Problem(name, *found) for found in imported]
        problems += [Problem(name, *found) for rule in RULES if is_bpmn_file(name) for found in rule(model)
                     if not (rule in (_scripts, _timers) and found[0] in refused)]
    problems += _engine_problems({name: sources[name] for name in trees}, problems)
    problems += [Problem(name, *found) for name, findings in dmn_feel_findings({n: sources[n] for n in trees}).items()
                 for found in findings]  # FEEL syntax and names of every decision (designer.feel_lint)
    return sorted(set(problems), key=lambda p: (p.file, p.element_id or "", p.severity, p.message))


def _read(name: str, text: str) -> tuple[Any, Problem | None]:
    if not is_model_file(name):
        return None, Problem(name, None, ERROR, "only .bpmn (or .bpmn20.xml) and .dmn files can be deployed")
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError) as exc:
        return None, Problem(name, None, ERROR, f"not well-formed XML: {type(exc).__name__}: {exc}")
    tag, bpmn = etree.QName(root), is_bpmn_file(name)
    if tag.localname != "definitions" or (bpmn and tag.namespace != BPMN):
        return None, Problem(name, None, ERROR, f"not a {'BPMN 2.0' if bpmn else 'DMN'} file (root {tag.localname})")
    return root, None


@dataclass
class _Model:
    root: Any
    decisions: set[str]
    forms_dir: Path | None
    forms: dict[str, str]  # forms sent with the files: reference → text

    def all(self, *tags: str) -> list[Any]:
        return [el for tag in tags for el in self.root.iter(f"{{{BPMN}}}{tag}")]


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _props(el: Any) -> dict[str, str]:
    found = el.xpath("./bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)
    return {p.get("name"): p.get("value") or "" for p in found}


def _text(el: Any, path: str) -> str:
    found = el.xpath(path, namespaces=NS)
    return (found[0].text or "").strip() if found else ""


def _refused(source: str, mode: str) -> str | None:
    """Why the sandbox refuses ``source`` (None when it compiles; JUEL is reported by designer.imports); an
    expression written ``=…`` is FEEL (engine.bpmn.feel_expressions): its syntax error with line and column."""
    if is_juel(source):
        return None
    if mode == "eval" and is_feel(source):
        return feel_problem(source)
    try:
        compile_sandboxed(source, mode)
    except SyntaxError as exc:  # often another tool's expression language: show the text and say what runs
        return (f"{source.strip()[:80]!r} is not Python ({exc.msg}, line {exc.lineno}): gridcase runs Python "
                "expressions and scripts (JUEL ${…} is translated, =… is FEEL); rewrite it in Python or FEEL")
    except Exception as exc:  # SandboxViolation, ValueError (null bytes): all are refusals
        return f"{type(exc).__name__}: {exc}"
    return None


def _constructs(model: _Model) -> Iterator[Finding]:
    for el in model.all(*FLOW_NODES, "process", "sequenceFlow"):
        element = el.get("id")
        if _local(el) in UNSUPPORTED:
            yield element, ERROR, UNSUPPORTED[_local(el)]
        prefixes = {uri: prefix for prefix, uri in el.nsmap.items()}
        names = [etree.QName(key) for key in el.attrib if key.startswith("{")]
        names += [etree.QName(child) for child in el.xpath("./bpmn:extensionElements/*", namespaces=NS)]
        ignored = sorted({f"{prefixes.get(n.namespace, n.namespace)}:{n.localname}" for n in names
                          if n.namespace not in OWN_NAMESPACES and not worker_attribute(el, n)
                          and not is_starter_attribute(el, n)})  # signavio: …
        if ignored:
            yield element, WARNING, "ignored by gridcase: " + ", ".join(ignored)


def _human_tasks(model: _Model) -> Iterator[Finding]:
    lanes = {ref.text: ref.getparent().get("name") for ref in model.all("flowNodeRef")}  # as SpiffWorkflow reads
    for task in model.all("userTask", "manualTask"):
        task_id, props = task.get("id"), _props(task)
        group = props.get("candidateGroups") or props.get("candidateGroup")
        refused = _refused(group, "eval") if is_feel(group) else None
        if refused:
            yield task_id, ERROR, f"candidateGroups expression refused: {refused}"
        elif not group and lanes.get(task_id):
            yield task_id, WARNING, f"no candidateGroups property: the lane name {lanes[task_id]!r} is the group"
        elif not group:
            hint = " (camunda:candidateGroups is not read)" if any("candidateGroups" in a for a in task.attrib) else ""
            yield task_id, WARNING, f"no candidate group: add a candidateGroups property or a lane{hint}"
        form = props.get("form") or props.get("formKey")
        yield from ((task_id, *found) for found in form_problems(form, model.forms, model.forms_dir)) if form else ()
    for start in model.all("startEvent"):  # a start form is stored and checked like a task's (engine.bpmn.starters)
        form = _props(start).get("form") or _props(start).get("formKey")
        found = form_problems(form, model.forms, model.forms_dir) if form else iter(())
        yield from ((start.get("id"), *problem) for problem in found)


def _scripts(model: _Model) -> Iterator[Finding]:
    sources = [(el, "script", "./bpmn:script", "exec") for el in model.all("scriptTask")]
    sources += [(el, label, f"./bpmn:extensionElements/spiff:{tag}", "exec") for el in model.all(*ACTIVITIES)
                for label, tag in (("pre-script", "preScript"), ("post-script", "postScript"))]
    sources += [(el, "condition", "./bpmn:conditionExpression", "eval") for el in model.all("sequenceFlow")]
    loops = (("loop cardinality", "loopCardinality"), ("completion condition", "completionCondition"))
    sources += [(el, label, f"./bpmn:multiInstanceLoopCharacteristics/bpmn:{tag}", "eval")
                for el in model.all(*ACTIVITIES) for label, tag in loops]
    sources += [(el, "condition", "./bpmn:conditionalEventDefinition/bpmn:condition", "eval")
                for el in model.all(*EVENTS)]
    for el, label, path, mode in sources:
        source = _text(el, path)
        refused = _refused(source, mode) if source else None
        if refused:
            yield el.get("id"), ERROR, f"{label} refused: {refused}"


def _timers(model: _Model) -> Iterator[Finding]:
    for definition in model.all("timerEventDefinition"):
        event_id = definition.getparent().get("id")
        kind = next((k for k in TIMER_CHECKS if definition.find(f"{{{BPMN}}}{k}") is not None), "timeDuration")
        text = definition.findtext(f"{{{BPMN}}}{kind}") or ""  # none given: "has an empty expression"
        try:  # a literal must parse; anything else must be a Python expression
            timers.validate_timer_expression(event_id, TIMER_CHECKS[kind], text)
        except ValueError as exc:
            yield event_id, ERROR, str(exc)
            continue
        refused = None if iso8601.is_iso_literal(text) else _refused(text, "eval")
        if refused:
            yield event_id, ERROR, f"timer {event_id!r}: expression refused: {refused}"


def _decisions(model: _Model) -> Iterator[Finding]:
    for task in model.all("businessRuleTask"):
        decision = _text(task, "./bpmn:extensionElements/spiff:calledDecisionId")
        if not decision:
            foreign = next((v for k, v in task.attrib.items() if k.endswith("}decisionRef")), None)
            hint = f" (decisionRef {foreign!r} is not read)" if foreign else ""
            yield task.get("id"), ERROR, f"business rule task names no decision (calledDecisionId){hint}"
        elif decision not in model.decisions:
            yield task.get("id"), ERROR, f"decision {decision!r} is not defined in the given DMN files"


def _messages(model: _Model) -> Iterator[Finding]:
    known = set(model.root.xpath("//bpmn:message/@id", namespaces=NS))
    correlated = set(model.root.xpath("//bpmn:correlationPropertyRetrievalExpression/@messageRef", namespaces=NS))
    for el in model.all(*EVENTS, "sendTask", "receiveTask"):
        definition = el.find(f"{{{BPMN}}}messageEventDefinition")
        if definition is None and _local(el) not in ("sendTask", "receiveTask"):
            continue
        ref = (definition if definition is not None else el).get("messageRef")
        if ref not in known:
            yield el.get("id"), ERROR, f"message {ref!r} is not defined (bpmn:message)" if ref else _no_message(el)
        catching = _local(el) in ("intermediateCatchEvent", "boundaryEvent", "receiveTask")
        if catching and ref not in correlated and not _props(el).get("correlateOn", "").strip():
            yield el.get("id"), WARNING, "waits for a message without correlation: add a correlateOn property"


def _no_message(el: Any) -> str:
    named = f"{_local(el)} {el.get('name')!r}" if el.get("name") else _local(el)
    return (f"{named} names no message: add a bpmn:message and point messageRef at it (the properties panel's "
            "message name), so gridcase knows which message it sends or waits for")


def _gateways(model: _Model) -> Iterator[Finding]:
    for gateway in model.all("exclusiveGateway", "inclusiveGateway"):
        gateway_id, default = gateway.get("id"), gateway.get("default")
        flows = [f for f in gateway.getparent() if _local(f) == "sequenceFlow" and f.get("sourceRef") == gateway_id]
        if default and default not in {f.get("id") for f in flows}:
            yield gateway_id, ERROR, f"default flow {default!r} does not leave this gateway"
        for flow in flows if len(flows) > 1 else []:
            conditioned = bool(_text(flow, "./bpmn:conditionExpression"))
            if flow.get("id") == default and conditioned:
                yield flow.get("id"), WARNING, f"default flow of {gateway_id} has a condition, which is ignored"
            elif flow.get("id") != default and not conditioned:
                yield flow.get("id"), ERROR, f"leaves gateway {gateway_id} without a condition and is not its default"


def _flows(model: _Model) -> Iterator[Finding]:
    """Per (sub)process: flows connect its own nodes, every node is reached, every path ends in an end event."""
    for scope in model.all("process", "subProcess", "transaction"):  # ad hoc subprocesses have no paths
        nodes = {el.get("id"): el for el in scope if _local(el) in FLOW_NODES}
        flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef")) for f in scope if _local(f) == "sequenceFlow"]
        dangling = [(i, ERROR, f"connects {a!r} to {b!r}, not both in this (sub)process") for i, a, b in flows
                    if a not in nodes or b not in nodes]
        yield from dangling
        edges = {node: {b for _, a, b in flows if a == node and b in nodes} for node in nodes}
        dead_ends = [i for i, targets in edges.items() if not targets and not _exempt(nodes[i], end=True)]
        for boundary in (el for el in nodes.values() if _local(el) == "boundaryEvent"):
            attached = boundary.get("attachedToRef")
            edges.setdefault(attached if attached in nodes else "", set()).add(boundary.get("id"))  # stray: root ""
            if attached not in nodes:
                yield boundary.get("id"), ERROR, f"attached to {attached!r}, which is no activity of this (sub)process"
        starts = [i for i, el in nodes.items() if _local(el) == "startEvent"]
        if nodes and not starts:
            yield scope.get("id"), ERROR, "has no start event"
        if dangling or not starts:  # what is unreachable then follows from the problem already reported
            continue
        reached = _walk(["", *starts, *(i for i, el in nodes.items() if _exempt(el))], edges)
        yield from ((i, ERROR, "cannot be reached from a start event") for i in nodes if i not in reached)
        yield from ((i, ERROR, "has no outgoing flow (a dead end): lead it to an end event") for i in dead_ends)


def _exempt(el: Any, *, end: bool = False) -> bool:
    """Needs no incoming flow (event subprocess, compensation, link catch); ``end``: nor an outgoing one."""
    tag, link = _local(el), el.find(f"{{{BPMN}}}linkEventDefinition") is not None
    ends = end and (tag in ("endEvent", "boundaryEvent") or (link and tag == "intermediateThrowEvent"))
    return ends or (link and tag == "intermediateCatchEvent") or "true" in (el.get("triggeredByEvent"),
                                                                             el.get("isForCompensation"))


def _walk(starts: list[str], edges: dict[str, set[str]]) -> set[str]:
    reached, todo = set(starts), list(starts)
    while todo:
        new = edges.get(todo.pop(), set()) - reached
        reached, todo = reached | new, todo + sorted(new)
    return reached


RULES: tuple[Callable[[_Model], Iterator[Finding]], ...] = (
    _constructs, _human_tasks, _scripts, _timers, _decisions, _messages, _gateways, _flows,
    lambda model: lint_milestones(model.all("process")),  # a lifecycle declares what facts and KPIs read
    lambda model: lint_step_limits(model.all("process"), model.decisions),  # docs/step-limits.md
    lambda model: service_task_findings(model.root),  # each needs a topic: a job for an external worker
    lambda model: engine_property_findings(model.root))  # retries, http calls, error/signal/escalation refs


def _engine_problems(sources: Mapping[str, str], earlier: list[Problem]) -> list[Problem]:
    """Parse as :func:`engine.bpmn.specs.parse_bundles` does; problems on elements not reported yet."""
    parser, found, failures = GridcaseParser(), [], []
    for name in sorted(sources, key=is_bpmn_file):  # DMN first
        add = parser.add_bpmn_str if is_bpmn_file(name) else parser.add_dmn_str
        try:
            add(sources[name].encode("utf-8"), filename=name)
        except Exception as exc:  # lxml and SpiffWorkflow raise many kinds; each is one problem
            failures.append((name, exc))
    for process_id in sorted(parser.get_process_ids()):
        file_name = parser.process_parsers[process_id].filename or ""
        try:
            texts = unsupported(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
        except Exception as exc:  # the spec build fails in many ways
            failures.append((file_name, exc))
            continue
        found += [Problem(file_name, element, ERROR, message) for element, _, message in
                  (text.partition(": ") for text in texts) if " refused: " not in message]  # _scripts has those
    for file_name, failure in failures:  # in the designer's words, naming the element (engine.bpmn.parse_errors)
        file_name = getattr(failure, "file_name", None) or file_name
        found.append(Problem(file_name, *_explained(failure, file_name)))
    flagged = {(p.file, p.element_id) for p in earlier if p.severity == ERROR}
    return [p for p in found if (p.file, p.element_id) not in flagged]


def _explained(failure: BaseException, file_name: str) -> tuple[str | None, str, str]:
    element, message = explain(failure, file_name)
    return element, ERROR, message
