"""Models from other tools: which files are BPMN, and the Camunda/Flowable expressions translated on import.

Flowable names BPMN files ``*.bpmn20.xml``; Camunda 7 and Flowable write conditions, timers and loop
expressions in JUEL. The deploy parser and the designer's lint both read a model through
:func:`translate_expressions`, so what is validated is what runs: each JUEL expression of the simple
comparison/boolean forms becomes the equivalent Python expression (``engine.bpmn.juel``), anything else is
refused naming its element, and scripts or conditions declared in another language are refused outright
(Python that happens to parse would run with other semantics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from engine.bpmn.juel import JuelError, is_juel, translate

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")  # .bpmn20.xml: Flowable's (and Activiti's) name for a BPMN file
DMN_SUFFIX = ".dmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
# A Camunda business rule task's result mapping, carried on the rewritten tree to the parser (engine.bpmn.specs);
# only the in-memory tree has these: the version stores the file as uploaded.
MAP_DECISION_RESULT, RESULT_VARIABLE = f"{{{SPIFF_NS}}}camundaMapDecisionResult", f"{{{SPIFF_NS}}}camundaResultVariable"
DECISION_MAPPINGS = {  # camunda:mapDecisionResult → what the result variable holds (resultList is Camunda's default)
    "singleEntry": "the value of the one output of the one matched rule (null when none matched)",
    "singleResult": "the outputs of the one matched rule as a map (null when none matched)",
    "collectEntries": "a list of the one output's value of each matched rule",
    "resultList": "a list with a map of the outputs of each matched rule"}
_PYTHON_LANGUAGES = {"", "python", "text/x-python", "application/x-python"}
_JUEL_LANGUAGES = {"juel", "el", "http://www.omg.org/spec/bpmn/20100524/model", "http://www.w3.org/1999/xpath"}
# Where an expression sits: tag of the text element → (what it is called, how many levels up the element is).
_EXPRESSIONS = {"conditionExpression": ("condition", 1), "timeDuration": ("timer", 2), "timeDate": ("timer", 2),
                "timeCycle": ("timer", 2), "loopCardinality": ("loop cardinality", 2),
                "completionCondition": ("completion condition", 2), "condition": ("condition", 2),
                "loopCondition": ("loop condition", 2)}


def is_bpmn_file(name: str) -> bool:
    """A BPMN file name: ``*.bpmn``, or Flowable's ``*.bpmn20.xml``."""
    return name.endswith(BPMN_SUFFIXES)


def bpmn_files_in(folder: Path) -> list[Path]:
    """The BPMN files of ``folder`` (not its subfolders), sorted: ``*.bpmn`` and ``*.bpmn20.xml``."""
    return sorted(path for path in folder.iterdir() if path.is_file() and is_bpmn_file(path.name))


def first_bpmn(files: Mapping[str, str]) -> str | None:
    """The text of the first BPMN file (by name) among a version's sources (name → text); None without one."""
    return next((text for name, text in sorted(files.items()) if is_bpmn_file(name)), None)


def is_model_file(name: str) -> bool:
    """A BPMN or DMN file name (what deploy, validate and drafts accept besides forms)."""
    return is_bpmn_file(name) or name.endswith(DMN_SUFFIX)


@dataclass(frozen=True)
class Translation:
    """One foreign expression: translated (``python`` set) or refused (``refusal`` set)."""

    element_id: str | None
    element_name: str | None
    what: str  # "condition", "timer", "loop cardinality", "script" …
    source: str
    python: str | None = None
    refusal: str | None = None
    note: str | None = None  # a translation that is no expression (a Camunda decision reference): said as is

    @property
    def message(self) -> str:
        """The designer's words: what was translated into what, or why it is refused and what to write."""
        named = f" of {self.element_name!r}" if self.element_name else ""
        if self.note is not None:
            return self.note
        if self.python is not None:
            return (f"the JUEL {self.what}{named} {self.source.strip()!r} was translated to the Python expression "
                    f"{self.python!r}, which gridcase runs; save the model to keep the Python form")
        return f"the {self.what}{named} {self.source.strip()!r} cannot run in gridcase: {self.refusal}"


def translate_expressions(root: Any) -> list[Translation]:
    """Rewrite every translatable JUEL expression of the BPMN tree ``root`` to Python, in place; report each
    translation and each expression refused (left as it was, so nothing runs what was not understood)."""
    found: list[Translation] = []
    for text_el in root.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in _EXPRESSIONS)):
        what, up = _EXPRESSIONS[etree.QName(text_el).localname]
        element = text_el.getparent() if up == 1 else text_el.getparent().getparent()
        if element is None:
            continue
        source = text_el.text or ""
        language = (text_el.get("language") or "").strip().lower()
        if language and language not in _PYTHON_LANGUAGES | _JUEL_LANGUAGES and source.strip():
            found.append(_found(element, what, source, refusal=_other_language(language, what)))
        elif is_juel(source):
            try:
                python = translate(source)
            except JuelError as exc:
                found.append(_found(element, what, source, refusal=f"it {exc}"))
                continue
            text_el.text = python
            found.append(_found(element, what, source, python=python))
    found += [_decision_reference(task) for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask")
              if task.get(f"{{{CAMUNDA_NS}}}decisionRef") is not None
              and task.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId") is None]
    for script_task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        language = (script_task.get("scriptFormat") or "").strip().lower()
        if language not in _PYTHON_LANGUAGES:
            source = script_task.findtext(f"{{{BPMN_NS}}}script") or ""
            found.append(_found(script_task, "script", source[:80], refusal=_other_language(language, "script")))
    return found


def _decision_reference(task: Any) -> Translation:
    """Camunda's ``camunda:decisionRef`` (+ ``resultVariable``, ``mapDecisionResult``) rewritten to SpiffWorkflow's
    ``calledDecisionId`` extension, which the parser and lint read, with the mapping kept for the parser."""
    decision = (task.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
    variable = (task.get(f"{{{CAMUNDA_NS}}}resultVariable") or "").strip()
    mapping = (task.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList").strip()
    source = f'camunda:decisionRef="{decision}"'
    if is_juel(decision) or not decision:
        return _found(task, "decision reference", source, refusal=(
            "the decision is chosen at run time (or not at all); gridcase runs the decision deployed with the "
            'model: name its id, e.g. camunda:decisionRef="approval"'))
    if mapping not in DECISION_MAPPINGS:
        return _found(task, "decision reference", source, refusal=(
            f'camunda:mapDecisionResult="{mapping}" is none of {", ".join(DECISION_MAPPINGS)}: pick one'))
    for name in ("decisionRef", "resultVariable", "mapDecisionResult"):
        task.attrib.pop(f"{{{CAMUNDA_NS}}}{name}", None)
    extensions = task.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        task.insert(0, extensions)
    etree.SubElement(extensions, f"{{{SPIFF_NS}}}calledDecisionId").text = decision
    task.set(MAP_DECISION_RESULT, mapping)
    if variable:
        task.set(RESULT_VARIABLE, variable)
    named = f"business rule task {task.get('name')!r}" if task.get("name") else "the business rule task"
    kept = (f"its result goes to {variable!r} as {DECISION_MAPPINGS[mapping]} (mapDecisionResult=\"{mapping}\")"
            if variable else "no result is kept (Camunda keeps one only in camunda:resultVariable; set it to keep it)")
    return _found(task, "decision reference", source, note=(
        f"{named} runs the DMN decision {decision!r} deployed with this model ({source}, read as SpiffWorkflow's "
        f"calledDecisionId); {kept}"))


def _found(element: Any, what: str, source: str, **outcome: str) -> Translation:
    return Translation(element.get("id"), element.get("name") or None, what, source, **outcome)


def _other_language(language: str, what: str) -> str:
    return (f"it is written in {language}, and gridcase runs Python only: rewrite the {what} in Python "
            f"(and drop the language attribute)" if what != "script" else
            f"it is written in {language} (scriptFormat), and gridcase runs Python scripts only: rewrite it in "
            "Python and set scriptFormat to python (or remove it)")
