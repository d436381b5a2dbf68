"""The process lint: each rule names the element at fault; models from other tools are reported element by element."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from designer.lint import Problem, lint_sources
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[2]
LINT_FIXTURES = ROOT / "tests" / "fixtures" / "lint"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">')
DMN = ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
       'id="r" name="r" namespace="t"><decision id="level" name="level"><decisionTable id="t1" hitPolicy="FIRST">'
       '<input id="i1"><inputExpression id="e1" typeRef="number"><text>x</text></inputExpression></input>'
       '<output id="o1" name="level" typeRef="string"/><rule id="r1"><inputEntry id="r1i"><text>-</text></inputEntry>'
       '<outputEntry id="r1o"><text>"low"</text></outputEntry></rule></decisionTable></decision></definitions>')


def flows(*ids: str) -> str:
    """Sequence flows s → ids[0] → … → e."""
    path = ["s", *ids, "e"]
    return "".join(f'<bpmn:sequenceFlow id="to_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairwise(path))


def model(body: str, *path: str, extra: str = "") -> dict[str, str]:
    """One process: a start event, ``body``'s elements chained by ``path``, an end event."""
    return {"p.bpmn": f'{HEAD}{extra}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>{body}'
                      f'{flows(*path)}<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'}


def script(element_id: str, text: str = "x = 1", inner: str = "") -> str:
    return f'<bpmn:scriptTask id="{element_id}">{inner}<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>'


def user(element_id: str, group: str | None = "clerk", form: str | None = None) -> str:
    props = "".join(f'<spiffworkflow:property name="{n}" value="{v}"/>'
                    for n, v in (("candidateGroups", group), ("form", form)) if v is not None)
    ext = f"<bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties>" \
          "</bpmn:extensionElements>" if props else ""
    return f'<bpmn:userTask id="{element_id}">{ext}</bpmn:userTask>'


def found(files: dict[str, str], forms_dir: Path | None = None) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.severity) for p in lint_sources(files, forms_dir)]


def only(files: dict[str, str], forms_dir: Path | None = None) -> Problem:
    (problem,) = lint_sources(files, forms_dir)
    return problem


def test_the_lifecycle_and_its_rules_lint_clean() -> None:
    sources = read_sources([ROOT / "workflows", ROOT / "rules"])
    assert lint_sources(sources, ROOT / "workflows") == []


def test_the_engine_fixtures_have_no_errors() -> None:
    problems = lint_sources(read_sources([ROOT / "tests" / "fixtures" / "bpmn"]))
    assert [p for p in problems if p.severity == "error"] == []


def test_a_clean_minimal_model_has_no_problems() -> None:
    assert found(model(script("work") + user("review"), "work", "review")) == []


def test_a_file_that_is_not_xml_is_one_error_on_the_file() -> None:
    problem = only({"broken.bpmn": "<bpmn:definitions xmlns:bpmn='x'><bpmn:process"})
    assert (problem.file, problem.element_id, problem.severity) == ("broken.bpmn", None, "error")
    assert "XMLSyntaxError" in problem.message


def test_only_bpmn_and_dmn_files_are_linted() -> None:
    assert found({"notes.txt": "hello"}) == [(None, "error")]


@pytest.mark.parametrize(("body", "path", "expected", "words"), [
    (script("run", "import os"), ("run",), ("run", "error"), "script refused"),
    (script("run", inner='<bpmn:extensionElements><spiffworkflow:preScript>x = ().__class__'
                         '</spiffworkflow:preScript></bpmn:extensionElements>'), ("run",), ("run", "error"),
     "pre-script refused"),
    ('<bpmn:serviceTask id="charge"/>', ("charge",), ("charge", "error"), "service task without a topic"),
    (user("review", group="=if x then"), ("review",), ("review", "error"), "candidateGroups expression"),
    (user("review", group=None), ("review",), ("review", "warning"), "no candidate group"),
    ('<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><spiffworkflow:calledDecisionId>missing'
     '</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>', ("decide",),
     ("decide", "error"), "'missing' is not defined"),
    ('<bpmn:task id="stuck"/><bpmn:sequenceFlow id="f" sourceRef="stuck" targetRef="e"/>', (), ("stuck", "error"),
     "cannot be reached"),
])
def test_each_rule_names_its_element(body: str, path: tuple[str, ...], expected: tuple[str, str], words: str) -> None:
    problem = only(model(body, *path))
    assert (problem.element_id, problem.severity) == expected
    assert words in problem.message


def test_a_task_only_in_a_lane_is_a_warning_naming_the_lane() -> None:
    lanes = ('<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="clerks"><bpmn:flowNodeRef>review</bpmn:flowNodeRef>'
             '</bpmn:lane></bpmn:laneSet>')
    problem = only(model(lanes + user("review", group=None), "review"))
    assert (problem.element_id, problem.severity) == ("review", "warning") and "'clerks'" in problem.message


def test_a_known_decision_is_fine() -> None:
    body = ('<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><spiffworkflow:calledDecisionId>level'
            '</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>')
    assert found({**model(body, "decide"), "rules.dmn": DMN}) == []


def _timer(text: str, kind: str = "timeDuration") -> dict[str, str]:
    return model(f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:{kind}>{text}'
                 f'</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>', "wait")


@pytest.mark.parametrize(("text", "kind"), [("PT", "timeDuration"), ("2026-13-45T10:00:00", "timeDate"),
                                            ("R3/PTX", "timeCycle"), ("PT4H +", "timeDuration"),
                                            ("due.__class__", "timeDate"), ("", "timeDuration")])
def test_a_timer_that_cannot_be_evaluated_is_an_error_on_its_event(text: str, kind: str) -> None:
    problem = only(_timer(text, kind))
    assert (problem.element_id, problem.severity) == ("wait", "error") and "timer 'wait'" in problem.message


@pytest.mark.parametrize(("text", "kind"), [("PT4H", "timeDuration"), ("R3/PT1H", "timeCycle"),
                                            ("2026-12-01T08:00:00+08:00", "timeDate"), ("due_at", "timeDate"),
                                            ('"PT%dH" % hours', "timeDuration")])
def test_literal_and_expression_timers_are_fine(text: str, kind: str) -> None:
    assert found(_timer(text, kind)) == []


def _gateway(first: str, second: str, default: str = "") -> dict[str, str]:
    body = (f'<bpmn:exclusiveGateway id="choose"{default}/>'
            f'<bpmn:sequenceFlow id="yes" sourceRef="choose" targetRef="e">{first}</bpmn:sequenceFlow>'
            f'<bpmn:sequenceFlow id="no" sourceRef="choose" targetRef="e">{second}</bpmn:sequenceFlow>')
    return {"p.bpmn": f'{HEAD}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>{body}'
                      '<bpmn:sequenceFlow id="to_choose" sourceRef="s" targetRef="choose"/>'
                      '<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'}


CONDITION = "<bpmn:conditionExpression>ok</bpmn:conditionExpression>"


def test_gateway_flows_need_a_condition_or_the_default() -> None:
    assert found(_gateway(CONDITION, "", ' default="no"')) == []
    assert found(_gateway(CONDITION, "")) == [("no", "error")]
    assert found(_gateway(CONDITION, CONDITION, ' default="no"')) == [("no", "warning")]
    assert found(_gateway("<bpmn:conditionExpression>x.__dict__</bpmn:conditionExpression>", "",
                          ' default="no"')) == [("yes", "error")]


def test_a_dead_end_is_an_error() -> None:
    body = ('<bpmn:parallelGateway id="split"/><bpmn:task id="forgotten"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="split" targetRef="forgotten"/>')
    problem = only(model(body, "split"))
    assert (problem.element_id, problem.severity) == ("forgotten", "error") and "dead end" in problem.message


def test_a_boundary_event_must_be_attached_to_an_activity_here() -> None:
    body = (script("work") + '<bpmn:boundaryEvent id="late" attachedToRef="nowhere"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
            '<bpmn:sequenceFlow id="late_to_end" sourceRef="late" targetRef="e"/>')
    assert ("late", "error") in found(model(body, "work"))


def test_messages_must_exist_and_waits_should_correlate() -> None:
    def wait(ref: str, correlate: bool = False) -> dict[str, str]:
        props = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="correlateOn" '
                 'value="report_no"/></spiffworkflow:properties></bpmn:extensionElements>') if correlate else ""
        body = (f'<bpmn:intermediateCatchEvent id="wait">{props}<bpmn:messageEventDefinition messageRef="{ref}"/>'
                '</bpmn:intermediateCatchEvent>')
        return model(body, "wait", extra='<bpmn:message id="m" name="reply"/>')

    assert found(wait("m", correlate=True)) == []
    assert found(wait("m")) == [("wait", "warning")]
    assert ("wait", "error") in found(wait("unknown", correlate=True))


def test_forms_exist_and_load(tmp_path: Path) -> None:
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "good.json").write_text(json.dumps({"type": "object"}), encoding="utf-8")
    (tmp_path / "forms" / "broken.json").write_text("{not json", encoding="utf-8")
    assert found(model(user("review", form="forms/good.json"), "review"), tmp_path) == []
    assert found(model(user("review", form="forms/good.json"), "review")) == []  # no folder: not checked
    missing = only(model(user("review", form="forms/missing.json"), "review"), tmp_path)
    assert (missing.element_id, missing.severity) == ("review", "warning")
    broken = only(model(user("review", form="forms/broken.json"), "review"), tmp_path)
    assert (broken.element_id, broken.severity) == ("review", "error") and "not JSON" in broken.message
    assert found(model(user("review", form="../../etc/passwd"), "review"), tmp_path) == [("review", "error")]


def test_a_camunda_model_is_reported_element_by_element() -> None:
    problems = lint_sources(read_sources([LINT_FIXTURES]))
    errors = {p.element_id for p in problems if p.severity == "error"}
    assert errors == {"Activity_Charge", "Flow_Small"}  # Gateway_Wait runs; JUEL and camunda:decisionRef translated
    warnings = {p.element_id for p in problems if p.severity == "warning"}
    assert {"Activity_Review", "Event_Paid", "StartEvent_1", "order_handling"} <= warnings
    assert all(p.file == "camunda_order.bpmn" for p in problems)  # the DMN 1.3 file is fine
    by_element = {(p.element_id, p.severity): p.message for p in problems}
    assert "runs the DMN decision 'discount'" in by_element["Activity_Discount", "warning"]
    assert "JUEL condition '${amount > 1000}' was translated to the Python expression 'amount > 1000'" in \
        by_element["Flow_Large", "warning"]
    assert "camunda:class" in by_element["Activity_Charge", "warning"]


def test_a_model_the_engine_cannot_parse_is_a_problem_not_an_exception() -> None:
    text = (f'{HEAD}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
            '<bpmn:callActivity id="call" calledElement="elsewhere"/>'
            f'{flows("call")}<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>')
    problems = lint_sources({"p.bpmn": text})
    assert problems and all(p.severity == "error" and p.file == "p.bpmn" for p in problems)


def test_a_dangling_flow_is_reported_not_a_cascade_of_unreachable_elements() -> None:
    files = model(script("work") + script("later") + script("last"), "work", "later", "last")
    files["p.bpmn"] = files["p.bpmn"].replace('id="to_later" sourceRef="work" targetRef="later"',
                                              'id="to_later" sourceRef="work" targetRef="nowhere"')
    problems = lint_sources(files)
    assert ("to_later", "error") in found(files)
    assert not [p for p in problems if "reached" in p.message or "dead end" in p.message]


def test_a_process_without_a_start_event_is_named() -> None:
    text = f'{HEAD}<bpmn:process id="p" isExecutable="true"><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'
    assert found({"p.bpmn": text}) == [("p", "error")]
