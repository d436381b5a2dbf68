"""An import found by its locationURI (DMN 1.5 §6.3.3: an import names the imported model's namespace and,
optionally, the location of its file). When no loaded file declares the import's namespace, the file at the
location is the imported model, and the hrefs that name the import's namespace point into it."""

from __future__ import annotations

from pathlib import Path

import pytest

import dmn

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"

MAIN = f"""<definitions xmlns="{NS}" id="main" name="Main" namespace="urn:main">
  <import name="lib" namespace="urn:as-imported" locationURI="sub/lib.dmn" importType="{NS}"/>
  <decision id="greeting" name="Greeting"><variable name="Greeting" typeRef="string"/>
    <informationRequirement><requiredDecision href="urn:as-imported#who"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="urn:as-imported#shout"/></knowledgeRequirement>
    <literalExpression><text>lib.shout("hello " + lib.Who)</text></literalExpression></decision>
  <decision id="names" name="Names"><variable name="Names" typeRef="lib.tNames"/>
    <literalExpression><text>"Ana"</text></literalExpression></decision>
</definitions>"""

LIB = f"""<definitions xmlns="{NS}" id="lib" name="Lib" namespace="urn:as-declared">
  <itemDefinition name="tNames" isCollection="true"><typeRef>string</typeRef></itemDefinition>
  <decision id="who" name="Who"><variable name="Who" typeRef="string"/>
    <literalExpression><text>"world"</text></literalExpression></decision>
  <businessKnowledgeModel id="shout" name="shout"><variable name="shout"/>
    <encapsulatedLogic><formalParameter name="text" typeRef="string"/>
      <literalExpression><text>upper case(text)</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>
</definitions>"""


def _write(folder: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder.rglob("*.dmn"))


def test_the_file_at_the_location_is_the_import_when_no_file_declares_its_namespace(tmp_path: Path) -> None:
    model = dmn.load(_write(tmp_path, {"main.dmn": MAIN, "sub/lib.dmn": LIB}), main="main.dmn")
    assert model.evaluate("Greeting", {}).value == "HELLO WORLD"
    # the imported item definition types the decision: a singleton list by §10.3.2.9.4's conversion
    assert model.evaluate("Names", {}).value == ["Ana"]


def test_a_file_declaring_the_namespace_still_wins_over_the_location(tmp_path: Path) -> None:
    declared = LIB.replace("urn:as-declared", "urn:as-imported").replace('"world"', '"declared"')
    files = _write(tmp_path, {"main.dmn": MAIN, "sub/lib.dmn": LIB, "other/lib.dmn": declared})
    model = dmn.load(files, main="main.dmn")
    assert model.evaluate("Greeting", {}).value == "HELLO DECLARED"


def test_a_missing_location_refuses_only_the_decisions_that_reach_into_it(tmp_path: Path) -> None:
    model = dmn.load(_write(tmp_path, {"main.dmn": MAIN.replace("sub/lib.dmn", "sub/none.dmn")}), main="main.dmn")
    result = model.evaluate("Greeting", {})
    assert result.value is None
    assert any("points to nothing loaded" in str(message) for message in result.messages)


def test_a_located_file_may_import_the_same_namespace_at_another_location(tmp_path: Path) -> None:
    # each import is resolved for its importer: lib's own import of "urn:as-imported" is deeper.dmn, not lib
    looping = LIB.replace(
        "<itemDefinition",
        f'<import name="x" namespace="urn:as-imported" locationURI="deeper.dmn" importType="{NS}"/><itemDefinition',
        1,
    )
    model = dmn.load(_write(tmp_path, {"main.dmn": MAIN, "sub/lib.dmn": looping}), main="main.dmn")
    assert model.evaluate("Greeting", {}).value == "HELLO WORLD"


def _chained(label: str, imports: str, requires: str, text: str) -> str:
    # every file keeps its modeler's default namespace and the same ids, as exported copies do
    return f"""<definitions xmlns="{NS}" id="defs" name="{label}" namespace="urn:default">{imports}
  <inputData id="_input" name="input"><variable name="input" typeRef="string"/></inputData>
  <decision id="_decision" name="decision"><variable name="decision" typeRef="string"/>
    <informationRequirement><requiredInput href="#_input"/></informationRequirement>{requires}
    <literalExpression><text>{text}</text></literalExpression></decision>
</definitions>"""


def _import(name: str, namespace: str, location: str) -> str:
    return f'<import name="{name}" namespace="{namespace}" locationURI="{location}" importType="{NS}"/>'


def _requires(namespace: str) -> str:
    return (f'<informationRequirement><requiredInput href="{namespace}#_input"/></informationRequirement>'
            f'<informationRequirement><requiredDecision href="{namespace}#_decision"/></informationRequirement>')


CHAIN = {
    "a.dmn": _chained("A", _import("i", "urn:next", "b.dmn") + _import("x", "urn:c", "c.dmn"),
                      _requires("urn:next") + _requires("urn:c"),
                      'input + " " + i.input + " " + i.decision + ", " + x.input + " " + x.decision'),
    "b.dmn": _chained("B", _import("i", "urn:next", "c.dmn"), _requires("urn:next"),
                      'input + " " + i.input + " " + i.decision'),
    "c.dmn": _chained("C", "", "", "input"),
}


def test_a_chain_of_files_sharing_one_namespace_is_told_apart_by_location(tmp_path: Path) -> None:
    # A imports B as "urn:next", B imports C as "urn:next", and A imports C again as "urn:c": one namespace
    # (and one set of ids) in every file; each import's locationURI says which file it means
    model = dmn.load(_write(tmp_path, CHAIN), main="a.dmn")
    inputs = {"input": "A", "i.input": "B", "i.i.input": "C", "x.input": "xC"}
    assert model.evaluate("decision", inputs, model="a.dmn").value == "A B B C C, xC xC"
    # each file keeps its own logic although ids and namespace repeat
    assert model.evaluate("decision", {"input": "B", "i.input": "C"}, model="b.dmn").value == "B C C"


def test_a_chain_loaded_as_a_folder_resolves_the_same(tmp_path: Path) -> None:
    _write(tmp_path, CHAIN)
    model = dmn.load(tmp_path)
    inputs = {"input": "A", "i": {"input": "B", "i": {"input": "C"}}, "x": {"input": "xC"}}
    assert model.evaluate("decision", inputs, model="a.dmn").value == "A B B C C, xC xC"


@pytest.mark.parametrize("location", ["sub/lib.dmn", "./sub/lib.dmn"])
def test_the_location_is_relative_to_the_importing_file(tmp_path: Path, location: str) -> None:
    files = _write(tmp_path, {"a/main.dmn": MAIN.replace("sub/lib.dmn", location), "a/sub/lib.dmn": LIB})
    assert dmn.load(files, main="main.dmn").evaluate("Greeting", {}).value == "HELLO WORLD"


SERVICE_MAIN = f"""<definitions xmlns="{NS}" id="main" name="Main" namespace="urn:main">
  {_import("i", "urn:lib", "lib.dmn")}
  <decisionService id="_service" name="service"><variable name="service"/>
    <outputDecision href="urn:lib#_echo"/><encapsulatedDecision href="urn:lib#_echo"/>
    <inputDecision href="urn:lib#_word"/></decisionService>
  <decision id="_call" name="call"><variable name="call" typeRef="string"/>
    <knowledgeRequirement><requiredKnowledge href="#_service"/></knowledgeRequirement>
    <literalExpression><text>service(i.word: "foo")</text></literalExpression></decision>
</definitions>"""

SERVICE_LIB = f"""<definitions xmlns="{NS}" id="lib" name="Lib" namespace="urn:lib">
  <decision id="_echo" name="echo"><variable name="echo" typeRef="string"/>
    <informationRequirement><requiredDecision href="#_word"/></informationRequirement>
    <literalExpression><text>word + "!"</text></literalExpression></decision>
  <decision id="_word" name="word"><variable name="word" typeRef="string"/>
    <literalExpression><text>"bar"</text></literalExpression></decision>
</definitions>"""


def test_a_services_imported_input_decision_is_a_parameter_under_its_import_name(tmp_path: Path) -> None:
    # the service's model sees lib's decision as i.word (DMN 1.5 §6.3.3), so that is the parameter's name
    model = dmn.load(_write(tmp_path, {"main.dmn": SERVICE_MAIN, "lib.dmn": SERVICE_LIB}), main="main.dmn")
    assert model.service_parameters("service") == ("i.word",)
    assert model.evaluate("call", {}).value == "foo!"
    direct = model.evaluate_service("service", {"i.word": "baz"})
    assert direct.value == "baz!" and direct.outputs == {"i.echo": "baz!"}
