"""Task forms for the engine: where they come from (the ``forms`` port) and the check of submitted data.

A human task names its form (``form`` property, ``forms/<bpmn_id>.json``). The check is the schema,
then what only the database knows: department fields must name a department, photo fields cite
attachments uploaded to the case. It runs inside the completing command's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.domain.errors import NotFound
from engine.domain.forms import FieldsRejected, FormSchema, form_fields, load_form
from engine.persistence import forms_read
from engine.persistence.store import CaseStore

FormSource = Callable[[str], FormSchema | None]


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


def task_form(forms: FormSource, reference: str | None, bpmn_id: str) -> FormSchema | None:
    """The form a task names (None when it names none); NotFound when the source has no such form."""
    if not reference:
        return None
    form = forms(reference)
    if form is None:
        raise NotFound(f"form {reference} of task {bpmn_id} not found", field="form")
    return form


def known_form(forms: FormSource, reference: str | None) -> FormSchema | None:
    """The form to check a completion against: None when the task names none or the source lacks it
    (deploying checks that form files exist; a process deployed without them is not checked here)."""
    return forms(reference) if reference else None


def _values(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def reference_problems(store: CaseStore, form: FormSchema, data: dict[str, Any], case_id: int) -> dict[str, str]:
    """Department fields naming no department, photo fields citing files not uploaded to the case."""
    departments: dict[str, str] = {}
    photos: dict[str, list[str]] = {}
    for field in form_fields(form):
        value = _values(data, field["path"])
        if field.get("widget") == "department" and isinstance(value, str) and value:
            departments[field["path"]] = value
        elif field.get("widget") == "photos" and isinstance(value, list) and value:
            photos[field["path"]] = [str(v) for v in value]
    known = forms_read.known_departments(store, set(departments.values()))
    uploaded = forms_read.uploaded_to_case(store, case_id, {d for ds in photos.values() for d in ds})
    problems = {path: f"no department {code}" for path, code in departments.items() if code not in known}
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
