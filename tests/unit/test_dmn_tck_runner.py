"""bench/dmn_tck.py on a tiny kit written here in the TCK's layout: values typed by xsi:type or by the
model, components, lists, nil, errorResult, decision services; totals and outcomes in JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import dmn
from bench.dmn_tck import _model_file, main
from bench.dmn_tck_values import Untyped, read_value, same, typed_input

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dmn"
HEAD = ('<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">')
HIT_TESTS = HEAD + """<modelName>hit_policies.dmn</modelName>
  <testCase id="untyped"><inputNode name="Hours open"><value>30</value></inputNode>
    <resultNode name="First urgency"><expected><value>late</value></expected></resultNode>
    <resultNode name="Fee sum"><expected><value xsi:type="xsd:decimal">400.50</value></expected>
    </resultNode></testCase>
  <testCase id="list"><inputNode name="Hours open"><value xsi:type="xsd:decimal">50</value></inputNode>
    <resultNode name="Output order steps"><expected><list>
      <item><value xsi:type="xsd:string">escalate</value></item><item><value xsi:type="xsd:string">remind</value></item>
      <item><value xsi:type="xsd:string">log</value></item></list></expected></resultNode></testCase>
  <testCase id="components"><inputNode name="Fault kind"><value xsi:type="xsd:string">sparking</value></inputNode>
    <resultNode name="Dispatch"><expected>
      <component name="Team"><value xsi:type="xsd:string">electric</value></component>
      <component name="Within hours"><value xsi:type="xsd:decimal">2</value></component></expected>
    </resultNode></testCase>
  <testCase id="error"><inputNode name="Hours open"><value xsi:type="xsd:decimal">48</value></inputNode>
    <resultNode name="Unique urgency" errorResult="true"><expected><value xsi:nil="true"/></expected>
    </resultNode></testCase>
  <testCase id="wrong"><inputNode name="Hours open"><value xsi:type="xsd:decimal">5</value></inputNode>
    <resultNode name="First urgency"><expected><value xsi:type="xsd:string">late</value></expected>
    </resultNode></testCase>
  <testCase id="crash"><inputNode name="Hours open"><value xsi:type="xsd:decimal">5</value></inputNode>
    <resultNode name="No such decision"><expected><value xsi:type="xsd:string">x</value></expected>
    </resultNode></testCase>
</testCases>"""
SERVICE_TESTS = HEAD + """<modelName>kinds.dmn</modelName>
  <testCase id="001" type="decisionService" invocableName="Affordability service">
    <inputNode name="Disposable income"><value xsi:type="xsd:decimal">100</value></inputNode>
    <inputNode name="Requested amount"><value xsi:type="xsd:decimal">10000</value></inputNode>
    <inputNode name="Applicant data"><component name="Age"><value xsi:type="xsd:decimal">30</value></component>
      <component name="Marital Status"><value xsi:type="xsd:string">M</value></component></inputNode>
    <resultNode name="Risk category"><expected><value xsi:type="xsd:string">HIGH</value></expected>
    </resultNode></testCase>
  <testCase id="002"><inputNode name="Start date"><value xsi:type="xsd:date">2026-01-15</value></inputNode>
    <resultNode name="First due date"><expected><value xsi:type="xsd:date">2026-02-15</value></expected>
    </resultNode></testCase>
</testCases>"""


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    level2 = tmp_path / "TestCases" / "compliance-level-2" / "0001-hit"
    level3 = tmp_path / "TestCases" / "compliance-level-3" / "0002-kinds"
    level2.mkdir(parents=True)
    level3.mkdir(parents=True)
    (level2 / "hit_policies.dmn").write_bytes((FIXTURES / "hit_policies.dmn").read_bytes())
    (level2 / "0001-hit-test-01.xml").write_text(HIT_TESTS, encoding="utf-8")
    (level3 / "kinds.dmn").write_bytes((FIXTURES / "kinds.dmn").read_bytes())
    (level3 / "0002-kinds-test-01.xml").write_text(SERVICE_TESTS, encoding="utf-8")
    return tmp_path


def run(kit: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([str(kit), "--json", *args]) == 0
    report: dict = json.loads(capsys.readouterr().out)
    return report


def test_outcomes_and_totals_per_level(kit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run(kit, capsys)
    outcomes = {(item["case"], item["test"]): item for item in report["outcomes"]}
    assert {key[1]: item["outcome"] for key, item in outcomes.items()} == {
        "test-01:untyped": "passed", "test-01:list": "passed", "test-01:components": "passed",
        "test-01:error": "passed", "test-01:wrong": "failed", "test-01:crash": "errored",
        "test-01:001": "passed", "test-01:002": "passed"}
    assert 'expected "late", got "normal"' in outcomes[("0001-hit", "test-01:wrong")]["detail"]
    assert "No such decision" in outcomes[("0001-hit", "test-01:crash")]["detail"]
    assert report["totals"]["level 2"] == {"tests": 6, "passed": 4, "failed": 1, "errored": 1, "cases": 1,
                                           "pass_rate": 66.7}
    assert report["totals"]["level 3"]["passed"] == 2
    assert report["totals"]["total"]["tests"] == 8


def test_level_and_case_filters(kit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert set(run(kit, capsys, "--level", "3")["totals"]) == {"level 3", "total"}
    assert run(kit, capsys, "--case", "kinds")["totals"]["total"]["tests"] == 2


def test_a_folder_without_the_kit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    assert "no compliance-level folder" in capsys.readouterr().err


def test_untyped_values_are_read_by_the_declared_type_at_every_depth() -> None:
    model = dmn.load(FIXTURES / "kinds.dmn")
    shape = model.input_type("Applicant data")
    assert shape == {"Age": "number", "Marital Status": "string",
                     "Monthly": {"Income": "number", "Expenses": "number"}}
    given = {"Age": Untyped("30"), "Marital Status": Untyped("M"), "Monthly": {"Income": Untyped("5.5")}}
    assert typed_input(given, shape) == {"Age": Decimal(30), "Marital Status": "M",
                                         "Monthly": {"Income": Decimal("5.5")}}
    assert typed_input(Untyped("7"), model.input_type("Past amounts")) == [Decimal(7)]
    assert type(typed_input(Untyped("x"), None)) is str


def test_numbers_compare_within_the_kits_tolerance_and_kinds_must_agree() -> None:
    assert same(Decimal("662.707359373292"), Decimal("662.707359373266"))  # a binary-float expectation
    assert not same(Decimal("1.00000002"), Decimal("1"))
    assert same(Untyped("2.50"), Decimal("2.5"))
    assert not same(Untyped("2.5"), "2.5x")
    assert not same(Decimal(1), "1") and not same(True, Decimal(1))
    assert same({"a": [Decimal(1), None]}, {"a": [Decimal("1.0"), None]})
    assert not same({"a": Decimal(1)}, {"a": Decimal(1), "b": None})


def test_the_main_model_is_found_by_file_name_or_model_name(tmp_path: Path) -> None:
    (tmp_path / "a.dmn").write_bytes((FIXTURES / "hit_policies.dmn").read_bytes())
    assert _model_file(tmp_path, "a.dmn") == "a.dmn"
    assert _model_file(tmp_path, "Hit policies.dmn") == "a.dmn"  # older test files name the model
    assert _model_file(tmp_path, "something else") == "a.dmn"  # the folder's only model
    (tmp_path / "b.dmn").write_text("<broken", encoding="utf-8")
    assert _model_file(tmp_path, "Hit policies") == "a.dmn"
    assert _model_file(tmp_path, "unknown") is None


def test_components_count_over_a_nil_value_written_beside_them() -> None:
    node = etree.fromstring(
        '<expected xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"><value xsi:nil="true"/>'
        '<component name="a"><value xsi:type="xs:decimal">1</value></component></expected>'
    )
    assert read_value(node) == {"a": Decimal(1)}
    only_nil = etree.fromstring('<expected xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                                '<value xsi:nil="true"/></expected>')
    assert read_value(only_nil) is None


def test_an_empty_untyped_value_expects_null_and_text_does_not() -> None:
    """Older kit files write a null result as ``<value/>``: it matches null (and the empty string), text doesn't."""
    assert same(Untyped(""), None)
    assert same(Untyped(""), "")
    assert not same(Untyped("0"), None)
    assert not same(Untyped(""), Decimal(0))


def test_a_result_node_typed_decision_service_evaluates_the_service(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Some kit files put type="decisionService" on the result node instead of the test case."""
    case = tmp_path / "TestCases" / "compliance-level-3" / "0003-node-typed"
    case.mkdir(parents=True)
    (case / "kinds.dmn").write_bytes((FIXTURES / "kinds.dmn").read_bytes())
    (case / "0003-node-typed-test-01.xml").write_text(HEAD + """<modelName>kinds.dmn</modelName>
      <testCase id="001">
        <inputNode name="Disposable income"><value xsi:type="xsd:decimal">100</value></inputNode>
        <inputNode name="Requested amount"><value xsi:type="xsd:decimal">10000</value></inputNode>
        <inputNode name="Applicant data"><component name="Age"><value xsi:type="xsd:decimal">30</value></component>
          <component name="Marital Status"><value xsi:type="xsd:string">M</value></component></inputNode>
        <resultNode name="Affordability service" type="decisionService"><expected>
          <value xsi:type="xsd:string">HIGH</value></expected></resultNode></testCase></testCases>""", encoding="utf-8")
    report = run(tmp_path, capsys)
    assert [item["outcome"] for item in report["outcomes"]] == ["passed"], report["outcomes"]


def test_a_plain_item_of_a_list_of_lists_is_not_wrapped() -> None:
    given = [[Untyped("w")], Untyped("y")]
    assert typed_input(given, [["string"]]) == [["w"], "y"]
    assert typed_input(Untyped("y"), [["string"]]) == [["y"]]  # one value for the whole collection: wrapped
