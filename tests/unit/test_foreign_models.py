"""Models from other tools (tests/fixtures/foreign_models, sources in its README): each file either deploys
or is refused in the designer's words, naming an element, with no repr or traceback; SpiffWorkflow's own parse
errors are explained; DMN 1.1 to 1.5 namespaces load; isExecutable="false" says what to set.

``python tests/unit/test_foreign_models.py`` prints the corpus counts (deployed / refused by reason)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from designer.lint import Problem
from engine.bpmn.dmn_file import DMN_NAMESPACES, DmnFileError, parse_dmn
from engine.bpmn.foreign import is_bpmn_file, is_model_file
from engine.bpmn.parse_errors import explain
from engine.bpmn.specs import GridcaseParser, parse_bundles
from engine.domain.errors import ProcessInvalid
from engine.service.validate import validate_sources

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "foreign_models"
RAW = re.compile(r"0x[0-9a-fA-F]+|<Element|Traceback|object at")
# file → "deployed" (BPMN), "accepted" (DMN: parses, ready to deploy with the BPMN that calls it) or the reason
# it is refused. The counts in the README and the report come from this corpus through corpus_outcomes().
EXPECTED = {
    "camunda_check_order.dmn": "accepted",
    "camunda_dinner_decisions.dmn": "accepted",
    "camunda_hooray.dmn": "accepted",  # date arithmetic in a cell: full FEEL evaluates it
    "camunda_invoice_approval.bpmn": "deployed",
    "camunda_loan_approval_service.bpmn": "service task",
    "camunda_message_start.bpmn": "deployed",
    "dmnjs_input_variable.dmn": "accepted",
    "flowable_collapsed_subprocess.bpmn20.xml": "deployed",
    "flowable_create_timers.bpmn20.xml": "script in another language",
    "flowable_decide_on_bean.bpmn20.xml": "path without an end event",
    "flowable_financial_report.bpmn20.xml": "deployed",
    "flowable_inclusive_parallel.bpmn20.xml": "deployed",
    "flowable_one_task.bpmn20.xml": "deployed",
    "flowable_one_task_boundary_message.bpmn20.xml": "deployed",
    "gridcase_camunda_stall_fee.bpmn": "deployed",  # with its companion gridcase_camunda_stall_fee.dmn
    "gridcase_camunda_stall_fee.dmn": "accepted",
    "gridcase_flowable_overtime_fee.bpmn20.xml": "deployed",
    "gridcase_zeebe_fine_review.bpmn": "deployed",  # FEEL (=…) conditions and timers, zeebe: elements ignored
    "miwg_A.1.0.bpmn": "isExecutable=false",
    "miwg_A.2.1.bpmn": "isExecutable=false",
    "spiff_data_object_invalid.bpmn": "data association",
    "spiff_exclusive_gateway_default.bpmn": "deployed",
    "spiff_script_process.bpmn": "deployed",
}
REASONS = (("isExecutable", "isExecutable=false"), ("service task", "service task"),
           ("scriptFormat", "script in another language"), ("dead end", "path without an end event"),
           ("data output association", "data association"), ("data input association", "data association"),
           ("FEEL", "FEEL gridcase does not evaluate"), ("JUEL", "JUEL outside the translated forms"),
           ("names no message", "no message"), ("has no time", "empty timer"))


def corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if is_model_file(path.name))


def outcome(path: Path) -> tuple[str, list[Problem]]:
    """("deployed" | "accepted" | reason, problems) as ``POST /processes/validate`` and deploy see the file."""
    files = {path.name: path.read_text(encoding="utf-8")}
    companion = path.with_name(path.name.split(".")[0] + ".dmn")  # the DMN a model's business rule tasks call
    if is_bpmn_file(path.name) and companion.is_file():
        files[companion.name] = companion.read_text(encoding="utf-8")
    problems = validate_sources(None, files, None)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = next((label for words, label in REASONS for p in errors if words in p.message), "other")
        return first, problems
    if not is_bpmn_file(path.name):
        return "accepted", problems
    assert parse_bundles(files), f"{path.name}: no errors, but nothing to deploy"
    return "deployed", problems


def corpus_outcomes() -> Counter[str]:
    return Counter(outcome(path)[0] for path in corpus_files())


def test_the_corpus_is_the_readme_s() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in corpus_files()] == sorted(EXPECTED)
    assert all(f"`{name}`" in readme for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_model_deploys_or_is_refused_in_the_designer_s_words(name: str) -> None:
    result, problems = outcome(CORPUS / name)
    assert result == EXPECTED[name], [p.message for p in problems if p.severity == "error"]
    for problem in problems:
        assert not RAW.search(problem.message), problem.message
    errors = [p for p in problems if p.severity == "error"]
    if errors:  # a refusal names an element of the model (or the DMN decision in its text)
        assert any(p.element_id for p in errors) or any("decision" in p.message for p in errors)


def test_a_deploy_of_a_refused_model_says_the_same_without_reprs() -> None:
    from engine.service.validate import refuse_invalid

    files = {"spiff_data_object_invalid.bpmn": (CORPUS / "spiff_data_object_invalid.bpmn").read_text()}
    with pytest.raises(ProcessInvalid) as refused:
        refuse_invalid(validate_sources(None, files, None))
    assert "generate_data" in refused.value.message and "'Generate Data'" in refused.value.message
    assert "data output association" in refused.value.message and not RAW.search(refused.value.message)
    with pytest.raises(ProcessInvalid) as parsed:  # the parser's own path, had lint let it through
        parse_bundles(files)
    assert "generate_data" in parsed.value.message and not RAW.search(parsed.value.message)


BPMN_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
             'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">')


def _spiff_failure(body: str) -> Exception:
    parser = GridcaseParser()
    try:
        parser.add_bpmn_str(f'{BPMN_HEAD}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process>'
                            "</bpmn:definitions>".encode(), filename="m.bpmn")
        parser.get_spec("p")
    except Exception as exc:  # the parser's own exception, to be explained
        return exc
    raise AssertionError("the model parsed")


@pytest.mark.parametrize(("body", "element", "words"), [
    ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>'
     '<bpmn:subProcess id="sub" name="Inspect"><bpmn:task id="t"/></bpmn:subProcess>', "sub",
     "subProcess 'Inspect' (id sub) has 0 start events; a subprocess starts at exactly one: add one"),
    ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
     '<bpmn:task id="w" name="Write"><bpmn:dataOutputAssociation id="a"><bpmn:targetRef>nowhere</bpmn:targetRef>'
     '</bpmn:dataOutputAssociation></bpmn:task>', "w", "task 'Write' (id w) writes to a data object"),
    ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>'
     '<bpmn:callActivity id="c" name="Call"/>', "c", "names no process to call"),
    ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
     '<bpmn:task id="t" name="Fork"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
     '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e1"/><bpmn:sequenceFlow id="f3" sourceRef="t" '
     'targetRef="e2"/>', "t", "split the path with a gateway"),
])
def test_spiffworkflow_errors_are_explained_naming_the_element(body: str, element: str, words: str) -> None:
    failure = _spiff_failure(body)
    found, message = explain(failure, "m.bpmn")
    assert found == element and words in message, message
    assert not RAW.search(message)


def test_an_unknown_spiffworkflow_error_still_names_its_element_without_reprs() -> None:
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    node = etree.fromstring('<task xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="t9" name="Odd"/>')
    failure = ValidationException(f"Something odd about {node!r}", node=node, file_name="m.bpmn")
    assert RAW.search(str(failure))  # the raw text carries the repr …
    element, message = explain(failure, "m.bpmn")
    assert element == "t9" and "task 'Odd' (id t9)" in message and not RAW.search(message)  # … the user's not


def test_a_process_marked_not_executable_says_which_and_what_to_set() -> None:
    text = (CORPUS / "miwg_A.1.0.bpmn").read_text()
    [problem] = [p for p in validate_sources(None, {"a.bpmn": text}, None) if p.severity == "error"]
    assert problem.element_id == "WFP-6-" and 'set isExecutable="true"' in problem.message
    executable = text.replace('isExecutable="false"', 'isExecutable="true"')
    assert [p for p in validate_sources(None, {"a.bpmn": executable}, None) if p.severity == "error"] == []
    both = validate_sources(None, {"a.bpmn": text, "b.bpmn": executable.replace("WFP-6-", "other")}, None)
    assert [(p.element_id, p.severity) for p in both if p.element_id == "WFP-6-"] == [("WFP-6-", "warning")]


def test_a_message_event_without_a_message_and_an_empty_timer_say_what_to_add() -> None:
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
            '<bpmn:intermediateCatchEvent id="w" name="Payment received"><bpmn:messageEventDefinition/>'
            '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="t"/>'
            '<bpmn:intermediateCatchEvent id="t" name="Wait"><bpmn:timerEventDefinition/>'
            '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e"/>'
            '<bpmn:endEvent id="e"/>')
    text = f'{BPMN_HEAD}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    errors = {p.element_id: p.message for p in validate_sources(None, {"m.bpmn": text}, None) if p.severity == "error"}
    assert "'Payment received' names no message: add a bpmn:message" in errors["w"]
    assert "has no time" in errors["t"] and "timeDuration, e.g. PT4H" in errors["t"]


def test_juel_timers_and_loops_are_translated_and_other_languages_refused() -> None:
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
            '<bpmn:intermediateCatchEvent id="w" name="Wait"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>${pause}</bpmn:timeDuration></bpmn:timerEventDefinition>'
            '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="g"/>'
            '<bpmn:exclusiveGateway id="g" default="f4"/><bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e">'
            '<bpmn:conditionExpression language="groovy">x.size() &gt; 2</bpmn:conditionExpression>'
            '</bpmn:sequenceFlow><bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>')
    text = f'{BPMN_HEAD}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    found = {(p.element_id, p.severity): p.message for p in validate_sources(None, {"m.bpmn": text}, None)}
    note = found["w", "warning"]
    assert "the JUEL timer of 'Wait' '${pause}' was translated to the Python expression 'pause'" in note
    assert "written in groovy" in found["f3", "error"] and ("f3", "warning") not in found
    assert ("w", "error") not in found
    spec = parse_bundles({"m.bpmn": text.replace(' language="groovy">x.size() &gt; 2', ">x &gt; 2")})
    assert spec and '"pause"' in spec[0].spec_json  # the spec runs the Python, not the JUEL
    assert "${pause}" in spec[0].sources["m.bpmn"]  # the version keeps the file as uploaded


def test_a_condition_in_no_language_gridcase_reads_shows_its_text_and_what_runs() -> None:
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
            '<bpmn:exclusiveGateway id="g" default="f3"/><bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e">'
            '<bpmn:conditionExpression>Amount &gt; 1000?</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>')
    text = f'{BPMN_HEAD}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    [problem] = validate_sources(None, {"m.bpmn": text}, None)
    assert problem.element_id == "f2" and "'Amount > 1000?' is not Python" in problem.message
    assert "rewrite it in Python" in problem.message and not RAW.search(problem.message)


@pytest.mark.parametrize("namespace", [*DMN_NAMESPACES, "https://www.omg.org/spec/DMN/20151101/dmn.xsd",
                                       "https://www.omg.org/spec/DMN/20191111/MODEL",
                                       "http://www.omg.org/spec/DMN/20211108/MODEL/"])
def test_dmn_1_1_to_1_5_namespaces_load(namespace: str) -> None:
    text = (CORPUS / "camunda_check_order.dmn").read_text().replace(
        "http://www.omg.org/spec/DMN/20151101/dmn11.xsd", namespace)
    decisions, _ = parse_dmn(text)
    assert list(decisions) == ["checkOrder"]


def test_other_namespaces_are_refused_naming_what_is_read() -> None:
    text = (CORPUS / "camunda_check_order.dmn").read_text().replace(
        "http://www.omg.org/spec/DMN/20151101/dmn11.xsd", "http://www.omg.org/spec/DMN/20990101/MODEL/")
    with pytest.raises(DmnFileError) as refused:
        parse_dmn(text)
    assert "DMN 1.1" in str(refused.value) and "20990101" in str(refused.value)


def test_flowable_file_names_are_bpmn() -> None:
    assert is_bpmn_file("x.bpmn20.xml") and is_bpmn_file("x.bpmn") and not is_bpmn_file("x.xml")
    assert is_model_file("x.dmn") and not is_model_file("x.bpmn.txt")


if __name__ == "__main__":
    counts = corpus_outcomes()
    print(f"{len(corpus_files())} files: " + ", ".join(f"{reason}: {n}" for reason, n in counts.most_common()))
