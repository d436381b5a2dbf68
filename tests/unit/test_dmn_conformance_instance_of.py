"""``instance of`` an item definition (DMN 1.5 §10.3.2.9.1 type conformance, §10.3.4.x ``instance of``): the
value's kind is the definition's base type — allowed values are a constraint, not part of the type — a
structure needs every component (extra entries allowed; a null component conforms), a collection is a list of
conforming items (the empty list conforms; nothing is wrapped), a function item counts its parameters.
Parameters typed by an item definition (``function(a: tDistrict) …``) accept conforming arguments only."""

from __future__ import annotations

import pytest

import dmn

ITEMS = """
  <itemDefinition name="tHour"><typeRef>number</typeRef><allowedValues><text>[0..23]</text></allowedValues>
  </itemDefinition>
  <itemDefinition name="tDistrict"><typeRef>string</typeRef>
    <allowedValues><text>"东城", "西城"</text></allowedValues></itemDefinition>
  <itemDefinition name="tHours" isCollection="true"><typeRef>number</typeRef></itemDefinition>
  <itemDefinition name="tAnything" isCollection="true"><typeRef>Any</typeRef></itemDefinition>
  <itemDefinition name="tCase">
    <itemComponent name="id"><typeRef>string</typeRef></itemComponent>
    <itemComponent name="hour"><typeRef>tHour</typeRef></itemComponent>
  </itemDefinition>
  <itemDefinition name="tCases" isCollection="true"><typeRef>tCase</typeRef></itemDefinition>
  <itemDefinition name="tRule"><functionItem outputTypeRef="string">
    <parameters name="p1" typeRef="string"/><parameters name="p2" typeRef="number"/></functionItem>
  </itemDefinition>
"""

CASES = [
    ("99 instance of tHour", True),  # the allowed values [0..23] constrain, they do not type
    ('"x" instance of tHour', False),
    ('"南城" instance of tDistrict', True),
    ("[1, 2, 3] instance of tHours", True),
    ("[] instance of tHours", True),
    ("[] instance of tAnything", True),
    ('[1, "2", @"2024-01-01"] instance of tAnything', True),
    ('[1, "2"] instance of tHours', False),
    ("1 instance of tHours", False),  # no singleton wrapping for instance of
    ("[1] instance of tHour", False),  # nor unwrapping
    ('{id: "c1", hour: 3} instance of tCase', True),
    ('{id: "c1", hour: 3, note: "extra"} instance of tCase', True),
    ('{id: "c1", hour: null} instance of tCase', True),
    ('{id: "c1"} instance of tCase', False),
    ('{id: "c1", hour: "3"} instance of tCase', False),
    ('[{id: "c1", hour: 3}] instance of tCases', True),
    ('[{id: "c1", hour: 3}] instance of list<tCase>', True),
    ('[{id: "c1"}] instance of list<tCase>', False),
    ('(function(a: string, b: number) "x") instance of tRule', True),
    ('(function(a) "x") instance of tRule', False),
    ('(function(a: string, b: string) "x") instance of tRule', False),  # p2 is a number, b takes strings
    ('(function(a, b) "x") instance of tRule', True),
    ("(function(a, b) 1) instance of tRule", False),  # tRule's output is a string
    ('{rule: function(a: string, b: number) "x"} instance of tCase', False),
    ('{f: function(a, b) a} instance of tCase', False),
    ("null instance of tHour", False),
    ("5 instance of tNoSuchType", False),
]


def _model(cases: list[tuple[str, bool]]) -> dmn.Model:
    decisions = "".join(
        f'<decision id="d{i}" name="d{i}"><variable name="d{i}"/>'
        f"<literalExpression><text>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}"
        f"</text></literalExpression></decision>"
        for i, (text, _) in enumerate(cases)
    )
    return dmn.loads('<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="i" name="I" '
                     f'namespace="urn:instance-of">{ITEMS}{decisions}</definitions>')


MODEL = _model(CASES)


@pytest.mark.parametrize(("index", "text", "expected"), [(i, t, e) for i, (t, e) in enumerate(CASES)])
def test_instance_of_an_item_definition(index: int, text: str, expected: bool) -> None:
    assert MODEL.evaluate(f"d{index}", {}).value is expected, text


def test_a_parameter_typed_by_an_item_definition_takes_conforming_arguments_only() -> None:
    model = _model([('(function(d: tDistrict) "in " + d)("东城")', True),
                    ('(function(c: tCase) c.id)({id: "c9", hour: 2})', True),
                    ('(function(c: tCase) c.id)({hour: 2})', True),
                    ("(function(h: tHours) count(h))([1, 2])", True)])
    assert model.evaluate("d0", {}).value == "in 东城"
    assert model.evaluate("d1", {}).value == "c9"
    assert model.evaluate("d2", {}).value is None  # not a tCase: the invocation is null
    assert model.evaluate("d3", {}).value == 2
