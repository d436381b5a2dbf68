"""Every kind of decision logic and the requirements graph: literal expressions, contexts, invocations of
BKMs, lists, relations, function definitions, DMN 1.4 conditional/filter/iterators, decision services, typed
inputs and results, refused constructs, imports, budgets (tests/fixtures/dmn/kinds.dmn and imports/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import dmn
import feel
from feel import temporal

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dmn"
APPLICANT = {"Age": 30, "Marital Status": "S", "Monthly": {"Income": 6000, "Expenses": 1000}}
INPUTS: dict[str, Any] = {"Applicant data": APPLICANT, "Requested amount": 10000, "Start date": "2026-01-15",
                          "Past amounts": [10, 2000]}


@pytest.fixture(scope="module")
def model() -> dmn.Model:
    return dmn.load(FIXTURES / "kinds.dmn")


def test_an_invocation_binds_a_bkm_whose_context_has_a_final_result(model: dmn.Model) -> None:
    result = model.evaluate("Required monthly installment", INPUTS)
    # 10000 at 6 % a year over 36 months: 304.22 a month, plus the fee of 10 (not above 10000)
    assert result.value.quantize(Decimal("0.01")) == Decimal("314.22")
    assert result.messages == []


def test_required_decisions_run_first_and_a_context_without_final_entry_is_the_context(model: dmn.Model) -> None:
    value = model.evaluate("Affordability", INPUTS).value
    assert value["Affordable"] is True
    assert value["Margin"].quantize(Decimal("0.01")) == Decimal("4685.78")
    assert model.evaluate("Risk category", INPUTS).value == "LOW"
    young = dict(INPUTS, **{"Applicant data": dict(APPLICANT, Age=20)})
    assert model.evaluate("Risk category", young).value == "MEDIUM"


def test_a_string_given_for_a_date_input_is_a_date(model: dmn.Model) -> None:
    value = model.evaluate("First due date", INPUTS).value
    assert temporal.type_name(value) == "date"
    assert temporal.to_iso(value) == "2026-02-15"
    march = dict(INPUTS, **{"Start date": dt.date(2026, 3, 1)})
    assert model.evaluate("First due date", march).to_json() == "2026-04-01"


def test_an_input_of_the_wrong_type_is_null_with_a_message(model: dmn.Model) -> None:
    result = model.evaluate("Size class", dict(INPUTS, **{"Requested amount": "a lot"}))
    assert result.value == "small"  # null > 10000 is null, not true: the else branch
    assert result.messages == ["input data 'Requested amount': 'a lot' is a string, not a number"]


def test_a_component_outside_its_allowed_values_makes_the_input_null(model: dmn.Model) -> None:
    bad = dict(INPUTS, **{"Applicant data": dict(APPLICANT, **{"Marital Status": "X"})})
    result = model.evaluate("Disposable income", bad)
    assert result.value is None
    assert "Marital Status" in result.messages[0] and "allowed values" in result.messages[0]


def test_a_result_outside_the_decisions_type_is_null_with_a_message(model: dmn.Model) -> None:
    result = model.evaluate("Out of range category", {})
    assert result.value is None
    assert "'EXTREME' is not among the allowed values of 'tCategory'" in result.messages[0]


def test_lists_relations_filters_and_iterators(model: dmn.Model) -> None:
    assert model.evaluate("Terms", {}).value == [Decimal(12), Decimal(24), Decimal(36)]
    assert model.evaluate("Rate table", {}).to_json() == [{"Product": "standard", "Rate": 0.06},
                                                          {"Product": "special", "Rate": 0.04}]
    assert model.evaluate("Cheap products", {}).to_json() == [{"Product": "special", "Rate": 0.04}]
    assert model.evaluate("Doubled amounts", INPUTS).to_json() == [20, 4000]
    assert model.evaluate("Any large amount", INPUTS).value is True
    assert model.evaluate("All positive", dict(INPUTS, **{"Past amounts": [5, -1]})).value is False
    assert model.evaluate("Size class", dict(INPUTS, **{"Requested amount": 20000})).value == "large"


def test_a_single_value_given_for_a_collection_becomes_a_list(model: dmn.Model) -> None:
    assert model.evaluate("Doubled amounts", dict(INPUTS, **{"Past amounts": 7})).to_json() == [14]


def test_a_function_definition_checks_its_typed_parameters(model: dmn.Model) -> None:
    result = model.evaluate("Squares", {})
    assert result.value == [Decimal(4), Decimal(9), None]
    assert result.messages == ["function: parameter 'x': 'four' is a string, not a number"]


def test_a_decision_service_evaluates_with_given_input_decisions(model: dmn.Model) -> None:
    poor = {"Disposable income": 100, "Applicant data": APPLICANT, "Requested amount": 10000}
    assert model.evaluate_service("Affordability service", poor).value == "HIGH"
    assert model.service_parameters("Affordability service") == ("Applicant data", "Requested amount",
                                                                  "Disposable income")
    wrong = dict(poor, **{"Requested amount": "much"})
    refused = model.evaluate_service("Affordability service", wrong)
    assert refused.value is None and "'Requested amount': 'much' is a string, not a number" in refused.messages[0]


def test_a_decision_service_is_a_function_for_decisions_that_require_it(model: dmn.Model) -> None:
    assert model.evaluate("Category via service", {}).value == "LOW"  # input data first, then input decisions


def test_an_unsupported_construct_refuses_its_decision_only(model: dmn.Model) -> None:
    java = model.evaluate("Java call", {})
    assert java.value is None
    assert java.messages == ["decision 'Java call' (java) is refused: JAVA functions are not supported (only FEEL)"]
    dependent = model.evaluate("Uses Java call", {})
    assert dependent.value == "fallback" and "Java call" in dependent.messages[0]
    broken = model.evaluate("Broken syntax", {})
    assert broken.value is None and "FEEL syntax error" in broken.messages[0]
    assert model.evaluate("Terms", {}).value is not None


def test_a_cycle_of_required_decisions_is_null_not_a_recursion_error(model: dmn.Model) -> None:
    result = model.evaluate("Loop A", {})
    assert result.value is None and result.messages == ["decision 'Loop A' requires itself"]


def test_a_hostile_expression_ends_with_the_budget(model: dmn.Model) -> None:
    with pytest.raises(feel.FeelBudgetExceeded):
        model.evaluate("Hostile", {}, cpu_seconds=0.5)


def test_decisions_are_found_by_id_or_name_and_unknown_ones_are_refused(model: dmn.Model) -> None:
    assert model.evaluate("terms", {}).value == model.evaluate("Terms", {}).value
    with pytest.raises(dmn.DmnError, match="no Decision with id or name 'Nope'"):
        model.evaluate("Nope", {})


def test_imports_resolve_by_namespace_under_the_import_name() -> None:
    model = dmn.load(FIXTURES / "imports")
    reporter = {"Name": "王芳", "Reports": 3}
    assert model.evaluate("Thanks", {"Reporter": reporter}).value == "谢谢 王芳 (3)"
    assert model.evaluate("Reward", {"Reporter": reporter, "Base rate": 1.5}).value == Decimal("9.0")
    typed = model.evaluate("Thanks", {"Reporter": {"Name": "王芳", "Reports": "three"}})
    assert typed.value is None and "Reports" in typed.messages[0]


def test_dmn_1_1_qname_type_refs() -> None:
    model = dmn.load(FIXTURES / "dmn11.dmn")
    result = model.evaluate("Days late", {"Due date": "2026-01-01", "Today": dt.date(2026, 1, 11)})
    assert result.value == Decimal(10)


def test_an_imported_models_input_is_given_under_its_import_path() -> None:
    model = dmn.load(FIXTURES / "imports")
    reporter = {"Name": "王芳", "Reports": 2}
    qualified = {"Reporter": reporter, "shared.Base rate": 4, "Base rate": 1}
    assert model.evaluate("Reward", qualified).value == Decimal(16)  # the qualified value wins
    assert model.evaluate("Reward", {"Reporter": reporter, "shared": {"Base rate": 3}}).value == Decimal(12)


def test_an_import_without_a_name_joins_its_names_and_types_to_the_importer() -> None:
    model = dmn.load(FIXTURES / "unnamed", main="street.dmn")
    assert [Path(defs.path).name for defs in model.definitions] == ["street.dmn", "lamps.dmn"]
    assert model.evaluate("Report", {"Lamp number": 7}).value == "路灯 #7: dark"
    with pytest.raises(dmn.DmnError, match=r"no model file named 'nope\.dmn'"):
        dmn.load(FIXTURES / "unnamed", main="nope.dmn")


def test_a_requirement_pointing_nowhere_refuses_its_decision_only() -> None:
    text = (FIXTURES / "kinds.dmn").read_text(encoding="utf-8").replace(
        '<requiredDecision href="#rates"/>', '<requiredDecision href="#no_such_decision"/>')
    model = dmn.loads(text)
    result = model.evaluate("Cheap products", {})
    assert result.value is None
    assert "Cheap products" in result.messages[0] and "#no_such_decision points to nothing" in result.messages[0]
    assert model.evaluate("Terms", {}).value == [Decimal(12), Decimal(24), Decimal(36)]


CONSTRAINED = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="c" name="C" namespace="urn:c">
  <itemDefinition name="tHours" isCollection="true"><typeRef>number</typeRef>
    <allowedValues><text>count(?) &lt;= 3</text></allowedValues><typeConstraint><text>[0..24]</text></typeConstraint>
  </itemDefinition>
  <itemDefinition name="tOldHours" isCollection="true"><typeRef>number</typeRef>
    <allowedValues><text>[0..24]</text></allowedValues></itemDefinition>
  <inputData id="h" name="Hours"><variable name="Hours" typeRef="tHours"/></inputData>
  <inputData id="o" name="Old hours"><variable name="Old hours" typeRef="tOldHours"/></inputData>
  <decision id="d" name="Total"><variable name="Total"/>
    <informationRequirement><requiredInput href="#h"/></informationRequirement>
    <literalExpression><text>sum(Hours)</text></literalExpression></decision>
  <decision id="e" name="Old total"><variable name="Old total"/>
    <informationRequirement><requiredInput href="#o"/></informationRequirement>
    <literalExpression><text>sum(Old hours)</text></literalExpression></decision>
</definitions>"""


def test_a_collections_type_constraint_tests_items_and_its_allowed_values_the_list() -> None:
    model = dmn.loads(CONSTRAINED)
    assert model.evaluate("Total", {"Hours": [1, 2, 3]}).value == Decimal(6)
    assert model.evaluate("Total", {"Hours": [1, 30]}).value is None  # an item outside [0..24]
    assert model.evaluate("Total", {"Hours": [1, 2, 3, 4]}).value is None  # more than 3 items
    assert model.evaluate("Old total", {"Old hours": [1, 2, 3, 4]}).value == Decimal(10)
    assert model.evaluate("Old total", {"Old hours": [1, 30]}).value is None  # before 1.5: items tested


@pytest.mark.parametrize(("decision", "good"), [
    ("Typed literal", "lamp"), ("Typed list", ["road", "lamp"]), ("Echoed", "lamp"),
    ("Lambda echoed", "lamp"),
])
def test_boxed_expression_and_function_item_type_refs(decision: str, good: object) -> None:
    model = dmn.load(FIXTURES / "typed.dmn")
    assert model.evaluate(decision, {"Raw category": "lamp"}).value == good
    refused = model.evaluate(decision, {"Raw category": "river"})
    assert refused.value is None
    assert "'river' is not among the allowed values of 'tCategory'" in refused.messages[0]


def test_a_services_function_type_types_its_parameters_when_evaluated_directly() -> None:
    model = dmn.load(FIXTURES / "typed.dmn")
    assert model.evaluate_service("Checked service", {"Raw category": "road"}).value == "road"
    assert model.evaluate_service("Checked service", {"Raw category": "river"}).value is None
