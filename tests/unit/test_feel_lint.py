"""The designer's FEEL lint: ``=…`` expressions in BPMN (syntax, with the element id) and every FEEL text of DMN
decisions and business knowledge models (syntax errors, names the requirements graph does not make known), as
warnings naming the decision and the cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.feel_lint import dmn_feel_findings
from designer.lint import Problem, lint_sources

ROOT = Path(__file__).resolve().parents[2]
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def dmn(*body: str) -> str:
    return (f'<?xml version="1.0"?><definitions xmlns="{DMN_NS}" id="defs" name="fees" namespace="http://x/fees">'
            '<inputData id="amount_in" name="Amount"/><inputData id="kind_in" name="Fine Kind"/>'
            + "".join(body) + "</definitions>")


def needs(*hrefs: str) -> str:
    return "".join(f'<informationRequirement><requiredInput href="#{h}"/></informationRequirement>' for h in hrefs)


def literal(decision_id: str, text: str, *requirements: str) -> str:
    return (f'<decision id="{decision_id}" name="{decision_id}">{"".join(requirements)}'
            f"<literalExpression><text>{text}</text></literalExpression></decision>")


def table(rules: str, *requirements: str) -> str:
    return ('<decision id="band" name="Band">' + "".join(requirements) +
            '<decisionTable id="band_table"><input id="i1"><inputExpression><text>Amount</text></inputExpression>'
            '</input><output id="o1" name="band"/>' + rules + "</decisionTable></decision>")


def rule(rule_id: str, entry: str, output: str) -> str:
    return (f'<rule id="{rule_id}"><inputEntry><text>{entry}</text></inputEntry>'
            f"<outputEntry><text>{output}</text></outputEntry></rule>")


def messages(text: str) -> list[tuple[str | None, str]]:
    return [(element, message) for element, severity, message in dmn_feel_findings({"fees.dmn": text})["fees.dmn"]
            if severity == "warning"]


def test_a_clean_model_has_no_findings() -> None:
    text = dmn(literal("fee", 'if Amount &gt; 100 then Amount * 2 else count([Fine Kind]) + sum(for x in [1, 2] '
                              'return x) + (function(a) a + 1)(3) + {b: 1, c: b + 1}.c', needs("amount_in", "kind_in")),
               literal("double", "fee * 2", '<informationRequirement><requiredDecision href="#fee"/>'
                                            "</informationRequirement>"),
               table(rule("r1", "&gt; 10, [1..5]", '"big"') + rule("r2", "-", "Fine Kind"), needs("amount_in",
                                                                                               "kind_in")))
    assert messages(text) == []


@pytest.mark.parametrize(("body", "element", "words"), [
    (literal("fee", "Amount * 2 +", needs("amount_in")), "fee", "decision 'fee', literal expression: FEEL syntax"),
    (table(rule("r1", "&gt; 10 10", '"big"'), needs("amount_in")), "band", "rule r1, input 1: FEEL syntax error"),
    (table(rule("r7", "&gt; 10", '"big" +'), needs("amount_in")), "band", "rule r7, output 1: FEEL syntax error"),
    ('<decision id="ctx" name="ctx">' + needs("amount_in") + '<context><contextEntry><variable name="Fee"/>'
     "<literalExpression><text>Amount *</text></literalExpression></contextEntry></context></decision>",
     "ctx", "context entry 'Fee': FEEL syntax error"),
])
def test_a_syntax_error_names_the_decision_and_the_cell(body: str, element: str, words: str) -> None:
    ((found, message),) = messages(dmn(body))
    assert found == element and words in message and "line 1, column" in message


@pytest.mark.parametrize(("body", "unknown"), [
    (literal("fee", "Amount * Rate", needs("amount_in")), "'Rate'"),
    (literal("fee", "Amount + Fine Kind", needs("amount_in")), "'Fine Kind'"),  # an input data not required
    (table(rule("r2", "&lt; Limit", '"x"'), needs("amount_in")), "rule r2, input 1: 'Limit'"),
    (literal("fee", "for x in [1] return y", needs("amount_in")), "'y'"),
])
def test_a_name_the_requirements_graph_does_not_know_is_a_warning(body: str, unknown: str) -> None:
    ((_, message),) = messages(dmn(body))
    assert unknown in message and "not known here" in message


def test_a_model_without_input_data_reads_process_variables_so_only_its_syntax_is_checked() -> None:
    alone = dmn(literal("fee", "amount * rate")).replace('<inputData id="amount_in" name="Amount"/>'
                                                         '<inputData id="kind_in" name="Fine Kind"/>', "")
    assert messages(alone) == []
    assert "FEEL syntax" in messages(alone.replace("amount * rate", "amount *"))[0][1]
    assert "'amount', 'rate' are not known" in messages(dmn(literal("fee", "amount * rate")))[0][1]


def test_a_bkm_knows_its_parameters_and_a_decision_its_required_knowledge() -> None:
    bkm = ('<businessKnowledgeModel id="tariff" name="Tariff"><encapsulatedLogic><formalParameter name="base"/>'
           "<literalExpression><text>base * factor</text></literalExpression></encapsulatedLogic>"
           "</businessKnowledgeModel>")
    user = literal("fee", "Tariff(Amount)", needs("amount_in"),
                   '<knowledgeRequirement><requiredKnowledge href="#tariff"/></knowledgeRequirement>')
    assert [m for _, m in messages(dmn(bkm, user))] == [
        "business knowledge model 'Tariff', function body: 'factor' is not known here (not an input data, required "
        "decision or knowledge, context entry, parameter or built-in): 'base * factor'"]


def test_the_city_rules_lint_clean() -> None:
    sources = {path.name: path.read_text("utf-8") for path in (ROOT / "rules").glob("*.dmn")}
    assert all(findings == [] for findings in dmn_feel_findings(sources).values())


BPMN = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
        'MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>'
        '<bpmn:userTask id="review"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="candidateGroups" value="GROUP"/></spiffworkflow:properties>'
        "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics isSequential=\"true\">"
        "<bpmn:loopCardinality>CARDINALITY</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
        '</bpmn:userTask><bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="g"/>'
        '<bpmn:exclusiveGateway id="g" default="f4"/><bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e">'
        "<bpmn:conditionExpression>CONDITION</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>'
        "</bpmn:definitions>")


def bpmn_errors(**parts: str) -> list[Problem]:
    text = BPMN
    for key, value in {"GROUP": "=centre", "CARDINALITY": "=3", "CONDITION": "=amount &gt; 1", **parts}.items():
        text = text.replace(key, value)
    return [p for p in lint_sources({"p.bpmn": text}) if p.severity == "error"]


def test_valid_feel_in_bpmn_lints_clean() -> None:
    assert bpmn_errors() == []


@pytest.mark.parametrize(("part", "text", "element", "words"), [
    ("CONDITION", "=amount &gt;", "f3", "condition refused: FEEL syntax error"),
    ("CARDINALITY", "=count(sites", "review", "loop cardinality refused: FEEL syntax error"),
    ("GROUP", "=if a then &quot;x&quot;", "review", "candidateGroups expression refused: FEEL syntax error"),
])
def test_a_feel_syntax_error_in_bpmn_names_the_element_and_position(part: str, text: str, element: str,
                                                                    words: str) -> None:
    (problem,) = bpmn_errors(**{part: text})
    assert problem.element_id == element and words in problem.message and "column" in problem.message
