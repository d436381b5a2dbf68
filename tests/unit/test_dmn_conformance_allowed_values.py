"""Allowed values of item definitions where a value is bound to a declared type (DMN 1.5 §7.3.4, §10.3.2.9.4):
a value outside a type's allowed values does not conform to it, so where a parameter, a relation column, a
decision table output or an invocation binding declares such a type, a non-conforming value becomes null (with
a message) — while ``instance of`` still asks only for the kind (§10.3.2.9.1)."""

from __future__ import annotations

import dmn

MODEL = dmn.loads("""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="a" name="A"
    namespace="urn:allowed">
  <itemDefinition name="tLevel"><typeRef>string</typeRef>
    <allowedValues><text>"一级", "二级"</text></allowedValues></itemDefinition>
  <inputData id="i" name="Level"><variable name="Level"/></inputData>
  <decision id="lambda" name="Lambda"><variable name="Lambda"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <literalExpression><text>(function(level: tLevel) level)(Level)</text></literalExpression></decision>
  <decision id="instance" name="Instance"><variable name="Instance"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <literalExpression><text>Level instance of tLevel</text></literalExpression></decision>
  <decision id="relation" name="Relation"><variable name="Relation"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <relation><column name="level" typeRef="tLevel"/><column name="raw"/>
      <row><literalExpression><text>Level</text></literalExpression>
        <literalExpression><text>Level</text></literalExpression></row></relation></decision>
  <decision id="table" name="Table"><variable name="Table"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <decisionTable><output name="clause" typeRef="tLevel"/><output name="entry"/><output name="raw"/>
      <rule><outputEntry><text>Level</text></outputEntry><outputEntry typeRef="tLevel"><text>Level</text></outputEntry>
        <outputEntry><text>Level</text></outputEntry></rule></decisionTable></decision>
  <decision id="invocation" name="Invocation"><variable name="Invocation"/>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <invocation><literalExpression><text>function(level) level</text></literalExpression>
      <binding><parameter name="level" typeRef="tLevel"/><literalExpression><text>Level</text></literalExpression>
      </binding></invocation></decision>
</definitions>""")


def test_a_lambda_parameter_typed_by_an_item_definition_takes_an_allowed_value() -> None:
    assert MODEL.evaluate("Lambda", {"Level": "一级"}).value == "一级"


def test_a_lambda_parameter_typed_by_an_item_definition_refuses_a_value_outside_its_allowed_values() -> None:
    assert MODEL.evaluate("Lambda", {"Level": "三级"}).value is None


def test_a_singleton_list_argument_is_unwrapped_for_the_typed_parameter() -> None:
    assert MODEL.evaluate("Lambda", {"Level": ["二级"]}).value == "二级"


def test_instance_of_still_ignores_allowed_values() -> None:
    assert MODEL.evaluate("Instance", {"Level": "三级"}).value is True


def test_a_relation_column_type_makes_a_cell_outside_its_allowed_values_null() -> None:
    assert MODEL.evaluate("Relation", {"Level": "一级"}).value == [{"level": "一级", "raw": "一级"}]
    result = MODEL.evaluate("Relation", {"Level": "三级"})
    assert result.value == [{"level": None, "raw": "三级"}]
    assert "relation column 'level'" in result.messages[0]


def test_output_clause_and_output_entry_types_make_only_their_output_null() -> None:
    assert MODEL.evaluate("Table", {"Level": "二级"}).value == {"clause": "二级", "entry": "二级", "raw": "二级"}
    result = MODEL.evaluate("Table", {"Level": "三级"})
    assert result.value == {"clause": None, "entry": None, "raw": "三级"}
    assert any("output 'clause'" in message for message in result.messages)
    assert any("output 'entry'" in message for message in result.messages)


def test_an_invocation_binding_type_binds_null_for_a_value_outside_its_allowed_values() -> None:
    assert MODEL.evaluate("Invocation", {"Level": "一级"}).value == "一级"
    result = MODEL.evaluate("Invocation", {"Level": "三级"})
    assert result.value is None
    assert "binding 'level'" in result.messages[0]
