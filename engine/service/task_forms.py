"""Task forms for the engine: where they come from (the ``forms`` port) and the check of submitted data.

A human task names its form (``form`` property, ``forms/<bpmn_id>.json``), read from the process version the
task belongs to (forms are deployed with the version; docs/engine.md). The check is the schema,
then what only the database knows: department fields must name a department, photo fields cite
attachments uploaded to the case. It runs inside the completing command's transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.bpmn.form_files import is_form_file
from engine.domain.errors import NotFound
from engine.domain.forms import FieldsRejected, FormSchema, form_fields, load_form
from engine.persistence.read import forms as forms_read
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import task_version_id, version_sources
from engine.service.deps import Deps

FormSource = Callable[[str], FormSchema | None]  # a folder's forms by reference
VersionFormSource = Callable[[CaseStore, int | None, str], FormSchema | None]  # the ``Deps.forms`` port


def folder_forms(folder: Path) -> FormSource:
    """The forms under ``folder`` (the workflows folder), each loaded once; None for a missing file."""
    root = folder.resolve()

    @lru_cache(maxsize=128)
    def form(reference: str) -> FormSchema | None:
        path = (root / reference).resolve()
        if root not in path.parents or not path.is_file():
            return None  # outside the folder or absent: no such form
        return load_form(path)

    return form


class VersionForms:
    """The ``Deps.forms`` port: a task's form as its process version was deployed with it (versions are immutable,
    so each version's forms are read and loaded once). A form the version does not hold — a version deployed
    before forms were stored with versions, or deployed while the file was missing — is read from ``fallback``
    (the workflows folder)."""

    def __init__(self, fallback: FormSource) -> None:
        self.fallback = fallback
        self._texts: dict[int, dict[str, str]] = {}
        self._forms: dict[tuple[int, str], FormSchema] = {}
        self._lock = threading.Lock()

    def __call__(self, store: CaseStore, version_id: int | None, reference: str) -> FormSchema | None:
        texts = self._version_texts(store, version_id) if version_id is not None else {}
        if reference not in texts:
            return self.fallback(reference)
        key = (version_id or 0, reference)
        form = self._forms.get(key)
        if form is None:
            form = replace(load_form(texts[reference]), name=reference)
            with self._lock:
                self._forms.setdefault(key, form)
        return form

    def clear(self) -> None:
        """Forget every version's forms (``Deps.batch_rolled_back``: a version read may not have been committed)."""
        with self._lock:
            self._texts.clear()
            self._forms.clear()

    def _version_texts(self, store: CaseStore, version_id: int) -> dict[str, str]:
        texts = self._texts.get(version_id)
        if texts is None:
            found = version_sources(store, version_id)
            texts = {} if found is None else {name: text for name, text in found[4].items() if is_form_file(name)}
            with self._lock:
                self._texts.setdefault(version_id, texts)
        return texts


def task_form(forms: VersionFormSource, store: CaseStore, version_id: int | None, reference: str | None,
              bpmn_id: str) -> FormSchema | None:
    """The form a task names (None when it names none); NotFound when neither its version nor the folder has it."""
    if not reference:
        return None
    form = forms(store, version_id, reference)
    if form is None:
        raise NotFound(f"form {reference} of task {bpmn_id} not found", field="form")
    return form


def known_form(forms: VersionFormSource, store: CaseStore, version_id: int | None,
               reference: str | None) -> FormSchema | None:
    """The form to check a completion against: None when the task names none or neither its version nor the
    folder has it (deploying checks that form files exist; a process deployed without them is not checked)."""
    return forms(store, version_id, reference) if reference else None


def form_of_task(deps: Deps, task_id: str, reference: str | None, bpmn_id: str) -> FormSchema | None:
    """A human task's form, from the process version the task belongs to (for rendering it)."""
    if not reference:
        return None
    with deps.uow(read_only=True) as uow:
        return task_form(deps.forms, uow.store, task_version_id(uow.store, task_id), reference, bpmn_id)


def _values(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def reference_problems(store: CaseStore, form: FormSchema, data: dict[str, Any], case_id: int) -> dict[str, str]:
    """Department fields naming no department, photo fields citing files not uploaded to the case, case fields
    (``x-widget: case``) naming no running case."""
    departments: dict[str, str] = {}
    photos: dict[str, list[str]] = {}
    cases: dict[str, str] = {}
    for field in form_fields(form):
        value = _values(data, field["path"])
        if field.get("widget") == "department" and isinstance(value, str) and value:
            departments[field["path"]] = value
        elif field.get("widget") == "case" and isinstance(value, str) and value:
            cases[field["path"]] = value
        elif field.get("widget") == "photos" and isinstance(value, list) and value:
            photos[field["path"]] = [str(v) for v in value]
    known = forms_read.known_departments(store, set(departments.values()))
    uploaded = forms_read.uploaded_to_case(store, case_id, {d for ds in photos.values() for d in ds})
    problems = {path: f"no department {code}" for path, code in departments.items() if code not in known}
    running = forms_read.open_cases(store, set(cases.values()))
    problems |= {path: f"no open case {number} (unknown or closed)" for path, number in cases.items()
                 if number not in running}
    for path, digests in photos.items():
        missing = [d for d in digests if d not in uploaded]
        if missing:
            problems[path] = f"not uploaded to this case: {', '.join(m[:12] for m in missing)}"
    return problems


def check_form(store: CaseStore, form: FormSchema | None, data: dict[str, Any], case_id: int) -> None:
    """Refuse data that breaks the form (every field at fault, schema first, then the references)."""
    if form is None:
        return
    problems = {p.field: p.message for p in form.validate(data)} or reference_problems(store, form, data, case_id)
    if problems:
        raise FieldsRejected(problems)


def case_defaults(store: CaseStore, form: FormSchema | None, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its empty top-level fields marked ``"x-default-from-case": "<field>"`` set to the current
    department of the running case that ``<field>`` names (a 督办's department defaults to the case's). Filled in
    the starting command's transaction, before the form check, so the start data the log records holds the value."""
    if form is None:
        return data
    filled = dict(data)
    for name, spec in form.schema.get("properties", {}).items():
        source = spec.get("x-default-from-case") if isinstance(spec, dict) else None
        number = filled.get(source) if isinstance(source, str) else None
        if filled.get(name) in (None, "") and isinstance(number, str) and number:
            department = forms_read.open_cases(store, {number}).get(number)
            if department is not None:
                filled[name] = department
    return filled
