"""FEEL decision tables under the budget: costly or hostile tables fail naming the decision and rule, never hang."""

from __future__ import annotations

from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.dmn_file import DmnFileError, parse_dmn
from engine.bpmn.sandbox import GridcaseScriptEngine
from engine.bpmn.specs import GridcaseParser
from engine.domain.clock import FakeClock
from engine.domain.decision_table import DecisionError, DecisionTable, Rule, evaluate_with_trace
from engine.domain.feel import FeelError, feel_equal, parse_unary_tests

BIG = list(range(200_000))


def quadratic(rules: int = 2_000) -> DecisionTable:
    """Every rule compares the input with a 200,000-item context list: rules x items steps (minutes of CPU)."""
    return DecisionTable("slow", "slow", ["a"], ["o"], [Rule(["big"], ['"y"'], f"r{i}") for i in range(rules)],
                         hit_policy="COLLECT")


def test_a_table_costlier_than_its_cpu_budget_fails_naming_decision_and_rule() -> None:
    with pytest.raises(DecisionError, match=r"^decision 'slow', rule 'r\d+': the evaluation used more than its budget "
                                            r"of 0.05 s of CPU time$"):
        evaluate_with_trace(quadratic(), {"a": -1, "big": BIG}, cpu_seconds=0.05)


def test_the_default_budget_applies_without_one() -> None:
    with pytest.raises(DecisionError, match="budget of 1 s of CPU time"):
        evaluate_with_trace(quadratic(), {"a": -1, "big": BIG})


def test_a_cheap_table_is_unaffected() -> None:
    table = DecisionTable("d", "d", ["a"], ["o"], [Rule(["big"], ['"y"'], "r1")], hit_policy="COLLECT")
    assert evaluate_with_trace(table, {"a": 7, "big": [1, 7]}, cpu_seconds=0.05) == ([{"o": "y"}], ["r1"])


def test_an_output_shared_many_times_over_is_refused_naming_the_rule() -> None:
    many = "[" + ", ".join(["big"] * 100) + "]"  # 100 references to one 200,000-item list: 20 M items stored
    table = DecisionTable("fan", "fan", ["a"], ["o"], [Rule(["-"], [many], "wide")])
    with pytest.raises(DecisionError, match=r"^decision 'fan', rule 'wide': the output would be larger than "
                                            r"4,194,304 characters$"):
        evaluate_with_trace(table, {"a": 1, "big": BIG})


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def test_literals_nested_too_deeply_are_a_feel_error_not_a_recursion_error() -> None:
    with pytest.raises(FeelError, match="nested more than 64 levels deep"):
        parse_unary_tests("[" * 5000 + "1" + "]" * 5000)
    dmn = ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">'
           '<decision id="deep" name="deep"><decisionTable><input><inputExpression><text>a</text></inputExpression>'
           '</input><output name="o"/><rule id="r1"><inputEntry><text>' + "[" * 5000 + "1" + "]" * 5000 +
           '</text></inputEntry><outputEntry><text>1</text></outputEntry></rule></decisionTable></decision>'
           '</definitions>')
    with pytest.raises(DmnFileError, match="decision 'deep', rule 'r1': list literals are nested"):
        parse_dmn(dmn)


def test_deep_context_data_compares_and_reports_without_recursion() -> None:
    assert feel_equal(deep(5000), deep(5000)) is True
    assert feel_equal(deep(5000), deep(4999)) is False
    table = DecisionTable("d", "d", ["a"], ["o"], [Rule(["b"], ["1"], "r1")], input_values=['"q"'])
    assert evaluate_with_trace(DecisionTable("d", "d", ["a"], ["o"], [Rule(["b"], ["1"], "r1")]),
                               {"a": deep(5000), "b": deep(5000)}) == ({"o": 1}, ["r1"])
    with pytest.raises(DecisionError, match=r"input 'a' = \[\[\[\[...\]\]\]\] is not among its allowed values"):
        evaluate_with_trace(table, {"a": deep(5000)})


def test_a_number_literal_too_long_is_a_feel_error() -> None:
    with pytest.raises(FeelError, match="a number literal of 5,000 digits is too long"):
        parse_unary_tests("9" * 5000)


DMN = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">
  <decision id="slow" name="slow"><decisionTable hitPolicy="COLLECT">
    <input><inputExpression><text>a</text></inputExpression></input><output name="o"/>
    {rules}
  </decisionTable></decision>
</definitions>"""
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:businessRuleTask id="decide"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>slow</spiffworkflow:calledDecisionId></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_business_rule_task_runs_within_the_script_engines_budget(clock: FakeClock) -> None:
    rules = "".join(f'<rule id="r{i}"><inputEntry><text>big</text></inputEntry>'
                    '<outputEntry><text>"y"</text></outputEntry></rule>' for i in range(2_000))
    parser = GridcaseParser()
    parser.add_bpmn_str(BPMN.encode(), "p.bpmn")
    parser.add_dmn_str(DMN.format(rules=rules).encode(), "slow.dmn")
    engine = GridcaseScriptEngine(clock, limits=ScriptLimits(cpu_seconds=0.05))
    workflow = BpmnWorkflow(parser.get_spec("p"), parser.get_subprocess_specs("p"), script_engine=engine)
    workflow.get_tasks()[0].data.update({"a": -1, "big": BIG})
    with pytest.raises(WorkflowTaskException, match=r"decision 'slow', rule 'r\d+': the evaluation used more than "
                                                    r"its budget of 0.05 s") as failed:
        workflow.do_engine_steps()
    assert failed.value.task.task_spec.bpmn_id == "decide"
