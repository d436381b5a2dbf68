"""Type conversion of results and parameters (DMN 1.5 §10.3.2.9.4): a value that does not conform to the
declared type is null — a context lacking one of its structure type's entries does not conform (§10.3.2.9.1:
a context type conforms when it has every entry of the other, with conforming types; extra entries are fine).
A business knowledge model's argument that does not conform binds its parameter to null and the body runs."""

from __future__ import annotations

from decimal import Decimal

import dmn

MODEL = dmn.loads("""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="c" name="C"
    namespace="urn:coercion">
  <itemDefinition name="tLamp">
    <itemComponent name="id"><typeRef>string</typeRef></itemComponent>
    <itemComponent name="watts"><typeRef>number</typeRef></itemComponent>
  </itemDefinition>
  <inputData id="i" name="Lamp"><variable name="Lamp" typeRef="tLamp"/></inputData>
  <decision id="full" name="Full lamp"><variable name="Full lamp" typeRef="tLamp"/>
    <literalExpression><text>{id: "L1", watts: 60, street: "长安街"}</text></literalExpression></decision>
  <decision id="part" name="Partial lamp"><variable name="Partial lamp" typeRef="tLamp"/>
    <literalExpression><text>{id: "L1"}</text></literalExpression></decision>
  <decision id="echo" name="Echo"><variable name="Echo"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <literalExpression><text>Lamp.id</text></literalExpression></decision>
  <businessKnowledgeModel id="known" name="Known lamp"><variable name="Known lamp"/>
    <encapsulatedLogic><formalParameter name="lamp" typeRef="tLamp"/>
      <literalExpression><text>if lamp = null then "unknown" else lamp.id</text></literalExpression>
    </encapsulatedLogic></businessKnowledgeModel>
  <decision id="good" name="Good call"><variable name="Good call"/>
    <knowledgeRequirement><requiredKnowledge href="#known"/></knowledgeRequirement>
    <literalExpression><text>Known lamp({id: "L2", watts: 40})</text></literalExpression></decision>
  <decision id="bad" name="Bad call"><variable name="Bad call"/>
    <knowledgeRequirement><requiredKnowledge href="#known"/></knowledgeRequirement>
    <literalExpression><text>Known lamp({id: "L3"})</text></literalExpression></decision>
</definitions>""")


def test_a_context_with_every_entry_conforms_and_may_have_more() -> None:
    assert MODEL.evaluate("Full lamp", {}).value == {"id": "L1", "watts": Decimal(60), "street": "长安街"}


def test_a_context_lacking_an_entry_of_its_type_is_null_with_a_message() -> None:
    result = MODEL.evaluate("Partial lamp", {})
    assert result.value is None
    assert "has no 'watts' (tLamp)" in result.messages[0]


def test_an_input_may_leave_a_component_out() -> None:
    assert MODEL.evaluate("Echo", {"Lamp": {"id": "L9"}}).value == "L9"


def test_a_non_conforming_argument_binds_null_and_the_body_runs() -> None:
    assert MODEL.evaluate("Good call", {}).value == "L2"
    result = MODEL.evaluate("Bad call", {})
    assert result.value == "unknown"
    assert "parameter 'lamp'" in result.messages[0]
