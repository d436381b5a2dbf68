"""A list of lists (an item definition whose items are a collection type): the singleton-list conversion of
DMN 1.5 §10.3.2.9.4 applies to the value bound to the typed variable, not to the items inside it."""

from __future__ import annotations

import dmn

MODEL = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" namespace="n" name="m" id="m">
  <itemDefinition name="tStrings" isCollection="true"><typeRef>string</typeRef></itemDefinition>
  <itemDefinition name="tNested" isCollection="true"><typeRef>tStrings</typeRef></itemDefinition>
  <inputData name="nested" id="i1"><variable name="nested" typeRef="tNested"/></inputData>
  <decision name="literal" id="d1"><variable name="literal" typeRef="tNested"/>
    <literalExpression><text>[["w", "x"], "y", "z"]</text></literalExpression></decision>
  <decision name="appended" id="d2"><variable name="appended" typeRef="tNested"/>
    <informationRequirement><requiredInput href="#i1"/></informationRequirement>
    <literalExpression><text>append(nested, ["a"])</text></literalExpression></decision>
  <decision name="single" id="d3"><variable name="single" typeRef="tStrings"/>
    <literalExpression><text>"only"</text></literalExpression></decision>
  <decision name="numbers" id="d4"><variable name="numbers" typeRef="tNested"/>
    <literalExpression><text>[[1], 2]</text></literalExpression></decision>
</definitions>"""


def test_plain_items_of_a_list_of_lists_stay_as_written() -> None:
    model = dmn.loads(MODEL)
    assert model.evaluate("literal", {}).value == [["w", "x"], "y", "z"]
    assert model.evaluate("appended", {"nested": [["w"], "y"]}).value == [["w"], "y", ["a"]]


def test_a_single_value_bound_to_a_collection_is_still_wrapped() -> None:
    assert dmn.loads(MODEL).evaluate("single", {}).value == ["only"]


def test_items_that_are_lists_are_still_checked() -> None:
    result = dmn.loads(MODEL).evaluate("numbers", {})
    assert result.value is None  # [1] is not a list of strings
    assert result.messages
