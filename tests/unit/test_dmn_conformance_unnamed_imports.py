"""Imports without a name (DMN 1.4+, §6.3.3): the imported model's elements and types join the importer's
names. An imported model's own unnamed imports are part of it, so they pass on: a model importing B, which
imports C, both without a name, sees C's decisions, knowledge models, input data and types by their names.
Where two imported models define one name, the first found depth first in import order wins: an import and what
it imports come before the next import."""

from __future__ import annotations

import dmn

_NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"

STREETS = f"""<definitions xmlns="{_NS}" id="c" name="Streets" namespace="urn:streets">
  <itemDefinition name="tStreet"><typeRef>string</typeRef></itemDefinition>
  <inputData id="street" name="Street"><variable name="Street" typeRef="Any"/></inputData>
  <decision id="district" name="District"><variable name="District"/>
    <literalExpression><text>"东城区"</text></literalExpression></decision>
  <businessKnowledgeModel id="grid" name="Grid"><variable name="Grid"/>
    <encapsulatedLogic><literalExpression><text>"网格 7"</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>
</definitions>"""

RELAY = f"""<definitions xmlns="{_NS}" id="b" name="Relay" namespace="urn:relay">
  <import namespace="urn:streets" name="" importType="{_NS}"/>
</definitions>"""

CASES = f"""<definitions xmlns="{_NS}" id="a" name="Cases" namespace="urn:cases">
  <import namespace="urn:relay" name="" importType="{_NS}"/>
  <decision id="d1" name="Where"><variable name="Where"/>
    <informationRequirement><requiredDecision href="#district"/></informationRequirement>
    <literalExpression><text>District</text></literalExpression></decision>
  <decision id="d2" name="Which grid"><variable name="Which grid"/>
    <knowledgeRequirement><requiredKnowledge href="#grid"/></knowledgeRequirement>
    <literalExpression><text>Grid()</text></literalExpression></decision>
  <decision id="d3" name="Street name"><variable name="Street name" typeRef="tStreet"/>
    <informationRequirement><requiredInput href="#street"/></informationRequirement>
    <literalExpression><text>Street</text></literalExpression></decision>
</definitions>"""

MODEL = dmn.loads(CASES, RELAY, STREETS)


def test_a_decision_of_an_unnamed_import_of_an_unnamed_import_is_required_by_name() -> None:
    assert MODEL.evaluate("Where", {}, model="Cases").value == "东城区"


def test_a_knowledge_model_passes_on_too() -> None:
    assert MODEL.evaluate("Which grid", {}, model="Cases").value == "网格 7"


def test_input_data_and_types_pass_on() -> None:
    assert MODEL.evaluate("Street name", {"Street": "和平里"}, model="Cases").value == "和平里"
    assert MODEL.evaluate("Street name", {"Street": 12}, model="Cases").value is None


def _district(namespace: str, value: str, imports: str = "") -> str:
    return f"""<definitions xmlns="{_NS}" id="{namespace}" name="{namespace}" namespace="urn:{namespace}">{imports}
  <decision id="district" name="District"><variable name="District"/>
    <literalExpression><text>"{value}"</text></literalExpression></decision>
</definitions>"""


def _imports(*namespaces: str) -> str:
    return "".join(f'<import namespace="urn:{ns}" name="" importType="{_NS}"/>' for ns in namespaces)


def test_depth_first_in_import_order_decides_between_two_definitions_of_a_name() -> None:
    relay = f"""<definitions xmlns="{_NS}" id="relay" name="relay" namespace="urn:relay">{_imports("east")}
</definitions>"""
    cases = f"""<definitions xmlns="{_NS}" id="cases" name="Cases" namespace="urn:cases">{_imports("relay", "west")}
  <decision id="d1" name="Where"><variable name="Where"/>
    <informationRequirement><requiredDecision href="#district"/></informationRequirement>
    <literalExpression><text>District</text></literalExpression></decision>
</definitions>"""
    model = dmn.loads(cases, relay, _district("east", "东城区"), _district("west", "西城区"))
    assert model.evaluate("Where", {}, model="Cases").value == "东城区"


def test_an_importer_own_name_wins_and_a_cycle_of_imports_ends() -> None:
    cases = f"""<definitions xmlns="{_NS}" id="cases" name="Cases" namespace="urn:cases">{_imports("loop")}
  <decision id="district" name="District"><variable name="District"/>
    <literalExpression><text>"朝阳区"</text></literalExpression></decision>
</definitions>"""
    loop = _district("loop", "海淀区", _imports("cases", "loop"))
    assert dmn.loads(cases, loop).evaluate("District", {}, model="Cases").value == "朝阳区"
