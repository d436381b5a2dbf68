"""Task forms deployed with a process version: which forms a model's tasks name, and the form files of a deploy.

A user or manual task names its form with the extension property ``form`` (``forms/<name>.json``, relative to
the workflows folder). A deploy may carry form files next to the BPMN/DMN (``forms/<name>.json`` entries);
the forms the process's tasks name are stored in the version's sources under that same name, and are part
of its sha256 (``version_digest``), so a changed form makes a new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from lxml import etree

from engine.domain.errors import GridcaseError
from engine.domain.forms import load_form

FORM_FILE = re.compile(r"^forms/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,190}\.json$")
# A start event's form is the process's start form (engine.bpmn.starters): stored with the version like a task's.
_XPATH = ("//*[local-name()='userTask' or local-name()='manualTask' or local-name()='startEvent']"
          "/*[local-name()='extensionElements']"
          "/*[local-name()='properties']/*[local-name()='property'][@name='form' or @name='formKey']/@value")


def is_form_file(name: str) -> bool:
    """Whether a file name of a deploy is a form file (``forms/<name>.json``)."""
    return FORM_FILE.fullmatch(name) is not None


def split_files(files: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(model files, form files) of a deploy: ``forms/…`` entries are forms, everything else is a model file."""
    models = {name: text for name, text in files.items() if not name.startswith("forms/")}
    forms = {name: text for name, text in files.items() if name.startswith("forms/")}
    return models, forms


def form_references(bpmn_texts: Iterable[str]) -> set[str]:
    """Every form reference a user/manual task of the BPMN texts names (unparseable texts name none)."""
    found: set[str] = set()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for text in bpmn_texts:
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except (etree.XMLSyntaxError, ValueError):
            continue
        found |= {str(value) for value in root.xpath(_XPATH) if value}
    return found


def folder_form_text(folder: Path | None, reference: str) -> str | None:
    """The text of ``reference`` under ``folder``; None outside the folder, absent, or no folder."""
    if folder is None:
        return None
    root = folder.resolve()
    path = (root / reference).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def collect_forms(sources: Mapping[str, str], sent: Mapping[str, str], folder: Path | None) -> dict[str, str]:
    """Reference → text of every form the BPMN ``sources`` name: as sent with the deploy, else from ``folder``
    (a form found in neither is left out: lint warned about it)."""
    references = form_references(text for name, text in sources.items() if not name.endswith((".dmn", ".json")))
    forms = {}
    for reference in sorted(references):
        text = sent.get(reference)
        text = folder_form_text(folder, reference) if text is None else text
        if text is not None:
            forms[reference] = text
    return forms


def _canonical(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return text


def version_digest(spec_json: str, forms: Mapping[str, str], starters: Sequence[str] | None = None) -> str:
    """A version's sha256: its serialized spec alone when it has no forms (as before forms were stored), else the
    spec and the forms' canonical JSON (a re-indented form is the same form); then the process's starter groups
    when it names any (``engine.bpmn.starters``: the spec does not hold them, and a deploy that changes only who
    may start the process must make a new version)."""
    digest = hashlib.sha256(spec_json.encode("utf-8"))
    if forms:
        canonical = {name: _canonical(text) for name, text in forms.items()}
        digest.update(b"\nforms:" + json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    if starters is not None:
        digest.update(b"\nstarters:" + json.dumps(list(starters), ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def form_text_problem(name: str, text: str) -> str | None:
    """Why a form's text is not a form (not JSON, not a JSON Schema, broken x-enum-labels); None when it is."""
    if not text.lstrip().startswith("{"):
        return f"form {name}: a form schema must be a JSON object"
    try:
        load_form(text)
    except GridcaseError as exc:
        return exc.message.replace("<form text>", name)
    return None


def form_problems(form: str, sent: Mapping[str, str], folder: Path | None) -> Iterator[tuple[str, str]]:
    """(severity, message) of a task's form reference: the form as sent, else as found under ``folder`` (not
    looked up when None). A form in neither is a warning: it may be added to the folder later."""
    if form in sent:
        problem = form_text_problem(form, sent[form])
        yield from [("error", problem)] if problem else []
        return
    if folder is None:
        return
    root = folder.resolve()
    path = (root / form).resolve()
    if root not in path.parents:
        yield "error", f"form {form!r} is outside the forms folder"
    elif not path.is_file():
        yield "warning", f"form {form!r} not found in {folder}: the task cannot be completed without it"
    else:
        try:
            load_form(path)
        except GridcaseError as exc:  # not JSON, not a JSON Schema, broken x-enum-labels
            yield "error", exc.message
