"""Reading DMN 1.1–1.5 XML into dmn.model: namespaces, item definitions, boxed expressions, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

import dmn
from dmn import model as m
from dmn.reader import is_dmn_namespace, read_bytes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dmn"

MINIMAL = """<definitions xmlns="{ns}" id="d" name="D" namespace="urn:d">
  <decision id="x" name="X"><variable name="X" typeRef="number"/>
    <literalExpression><text>1 + 1</text></literalExpression></decision>
</definitions>"""


@pytest.mark.parametrize("namespace", [
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20151101/dmn11.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
])
def test_every_dmn_version_reads_and_runs(namespace: str) -> None:
    model = dmn.loads(MINIMAL.format(ns=namespace))
    assert model.evaluate("X", {}).to_json() == 2


def test_other_namespaces_are_not_dmn() -> None:
    assert not is_dmn_namespace("http://www.omg.org/spec/BPMN/20100524/MODEL")
    with pytest.raises(dmn.DmnError, match="not the <definitions> of DMN"):
        read_bytes(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "x.bpmn")


def test_bad_xml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.dmn"
    path.write_text("<definitions", encoding="utf-8")
    with pytest.raises(dmn.DmnError) as raised:
        dmn.load(path)
    assert raised.value.file == str(path) and "not well-formed XML" in str(raised.value)


def test_a_duplicate_id_names_the_element() -> None:
    text = MINIMAL.format(ns="https://www.omg.org/spec/DMN/20230324/MODEL/").replace(
        "</definitions>", '<inputData id="x" name="Y"/></definitions>')
    with pytest.raises(dmn.DmnError) as raised:
        dmn.loads(text)
    assert raised.value.element_id == "x" and "used twice" in str(raised.value)


def test_entities_are_not_expanded() -> None:
    text = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + MINIMAL.format(ns="https://www.omg.org/spec/DMN/20230324/MODEL/").replace("1 + 1", "&e;"))
    model = dmn.loads(text)
    assert model.evaluate("X", {}).value is None  # the empty expression, never the file's text


def test_a_folder_without_dmn_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(dmn.DmnError, match="no DMN file given"):
        dmn.load(tmp_path)


def test_the_model_holds_item_definitions_and_boxed_expressions() -> None:
    definitions = dmn.load(FIXTURES / "kinds.dmn").definitions[0]
    applicant = definitions.item_definitions["tApplicant"]
    assert [component.name for component in applicant.components] == ["Age", "Marital Status", "Monthly"]
    assert [component.name for component in applicant.components[2].components] == ["Income", "Expenses"]
    assert definitions.item_definitions["tAmounts"].is_collection
    assert definitions.item_definitions["tMarital"].allowed_values == '"S", "M"'
    bkm = definitions.find("Installment calculation")
    assert isinstance(bkm, m.BusinessKnowledgeModel) and isinstance(bkm.logic, m.FunctionDefinition)
    assert [parameter.name for parameter in bkm.logic.parameters] == ["Amount", "Rate", "Term"]
    service = definitions.find("affordability_service")
    assert isinstance(service, m.DecisionService)
    assert [ref.element_id for ref in service.input_decisions] == ["disposable"]
    kinds = {element.name: type(element.logic).__name__ for element in definitions.elements.values()
             if isinstance(element, m.Decision)}
    assert {kinds["Terms"], kinds["Rate table"], kinds["Cheap products"], kinds["Doubled amounts"],
            kinds["Size class"], kinds["Affordability"], kinds["Required monthly installment"]} == {
        "ListExpr", "Relation", "Filter", "Iteration", "Conditional", "Context", "Invocation"}


def test_hit_policy_and_columns_are_read() -> None:
    definitions = dmn.load(FIXTURES / "hit_policies.dmn").definitions[0]
    dispatch = definitions.find("Dispatch")
    assert isinstance(dispatch, m.Decision) and isinstance(dispatch.logic, m.DecisionTable)
    assert [output.name for output in dispatch.logic.outputs] == ["Team", "Within hours"]
    assert dispatch.logic.inputs[0].values == '"sparking", "dark", "flicker"'
    fees = definitions.find("Fee sum")
    assert isinstance(fees, m.Decision) and isinstance(fees.logic, m.DecisionTable)
    assert (fees.logic.hit_policy, fees.logic.aggregation) == ("COLLECT", "SUM")


def test_imports_and_cross_file_references_are_read() -> None:
    model = dmn.load(FIXTURES / "imports")
    main = next(defs for defs in model.definitions if defs.name == "Main")
    assert main.imports == [m.Import("https://gridcase.example/dmn/shared", "shared",
                                     "https://www.omg.org/spec/DMN/20191111/MODEL/")]
    reward = main.find("Reward")
    assert isinstance(reward, m.Decision)
    assert reward.required_decisions == (m.Reference("https://gridcase.example/dmn/shared", "shared_rate"),)
    assert model.input_type("Reporter", model="Main") == {"Name": "string", "Reports": "number"}


def test_main_picks_the_import_at_its_location_and_ignores_unreadable_neighbours() -> None:
    folder = FIXTURES / "located"
    files = sorted(folder.rglob("*.dmn"))
    model = dmn.load(files, main="main.dmn")
    assert model.evaluate("Which", {}).value == "lib v2"
    assert [Path(defs.path).relative_to(folder).as_posix() for defs in model.definitions] == ["main.dmn", "v2/lib.dmn"]
    with pytest.raises(dmn.DmnError, match="not well-formed XML"):
        dmn.load(files, main="broken.dmn")
    with pytest.raises(dmn.DmnError, match="not well-formed XML"):
        dmn.load(files)  # without a main file every file must read


def test_load_takes_text_paths_as_well_as_path_objects() -> None:
    rules = Path(__file__).resolve().parents[2] / "rules" / "priority.dmn"
    for given in (str(rules), [str(rules)], rules):
        model = dmn.load(given)
        assert model.definitions[0].elements  # its decisions were read
