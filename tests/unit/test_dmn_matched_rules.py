"""dmn reports the rules a decision table matched, and reads a caller's context (a process's variables)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import dmn
import feel

NS = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t"'


def table(hit_policy: str, rules: str, requires: str = "") -> str:
    return (f'<definitions {NS}><decision id="band" name="band">{requires}'
            f'<decisionTable hitPolicy="{hit_policy}"><input><inputExpression><text>amount</text></inputExpression>'
            f'</input><output name="band"/>{rules}</decisionTable></decision>'
            '<decision id="base" name="base"><literalExpression><text>amount * 2</text></literalExpression>'
            '</decision></definitions>')


RULES = ('<rule id="low"><inputEntry><text>&lt; 10</text></inputEntry><outputEntry><text>"low"</text></outputEntry>'
         '</rule><rule id="any"><inputEntry><text>-</text></inputEntry><outputEntry><text>"any"</text></outputEntry>'
         '</rule>')


@pytest.mark.parametrize(("policy", "amount", "value", "rules"), [
    ("FIRST", 5, "low", ["low", "any"]),
    ("FIRST", 50, "any", ["any"]),
    ("COLLECT", 5, ["low", "any"], ["low", "any"]),
    ("UNIQUE", 5, None, ["low", "any"]),  # a UNIQUE violation is null, and both rules are named
])
def test_matched_rules_are_reported_in_rule_order(policy: str, amount: int, value: object, rules: list[str]) -> None:
    result = dmn.loads(table(policy, RULES)).evaluate("band", {}, context={"amount": amount})
    assert result.value == value and result.matched_rules == rules


def test_no_rule_matched_is_an_empty_list_and_other_kinds_have_none() -> None:
    model = dmn.loads(table("UNIQUE", '<rule id="low"><inputEntry><text>&lt; 10</text></inputEntry>'
                                      '<outputEntry><text>"low"</text></outputEntry></rule>'))
    assert model.evaluate("band", {}, context={"amount": 50}).matched_rules == []
    literal = model.evaluate("base", {}, context={"amount": 4})
    assert literal.value == Decimal(8) and literal.matched_rules == []


def test_a_required_decisions_rules_are_not_the_requiring_decisions() -> None:
    requires = '<informationRequirement><requiredDecision href="#base"/></informationRequirement>'
    text = table("FIRST", RULES.replace("amount", "base"), requires).replace(
        "<text>amount</text></inputExpression>", "<text>base</text></inputExpression>")
    result = dmn.loads(text).evaluate("band", {}, context={"amount": 3})
    assert (result.value, result.matched_rules) == ("low", ["low", "any"])


def test_a_requirement_wins_over_a_context_name() -> None:
    requires = '<informationRequirement><requiredDecision href="#base"/></informationRequirement>'
    text = table("FIRST", RULES, requires).replace("<text>amount</text></inputExpression>",
                                                   "<text>base</text></inputExpression>")
    assert dmn.loads(text).evaluate("band", {}, context={"amount": 30, "base": 1}).value == "any"


def test_a_rule_over_the_budget_is_named() -> None:
    rules = "".join(f'<rule id="r{i}"><inputEntry><text>big</text></inputEntry>'
                    '<outputEntry><text>"y"</text></outputEntry></rule>' for i in range(2_000))
    model = dmn.loads(table("COLLECT", rules))
    with pytest.raises(feel.FeelBudgetExceeded, match=r"^rule 'r\d+': the evaluation used more than its budget"):
        model.evaluate("band", {}, context={"amount": -1, "big": list(range(200_000))}, cpu_seconds=0.05)
