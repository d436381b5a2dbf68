"""engine.bpmn.feel_expressions: ``=…`` text is FEEL; syntax errors located in the model's text, results as task
data, the scripts' CPU budget, the case's clock for now(), timer and candidate-group values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.bpmn.budget import BudgetExceeded, ScriptLimits
from engine.bpmn.feel_expressions import (
    FeelSyntaxError,
    candidate_group,
    compile_feel,
    evaluate_feel,
    feel_problem,
    is_feel,
    timer_value,
)

LIMITS = ScriptLimits(cpu_seconds=0.2)
NOW = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)


def run(text: str, data: dict[str, Any] | None = None, **options: Any) -> Any:
    return evaluate_feel(text, data or {}, limits=LIMITS, clock=lambda: NOW, **options)


@pytest.mark.parametrize(("text", "expected"), [
    ("=amount > 1000", True), (" =x", True), ("amount > 1000", False), ("${amount > 1000}", False), ("", False),
    (None, False), ("a == b", False)])
def test_only_a_leading_equals_sign_marks_feel(text: str | None, expected: bool) -> None:
    assert is_feel(text) is expected


@pytest.mark.parametrize(("text", "data", "expected"), [
    ("=amount > 1000", {"amount": 1500}, True),
    ("=amount > 1000", {"amount": None}, None),  # null: SpiffWorkflow's test of it is false
    ("=amount > 1000", {}, None),
    ("=a + b", {"a": 1, "b": 2}, 3),
    ("=a / b", {"a": 1, "b": 4}, 0.25),
    ("=10 / 4 * 2", {}, 5),
    ("=report.district", {"report": {"district": "350602"}}, "350602"),
    ('=if priority = "high" then "centre" else "district"', {"priority": "low"}, "district"),
    ("=[1, 2.5, {a: 1}]", {}, [1, 2.5, {"a": 1}]),
    ('=date("2026-11-02") + duration("P1D")', {}, "2026-11-03"),
    ("=Monthly Salary * 12", {"Monthly Salary": 1000}, 12000),  # a key with a space is one name
    ("=1 / 0", {}, None),
])
def test_results_come_back_as_task_data(text: str, data: dict[str, Any], expected: Any) -> None:
    result = run(text, data)
    assert result == expected and type(result) is type(expected)


def test_now_reads_the_given_clock() -> None:
    assert timer_value(run("=now()", raw=True)) == NOW
    assert run("=today()") == "2026-11-02"


@pytest.mark.parametrize(("text", "where"), [
    ("=amount >", "line 1, column 10"),
    ("=if a then b", "line 1, column 13"),
    ('=\n  duration("PT4H"', "line 2, column 18"),
])
def test_a_syntax_error_names_line_and_column_of_the_model_s_text(text: str, where: str) -> None:
    problem = feel_problem(text)
    assert problem is not None and problem.startswith("FEEL syntax error") and where in problem
    with pytest.raises(FeelSyntaxError, match=where):
        compile_feel(text)


def test_an_empty_expression_is_refused() -> None:
    assert "empty" in (feel_problem("=  ") or "")


def test_an_expression_is_compiled_once_per_text() -> None:
    assert compile_feel("=a + 1") is compile_feel("=a + 1")


def test_feel_runs_within_the_scripts_cpu_budget() -> None:
    with pytest.raises(BudgetExceeded) as exceeded:
        run("=sum(for x in 1..100000000 return x)")
    assert exceeded.value.kind == "cpu"


@pytest.mark.parametrize(("text", "expected"), [
    ('=date and time("2026-11-02T08:00:00+08:00") + duration("PT4H")',
     datetime(2026, 11, 2, 4, tzinfo=UTC)),  # the same instant, its +08:00 kept
    ('=duration("P" + string(days) + "D")', timedelta(days=3)),
    ('=duration("P1M")', "P1M"),
    ('=date("2026-12-01")', "2026-12-01"),
    ('="PT4H"', "PT4H"),
])
def test_timers_take_date_times_durations_and_iso_text(text: str, expected: Any) -> None:
    assert timer_value(run(text, {"days": 3}, raw=True)) == expected


@pytest.mark.parametrize(("value", "expected"), [("centre", "centre"), (" centre ", "centre"), (["centre"], "centre")])
def test_a_candidate_group_is_a_string_or_a_one_string_list(value: Any, expected: str) -> None:
    assert candidate_group(value) == expected


@pytest.mark.parametrize(("value", "words"), [(["a", "b"], "2 groups"), ([], "0 groups"), (None, "gave null"),
                                              ("", "expected a group name"), (5, "expected a group name"),
                                              ([1], "expected a group name"), ([None], "expected a group name"),
                                              ({"a": 1}, "expected a group name")])
def test_other_candidate_group_values_are_refused(value: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        candidate_group(value)


def test_the_designer_s_timer_preview_reads_feel_as_the_engine_does() -> None:
    from designer.timer_preview import preview_timer

    preview = preview_timer("timeDuration", '=duration("P" + string(days) + "D")', {"days": 2}, NOW)
    assert (preview["value"], preview["due_at"]) == ("P2D", (NOW + timedelta(days=2)).isoformat())
    preview = preview_timer("timeDate", "=now() + duration(\"PT4H\")", {}, NOW)
    assert preview["due_at"] == (NOW + timedelta(hours=4)).isoformat()
    with pytest.raises(ValueError, match="FEEL syntax error"):
        preview_timer("timeDate", "=now( +", {}, NOW)


CONDITIONAL = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
               '20100524/MODEL" id="d" targetNamespace="t"><bpmn:process id="p" isExecutable="true">'
               '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>'
               '<bpmn:intermediateCatchEvent id="wait"><bpmn:conditionalEventDefinition><bpmn:condition>'
               "=level &gt; 3</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>"
               '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/><bpmn:endEvent id="e"/>'
               "</bpmn:process></bpmn:definitions>")


@pytest.mark.parametrize(("data", "passes"), [({"level": 5}, True), ({"level": 2}, False), ({}, False),
                                              ({"level": "high"}, False)])
def test_a_feel_conditional_event_passes_when_its_condition_holds(data: dict[str, Any], passes: bool) -> None:
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from engine.bpmn.sandbox import GridcaseScriptEngine
    from engine.bpmn.specs import GridcaseParser
    from engine.domain.clock import FakeClock

    parser = GridcaseParser()
    parser.add_bpmn_str(CONDITIONAL.encode(), "p.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=GridcaseScriptEngine(FakeClock(NOW)))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    assert workflow.is_completed() is passes  # null (no level, a string) is false: it keeps waiting


def test_feel_runs_within_the_scripts_memory_budget() -> None:
    text = ('={s: string join(for j in 1..20000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),'
            ' r: for i in 1..400 return s + string(i)}.r')  # 400 MB of copies, within a second of CPU
    with pytest.raises(BudgetExceeded) as exceeded:
        evaluate_feel(text, {}, limits=ScriptLimits(cpu_seconds=30, memory_bytes=16 * 2**20), clock=lambda: NOW)
    assert exceeded.value.kind == "memory"
