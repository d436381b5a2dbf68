"""Moving a subtype's routing in the responsibility DMN as deployed (city/admin/routing_table.py): the rules naming
the subtype get the new disposal unit, a rule listing it with others is split, other columns and rules stay."""

from __future__ import annotations

import pytest

from city.admin.routing_table import move_subtype, routes_by_subtype, rows, rules_naming
from engine.domain.errors import InvalidCommand

NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _rule(rule_id: str, subtype: str, street: str, unit: str) -> str:
    return (f'<rule id="{rule_id}"><inputEntry id="{rule_id}_i0"><text>{subtype}</text></inputEntry>'
            f'<inputEntry id="{rule_id}_i1"><text>{street}</text></inputEntry>'
            f'<outputEntry id="{rule_id}_o0"><text>3</text></outputEntry>'
            f'<outputEntry id="{rule_id}_o1"><text>"{unit}"</text></outputEntry></rule>')


def _table(*rules: str, output: str = "disposal_unit") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{NS}" id="d" name="d" namespace="x">'
            '<decision id="responsibility" name="responsibility"><decisionTable id="t" hitPolicy="UNIQUE">'
            '<input id="a" label="subtype"><inputExpression id="ae" typeRef="string"><text>report.subtype</text>'
            '</inputExpression></input><input id="b" label="street"><inputExpression id="be" typeRef="string">'
            '<text>report.street</text></inputExpression></input>'
            f'<output id="o0" name="limit_amount" typeRef="number"/><output id="o1" name="{output}" typeRef="string"/>'
            + "".join(rules) + "</decisionTable></decision></definitions>")


DMN = _table(_rule("r1", '"0601"', '"S1"', "S1-OFFICE"), _rule("r2", '"0601"', "-", "D02"),
             _rule("r3", '"0602","0603"', "-", "D05"), _rule("r4", '"0701"', "-", "D07"))


def test_every_rule_of_the_subtype_moves_whatever_its_other_inputs() -> None:
    text, changed = move_subtype(DMN, "0601", "C91")
    assert changed == ["r1", "r2"]
    assert routes_by_subtype(text) == {"0601": ["C91"], "0602": ["D05"], "0603": ["D05"], "0701": ["D07"]}
    assert [r.rule_id for r in rows(text)] == ["r1", "r2", "r3", "r4"]
    assert "<text>3</text>" in text and "report.street" in text  # the other columns are kept


def test_a_rule_listing_the_subtype_with_others_is_split() -> None:
    text, changed = move_subtype(DMN, "0603", "C91")
    assert changed == ["r3_0603"]
    assert [(r.rule_id, r.subtypes, r.disposal_unit) for r in rows(text)][2:4] == [
        ("r3", ("0602",), "D05"), ("r3_0603", ("0603",), "C91")]


def test_moving_to_the_same_department_changes_nothing() -> None:
    assert move_subtype(DMN, "0701", "D07")[1] == []


def test_refusals_name_the_field() -> None:
    with pytest.raises(InvalidCommand) as no_rule:
        move_subtype(DMN, "9999", "C91")
    assert no_rule.value.field == "subtype_code"
    with pytest.raises(InvalidCommand) as no_table:
        move_subtype(_table(_rule("r1", '"0601"', "-", "D02"), output="owner"), "0601", "C91")
    assert no_table.value.field == "rules"
    with pytest.raises(InvalidCommand) as not_xml:
        move_subtype("<definitions", "0601", "C91")
    assert not_xml.value.field == "rules"


def test_the_rules_naming_a_department() -> None:
    assert rules_naming(DMN, "D05") == ["r3"] and rules_naming(DMN, "C99") == []


def test_a_subtype_named_twice_in_one_test_moves_the_rule_itself() -> None:
    text, changed = move_subtype(_table(_rule("r1", '"0601","0601"', "-", "D02"),
                                        _rule("r2", '"0701"', "-", "D07")), "0601", "C91")
    assert changed == ["r1"]  # no split leaving an empty test, which would match every subtype
    assert [(r.rule_id, r.disposal_unit) for r in rows(text)] == [("r1", "C91"), ("r2", "D07")]
    assert routes_by_subtype(text)["0701"] == ["D07"]


def test_a_rule_with_too_few_entries_is_refused_naming_rules() -> None:
    short = '<rule id="r9"><inputEntry id="r9_i0"><text>"0601"</text></inputEntry></rule>'
    with pytest.raises(InvalidCommand) as refused:
        move_subtype(_table(_rule("r1", '"0701"', "-", "D07"), short), "0601", "C91")
    assert refused.value.field == "rules" and "r9" in refused.value.message


def test_a_dmn_with_a_doctype_is_refused() -> None:
    with_doctype = DMN.replace("<definitions", '<!DOCTYPE definitions [<!ENTITY x "D02">]><definitions', 1)
    with pytest.raises(InvalidCommand) as refused:
        move_subtype(with_doctype, "0601", "C91")
    assert refused.value.field == "rules" and "DOCTYPE" in refused.value.message
