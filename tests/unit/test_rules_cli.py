"""`gridcase rules eval`: one JSON result per input line on `dmn`; a failed line reports and the rest go on;
numbers exact, temporal values ISO 8601; decisions, decision services and BKMs by id or name; files and folders."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dmn"

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">
  <decision id="disposal_limit" name="Disposal limit">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i1" label="Subtype">
        <inputExpression id="e1" typeRef="string"><text>subtype</text></inputExpression></input>
      <input id="i2" label="Urgency">
        <inputExpression id="e2" typeRef="string"><text>urgency</text></inputExpression></input>
      <output id="o1" name="limit_hours" typeRef="number"/>
      <rule id="exposed_garbage_urgent"><inputEntry id="a1"><text>"0601"</text></inputEntry>
        <inputEntry id="a2"><text>"urgent"</text></inputEntry><outputEntry id="a3"><text>2</text></outputEntry></rule>
      <rule id="exposed_garbage"><inputEntry id="b1"><text>"0601"</text></inputEntry>
        <inputEntry id="b2"><text>not("urgent")</text></inputEntry>
        <outputEntry id="b3"><text>4</text></outputEntry></rule>
      <rule id="manhole_any"><inputEntry id="c1"><text>"0103","0104"</text></inputEntry>
        <inputEntry id="c2"><text>-</text></inputEntry><outputEntry id="c3"><text>24</text></outputEntry></rule>
      <rule id="manhole_again"><inputEntry id="d1"><text>"0104"</text></inputEntry>
        <inputEntry id="d2"><text>-</text></inputEntry><outputEntry id="d3"><text>48</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

VALUES = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="v" name="Values" namespace="values">
  <inputData id="in_amount" name="Amount"><variable name="Amount" typeRef="number"/></inputData>
  <inputData id="in_day" name="Reported on"><variable name="Reported on" typeRef="date"/></inputData>
  <decision id="same" name="Same amount">
    <informationRequirement><requiredInput href="#in_amount"/></informationRequirement>
    <literalExpression><text>Amount * 1</text></literalExpression>
  </decision>
  <decision id="third" name="Third">
    <informationRequirement><requiredInput href="#in_amount"/></informationRequirement>
    <literalExpression><text>Amount / 3</text></literalExpression>
  </decision>
  <decision id="when" name="When">
    <informationRequirement><requiredInput href="#in_day"/></informationRequirement>
    <literalExpression><text>{due: Reported on + duration("P1M"), at: time("08:30:00.000000001+08:00"),
      moment: date and time(Reported on, time("23:59:59Z")), wait: duration("P1DT2H30M"),
      age: years and months duration(Reported on, date("2026-03-01")), window: [1..10),
      list: [1, "a", null, true, {x: 1.50}]}</text></literalExpression>
  </decision>
  <decision id="func" name="A function">
    <literalExpression><text>{f: function(x) x + 1}</text></literalExpression>
  </decision>
</definitions>
"""


def _eval(path: Path, decision: str, lines: Sequence[object], *extra: str) -> Result:
    stdin = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    return CliRunner().invoke(cli, ["rules", "eval", str(path), "--decision", decision, *extra], input=stdin)


@pytest.fixture()
def limits(tmp_path: Path) -> Path:
    path = tmp_path / "limits.dmn"
    path.write_text(DMN, "utf-8")
    return path


@pytest.fixture()
def values_file(tmp_path: Path) -> Path:
    path = tmp_path / "values.dmn"
    path.write_text(VALUES, "utf-8")
    return path


def test_each_line_gets_its_result_and_errors_do_not_stop_the_stream(limits: Path) -> None:
    lines: list[object] = [{"subtype": "0601", "urgency": "urgent"}, {"subtype": "0601", "urgency": "normal"},
                           "not json", {"subtype": "0103", "urgency": "normal"},
                           {"subtype": "9999", "urgency": "normal"}, {"subtype": "0104", "urgency": "normal"}]
    result = _eval(limits, "disposal_limit", lines)
    assert result.exit_code == 1, result.output  # every line ran; the status says some of them failed
    out = [json.loads(line) for line in result.stdout.splitlines()]
    # a table with one output gives that output's value (DMN), not a context of one entry
    assert out[:2] == [2, 4]
    assert out[2]["error"].startswith("line 3: not JSON")
    assert out[3:5] == [24, None]  # no rule matches: null, not a failure
    assert out[5]["error"].startswith("line 6:") and "manhole_any, manhole_again" in out[5]["error"]
    assert "2 line(s) could not be evaluated" in result.stderr


def test_a_clean_stream_exits_zero_and_a_decision_is_found_by_name_too(limits: Path) -> None:
    result = _eval(limits, "Disposal limit", [{"subtype": "0601", "urgency": "urgent"}, ""])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2\n"  # the blank line is skipped


def test_numbers_come_out_with_every_digit_as_json_numbers(values_file: Path) -> None:
    lines = ['{"Amount": 0.1000000000000000000000000000000001}', '{"Amount": 12345678901234567890123}',
             '{"Amount": 2.50}', '{"Amount": -0.0000001}', '{"Amount": 1E+400}']
    result = _eval(values_file, "same", lines)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["0.1000000000000000000000000000000001", "12345678901234567890123",
                                          "2.5", "-0.0000001", "1E+400"]
    third = _eval(values_file, "Third", ['{"Amount": 1}'])
    assert third.stdout == "0.3333333333333333333333333333333333\n"  # 34 digits (decimal128), not a float's 17


def test_dates_times_and_durations_come_out_as_iso_text(values_file: Path) -> None:
    result = _eval(values_file, "when", [{"Reported on": "2024-01-31"}])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "due": "2024-02-29", "at": "08:30:00.000000001+08:00", "moment": "2024-01-31T23:59:59Z",
        "wait": "P1DT2H30M", "age": "P2Y1M", "window": "[1..10)", "list": [1, "a", None, True, {"x": 1.5}]}


def test_an_input_that_does_not_fit_its_type_and_a_function_result_fail_their_line(values_file: Path) -> None:
    result = _eval(values_file, "same", [{"Amount": "ten"}, "[1]", '{"Amount": NaN}', {"Amount": 1}])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "input data 'Amount': 'ten' is a string, not a number" in out[0]["error"]
    assert out[1]["error"].startswith("line 2: each line must be a JSON object")
    assert out[2]["error"].startswith("line 3: NaN is not a JSON number")
    assert out[3] == 1
    func = _eval(values_file, "func", [{}])
    assert json.loads(func.stdout) == {"error": "line 1: 'f' is a function, which has no JSON form"}


def test_trace_shows_the_matched_rules_and_messages(limits: Path) -> None:
    result = _eval(limits, "disposal_limit", [{"subtype": "0601", "urgency": "normal"},
                                              {"subtype": "0104", "urgency": "normal"}], "--trace")
    assert result.exit_code == 0, result.output  # with --trace a null value and its messages are the output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {"result": 4, "matched_rules": ["exposed_garbage"], "messages": []}
    assert second["result"] is None and second["matched_rules"] == ["manhole_any", "manhole_again"]
    assert "UNIQUE" in second["messages"][0]


def test_a_folder_with_imports_a_service_and_a_bkm() -> None:
    reporter = {"Reporter": {"Name": "李", "Reports": 3}, "shared": {"Base rate": 0.05}}
    imported = _eval(FIXTURES / "imports", "Reward", [reporter])
    assert (imported.exit_code, imported.stdout) == (0, "0.3\n")  # 3 × (0.05 × 2), trailing zero dropped
    applicant = {"Age": 30, "Marital Status": "S", "Monthly": {"Income": 6000, "Expenses": 1000}}
    service = _eval(FIXTURES / "kinds.dmn", "affordability_service",
                    [{"Disposable income": 100, "Applicant data": applicant, "Requested amount": 10000}])
    assert (service.exit_code, service.stdout) == (0, '"HIGH"\n')
    bkm = _eval(FIXTURES / "kinds.dmn", "Installment calculation", [{"Amount": 10000, "Rate": 0.06, "Term": 36}])
    assert bkm.exit_code == 0 and bkm.stdout.startswith("314.21937451555"), bkm.output


def test_an_unknown_decision_is_a_usage_error_naming_what_there_is(limits: Path) -> None:
    result = _eval(limits, "nope", [{}])
    assert result.exit_code == 2
    assert "Invalid value for '--decision'" in result.output
    assert "'nope' (has: disposal_limit (Disposal limit))" in result.output


def test_a_bad_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.dmn"
    broken.write_text("<definitions", "utf-8")
    result = _eval(broken, "x", [{}])
    assert result.exit_code == 2
    assert "Invalid value for 'FILE'" in result.output and "broken.dmn" in result.output
    assert "not well-formed" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no DMN file" in _eval(empty, "x", [{}]).output


def test_the_citys_responsibility_table_reads_the_report_without_declared_input_data() -> None:
    rules = Path(__file__).resolve().parents[2] / "rules"
    result = _eval(rules, "responsibility", [{"report": {"subtype": "0601", "district": "350602",
                                                         "urgency": "normal"}}])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["competent_department"] == "C03" and out["limit_amount"] == 2


def test_a_fault_inside_the_evaluator_fails_its_line_only(limits: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dmn

    real = dmn.Model.evaluate

    def flaky(self: dmn.Model, decision: str, inputs: Any, **kwargs: Any) -> dmn.Result:
        if inputs.get("subtype") == "boom":  # stands for a bug on one odd input
            raise KeyError("boom")
        return real(self, decision, inputs, **kwargs)

    monkeypatch.setattr(dmn.Model, "evaluate", flaky)
    result = _eval(limits, "disposal_limit", [{"subtype": "boom"}, {"subtype": "0601", "urgency": "urgent"}])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ['{"error": "line 1: internal error: KeyError: \'boom\'"}', "2"]
