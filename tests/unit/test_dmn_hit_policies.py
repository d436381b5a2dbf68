"""Decision tables: every hit policy and aggregation, output-value priorities, default outputs, input values
(DMN 1.5 §8.2.11), on tests/fixtures/dmn/hit_policies.dmn."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import dmn
from dmn.tables import split_tests

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dmn" / "hit_policies.dmn"


@pytest.fixture(scope="module")
def model() -> dmn.Model:
    return dmn.load(FIXTURE)


def value(model: dmn.Model, decision: str, hours: int, kind: str = "dark") -> object:
    return model.evaluate(decision, {"Hours open": hours, "Fault kind": kind}).value


@pytest.mark.parametrize(("hours", "expected"), [(5, "normal"), (30, "late"), (50, "overdue")])
def test_unique_gives_the_one_matching_rule(model: dmn.Model, hours: int, expected: str) -> None:
    assert value(model, "Unique urgency", hours) == expected


def test_unique_with_two_matches_is_null_and_names_the_rules(model: dmn.Model) -> None:
    result = model.evaluate("Unique urgency", {"Hours open": 48})
    assert result.value is None
    assert any("UNIQUE" in message and "u2" in message and "u3" in message for message in result.messages)


def test_any_accepts_equal_outputs_and_refuses_different_ones(model: dmn.Model) -> None:
    assert value(model, "Any urgency", 30, "sparking") == "high"  # a1 and a2 both say high
    result = model.evaluate("Any urgency", {"Hours open": 50, "Fault kind": "flicker"})
    assert result.value is None and any("ANY" in message for message in result.messages)


def test_priority_follows_the_order_of_the_output_values(model: dmn.Model) -> None:
    assert value(model, "Priority urgency", 5) == "low"
    assert value(model, "Priority urgency", 30) == "high"
    assert value(model, "Priority urgency", 30, "sparking") == "critical"


def test_first_takes_rule_order_and_the_default_output_when_nothing_matches(model: dmn.Model) -> None:
    assert value(model, "First urgency", 50) == "overdue"
    assert value(model, "First urgency", 30) == "late"
    assert value(model, "First urgency", -1) == "unknown"


def test_rule_order_and_output_order(model: dmn.Model) -> None:
    assert value(model, "Rule order steps", 50) == ["log", "remind", "escalate"]
    assert value(model, "Output order steps", 50) == ["escalate", "remind", "log"]
    assert value(model, "Output order steps", 30) == ["remind", "log"]


def test_collect_and_its_aggregations(model: dmn.Model) -> None:
    assert value(model, "Collected fees", 5) == [Decimal(100), Decimal(200), Decimal(100)]
    assert value(model, "Fee sum", 5) == Decimal("400.5")
    assert value(model, "Fee min", 5) == Decimal(200)
    assert value(model, "Fee max", 5) == Decimal(450)
    assert value(model, "Fee count", 5) == Decimal(3)


def test_collect_without_a_match(model: dmn.Model) -> None:
    assert value(model, "Collected fees", 1) == []
    assert value(model, "Fee count", 1) == Decimal(0)
    assert value(model, "Fee sum", 1) is None


def test_several_outputs_make_a_context_typed_by_the_decision(model: dmn.Model) -> None:
    assert value(model, "Dispatch", 0, "flicker") == {"Team": "lamps", "Within hours": Decimal(48)}


def test_an_input_outside_its_input_values_is_null_for_the_rules(model: dmn.Model) -> None:
    result = model.evaluate("Dispatch", {"Fault kind": "flood"})
    assert result.value is None
    assert result.messages == ["input 'Fault kind': flood is not among the input values"]


def test_output_values_split_at_top_level_commas_only() -> None:
    assert split_tests('"a, b", [1..2], f(1, 2) ,"c"') == ['"a, b"', "[1..2]", "f(1, 2)", '"c"']


def test_an_unknown_hit_policy_refuses_only_that_decision() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace('hitPolicy="FIRST"', 'hitPolicy="SOMETIMES"')
    model = dmn.loads(text)
    result = model.evaluate("First urgency", {"Hours open": 50})
    assert result.value is None
    assert "unknown hit policy 'SOMETIMES'" in result.messages[0]
    assert model.evaluate("Unique urgency", {"Hours open": 50}).value == "overdue"


def test_an_output_outside_its_output_values_is_null_and_the_other_columns_stay(model: dmn.Model) -> None:
    assert value(model, "Checked outputs", 5) == {"Team": "lamps", "Level": Decimal(2)}
    result = model.evaluate("Checked outputs", {"Hours open": 20})
    assert result.value == {"Team": None, "Level": Decimal(2)}
    assert result.messages == ["output 'Team': roads is not among the output values"]
    assert value(model, "Checked outputs", 50) == {"Team": None, "Level": None}


def test_an_input_outside_its_input_values_matches_the_null_rule(model: dmn.Model) -> None:
    result = model.evaluate("Checked outputs", {"Hours open": 5000})
    assert result.value == {"Team": "electric", "Level": Decimal(1)}
    assert result.messages == ["input 'Hours open': 5000 is not among the input values"]


SHORT_FORMS = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="s" name="S" namespace="urn:s">
  <decision id="sum" name="Sum"><variable name="Sum"/>
    <decisionTable hitPolicy="C+"><input><inputExpression><text>1</text></inputExpression></input><output/>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>2</text></outputEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>3</text></outputEntry></rule></decisionTable>
  </decision>
  <decision id="sum_null" name="Sum with null"><variable name="Sum with null"/>
    <decisionTable hitPolicy="COLLECT" aggregation="SUM">
      <input><inputExpression><text>1</text></inputExpression></input><output/>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>2</text></outputEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>null</text></outputEntry></rule></decisionTable>
  </decision>
  <decision id="count" name="Count"><variable name="Count"/>
    <decisionTable hitPolicy="C#"><input><inputExpression><text>1</text></inputExpression></input><output/>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>2</text></outputEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>null</text></outputEntry></rule></decisionTable>
  </decision>
</definitions>"""


def test_short_collect_forms_and_aggregating_nulls_as_feel_does() -> None:
    model = dmn.loads(SHORT_FORMS)
    assert model.evaluate("Sum", {}).value == Decimal(5)
    assert model.evaluate("Sum with null", {}).value is None  # sum([2, null]) is null
    assert model.evaluate("Count", {}).value == Decimal(2)  # count([2, null]) is 2
