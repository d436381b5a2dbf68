"""The shared limits on input (engine/domain/input_limits.py) and the checks built on them, without a database:
case numbers, form values, a report's and a camera alert's fields, error texts, and `gridcase rules eval` going on
past a hostile line (issue 16 items 4, 5, 12)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from city.commands import ReportProblem
from city.detections.intake import detection_problems
from city.intake.report import report_problems
from cli.main import cli
from engine.domain.forms import MAX_NUMBER, FieldError, load_form
from engine.domain.input_limits import MAX_DEPTH, echo, moment_problem, text_problem, value_problem
from engine.domain.summary import case_id_from_no, may_be_case_no
from web.api.errors import error_body

ROOT = Path(__file__).resolve().parents[2]


class TestText:
    @pytest.mark.parametrize("text", ["a\x00b", "\x00"])
    def test_nul_is_refused(self, text: str) -> None:
        assert text_problem(text) == "must not contain NUL (\\u0000) characters"

    @pytest.mark.parametrize("text", ["\ud800", "tail\udfff", "\udbff\udc00x"[0]])
    def test_an_unpaired_surrogate_is_refused(self, text: str) -> None:
        assert "surrogates" in (text_problem(text) or "")

    @pytest.mark.parametrize("text", ["", "暴露垃圾", "🙂", "٠٦٠١", "０６０１", "\u202e", "x" * 100_000])
    def test_other_text_is_kept(self, text: str) -> None:
        assert text_problem(text) is None


class TestValues:
    def test_the_path_of_the_first_bad_value_is_named(self) -> None:
        assert value_problem({"report": {"location": {"lon": float("nan")}}}) == (
            "report.location.lon", "must be a finite number (not NaN or Infinity)")
        assert value_problem({"evidence": ["ok", "b\x00d"]})[0] == "evidence.1"  # type: ignore[index]
        assert value_problem({"a": 2**64})[0] == "a"  # type: ignore[index]
        assert value_problem({"bad\x00key": 1})[0] == "bad\x00key"  # type: ignore[index]
        assert value_problem(float("-inf")) == ("body", "must be a finite number (not NaN or Infinity)")

    def test_nesting_is_bounded_and_walked_without_recursion(self) -> None:
        deep: Any = []
        for _ in range(100_000):  # far past the interpreter's recursion limit
            deep = [deep]
        where, message = value_problem({"inputs": deep}) or ("", "")
        assert where == "inputs" + ".0" * (MAX_DEPTH - 1) and "nested" in message
        shallow: Any = {"a": [[{"b": 1}]]}
        assert value_problem(shallow) is None

    @pytest.mark.parametrize("value", [2**63 - 1, -(2**63 - 1), 1e308, -1e308, 0.1, True, None, "x", [], {}])
    def test_values_a_database_keeps_pass(self, value: Any) -> None:
        assert value_problem({"v": value}) is None


class TestMoments:
    @pytest.mark.parametrize("moment", [datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
                                        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),
                                        datetime(1899, 12, 31, tzinfo=UTC), datetime(2026, 1, 1)])
    def test_outside_1900_2999_or_without_a_zone_is_refused(self, moment: datetime) -> None:
        assert moment_problem(moment) is not None

    def test_a_case_time_is_kept(self) -> None:
        assert moment_problem(datetime(2026, 12, 6, 8, tzinfo=timezone(timedelta(hours=8)))) is None


class TestCaseNumbers:
    @pytest.mark.parametrize("number", ["99999999999999999999999999999", "2026120600000²", "٢٠٢٦١٢٠٦٠٠٠٠٠١",
                                        "２０２６１２０６０００００１", "202612060000012345678901", "2026120600001",
                                        "20261206 00001", "", "9" * 5000])
    def test_anything_but_14_to_22_ascii_digits_is_no_live_case(self, number: str) -> None:
        assert case_id_from_no(number) is None

    def test_the_id_is_read_from_a_live_number(self) -> None:
        assert case_id_from_no("20261206000123") == 123
        assert case_id_from_no("2026120612345678901234") == 12345678901234 < 2**63

    @pytest.mark.parametrize(("number", "expected"), [("H-2019-000001", True), ("20261206000123", True),
                                                      ("a" * 24, True), ("a" * 25, False), ("a\x00", False),
                                                      ("20261206²", False), ("", False), ("a/b", False)])
    def test_what_may_name_a_case_at_all(self, number: str, expected: bool) -> None:
        assert may_be_case_no(number) is expected


class TestForms:
    @pytest.fixture
    def dispose(self) -> Any:
        return load_form(ROOT / "workflows" / "forms" / "dispose_problem.json")

    def _extension(self, amount: Any) -> dict[str, Any]:
        return {"disposal": {"outcome": "extension", "reason": "雨天", "extension_amount": amount}}

    @pytest.mark.parametrize("amount", [1e30, MAX_NUMBER + 1, float("inf"), float("nan"), 2**70])
    def test_an_extension_no_calendar_can_count_is_refused(self, dispose: Any, amount: float) -> None:
        fields = {problem.field for problem in dispose.validate(self._extension(amount))}
        assert "disposal.extension_amount" in fields

    def test_an_extension_within_the_bound_is_valid(self, dispose: Any) -> None:
        assert dispose.validate(self._extension(MAX_NUMBER)) == []

    def test_text_no_database_keeps_is_refused_by_field(self, dispose: Any) -> None:
        found = dispose.validate({"disposal": {"outcome": "disposed", "result": "清理\x00完毕"}})
        assert found == [FieldError("disposal.result", "must not contain NUL (\\u0000) characters")]

    def test_a_field_with_its_own_bounds_is_held_to_those(self) -> None:
        form = load_form({"type": "object", "properties": {
            "fine": {"type": "number", "maximum": 5_000_000}, "count": {"type": "integer"},
            "marks": {"type": "array", "items": {"type": "number", "minimum": -1e9}}}})
        assert form.validate({"fine": 4_000_000, "marks": [-5e8]}) == []
        assert [p.field for p in form.validate({"count": -MAX_NUMBER - 1, "marks": [1e9]})] == ["count", "marks.0"]


def _report(**fields: Any) -> ReportProblem:
    values: dict[str, Any] = {"subtype_code": "0601", "description": "暴露垃圾", "lon": 117.65, "lat": 24.51,
                              "channel": "hotline", "actor": "seat01", **fields}
    return ReportProblem(**values)


class TestReport:
    @pytest.mark.parametrize("subtype", ["٠٦٠١", "０６０１", "𝟎𝟔𝟎𝟏", "0601\n", "06 01", "601", 601])
    def test_a_subtype_is_four_ascii_digits(self, subtype: Any) -> None:
        assert set(report_problems(_report(subtype_code=subtype))) == {"subtype_code"}

    @pytest.mark.parametrize(("field", "value"), [("description", "a\x00b"), ("reporter", "\ud800"),
                                                  ("external_id", "x\x00"), ("duplicate_of", "no such\x00case"),
                                                  ("duplicate_of", "x" * 40), ("lon", math.nan), ("lat", 1e400),
                                                  ("lon", 10 ** 400), ("lat", -(10 ** 400))])
    def test_each_field_at_fault_is_named(self, field: str, value: Any) -> None:
        assert set(report_problems(_report(**{field: value}))) == {field}

    def test_a_good_report_has_no_problem(self) -> None:
        assert report_problems(_report(duplicate_of="20261206000001", evidence=("ab" * 32,))) == {}


class TestDetection:
    def _detection(self, **fields: Any) -> dict[str, Any]:
        return {"camera_id": "cam-1", "subtype": "0601", "lon": 117.65, "lat": 24.51, "image": "f.jpg",
                "confidence": 0.9, **fields}

    @pytest.mark.parametrize(("field", "value"), [("confidence", 2), ("confidence", -0.01), ("confidence", "0.9"),
                                                  ("confidence", math.inf), ("subtype", "٠٦٠١"), ("lat", 91),
                                                  ("lon", None), ("camera_id", "c\x00"), ("image", "x" * 201)])
    def test_each_field_at_fault_is_named(self, field: str, value: Any) -> None:
        assert set(detection_problems(self._detection(**{field: value}))) == {f"detection.{field}"}

    def test_a_good_detection_has_no_problem(self) -> None:
        assert detection_problems(self._detection()) == {}
        assert detection_problems(self._detection(confidence=None)) == {}
        assert detection_problems("cam-1") == {"detection": "detection must be an object"}


def test_an_error_repeats_a_few_hundred_characters_of_what_it_was_sent() -> None:
    body = error_body(422, "bad: " + "y" * 20_000_000, {"expression": "z" * 20_000_000, "lone": "\ud800"})
    text = json.dumps(body, ensure_ascii=False)  # a lone surrogate would make the response unencodable
    assert len(text) < 2_000 and "20000005 characters" in text
    text.encode("utf-8")
    assert echo("short") == "short"


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">
  <decision id="wait" name="Wait">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1" label="Span"><inputExpression id="e1" typeRef="number"><text>days</text></inputExpression></input>
      <output id="o1" name="long" typeRef="boolean"/>
      <rule id="huge"><inputEntry id="a1"><text>&gt; 1000</text></inputEntry>
        <outputEntry id="a2"><text>LONG</text></outputEntry></rule>
      <rule id="any"><inputEntry id="b1"><text>-</text></inputEntry>
        <outputEntry id="b2"><text>false</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _rules_eval(tmp_path: Path, output: str, lines: list[str]) -> Any:
    dmn = tmp_path / "wait.dmn"
    dmn.write_text(DMN.replace("LONG", output), "utf-8")
    return CliRunner().invoke(cli, ["rules", "eval", str(dmn), "--decision", "wait"], input="\n".join(lines) + "\n")


def test_rules_eval_reports_each_hostile_line_and_goes_on(tmp_path: Path) -> None:
    lines = ['{"days": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than the parser's stack: was a traceback
             '{"days": ' + "[" * 40 + "]" * 40 + "}",  # parses, but no decision input is that deep
             '{"days": NaN}', '{"days": "\\ud800"}', "[1]", '{"days": 3}', '{"days": 5000}']
    result = _rules_eval(tmp_path, "true", lines)
    assert result.exit_code == 1, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 7, result.output
    assert [o["error"].split(":")[0] for o in out[:5]] == ["line 1", "line 2", "line 3", "line 4", "line 5"]
    assert out[5:] == [False, True]  # a table with one output gives that output's value (DMN)
    assert "5 line(s) could not be evaluated" in result.stderr


def test_rules_eval_names_a_decision_it_cannot_compile_instead_of_a_traceback(tmp_path: Path) -> None:
    result = _rules_eval(tmp_path, "1 +", ['{"days": 3}'])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output  # not a traceback
    assert "decision 'Wait' (wait) is refused" in result.output and "line 1, column 4" in result.output


def test_rules_eval_gives_null_for_a_literal_past_its_type(tmp_path: Path) -> None:
    # FEEL: an invalid duration is null, and so is comparing null; the table's output is null, not a failure
    result = _rules_eval(tmp_path, 'duration("P999999999999D") &gt; duration("P1D")', ['{"days": 5000}'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) is None
