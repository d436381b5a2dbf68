"""Which ready tasks of a case get another form when the case moves to a new version (for the migration report).

A moved case's ready human tasks take the new version's form (``human_tasks.process_version_id`` follows the
case); their data stays as it is, and the next completion is checked against the new form.
"""

from __future__ import annotations

import json
from typing import Any

from designer.form_diff import diff_form, summary
from engine.bpmn.migration import ready_human_views
from engine.bpmn.specs import LoadedSpec
from engine.domain.errors import GridcaseError
from engine.domain.forms import FormSchema
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps


def _new_reference(new_loaded: LoadedSpec, bpmn_id: str) -> str | None:
    for spec in [new_loaded.spec, *new_loaded.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == bpmn_id:
                props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
                reference = props.get("form") or props.get("formKey")
                return str(reference) if reference else None
    return None


def _schema(deps: Deps, store: CaseStore, version_id: int, reference: str | None) -> dict[str, Any] | None:
    if not reference:
        return None
    try:
        form: FormSchema | None = deps.forms(store, version_id, reference)
    except GridcaseError:
        return None
    return None if form is None else form.schema


def form_changes(deps: Deps, store: CaseStore, workflow: Any, old_version_id: int, new_loaded: LoadedSpec) -> list[str]:
    """One line per ready human task whose form differs in the new version: the task, the form and its changed
    fields (``verify_report: form forms/verify_report.json changed: fields added: x``)."""
    changes = []
    for view in ready_human_views(workflow):
        new_reference = _new_reference(new_loaded, view.bpmn_id)
        old = _schema(deps, store, old_version_id, view.form)
        new = _schema(deps, store, new_loaded.version_id, new_reference)
        if old == new and view.form == new_reference:
            continue
        fields = diff_form(None if old is None else json.dumps(old), None if new is None else json.dumps(new))
        name = new_reference or view.form
        changes.append(f"{view.bpmn_id}: form {name} changed: {summary(fields)}")
    return sorted(changes)
