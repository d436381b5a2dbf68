"""What changed between two versions of a task form, field by field (for version diffs and migration reports).

Fields are the form's input fields (``engine.domain.forms.form_fields``), by dotted path: added, removed, and
changed in type, required, allowed values (enum) or constraints.
"""

from __future__ import annotations

import json
from typing import Any

from engine.domain.forms import form_fields

_COMPARED = ("type", "required", "enum", "constraints")


class FormDiffError(ValueError):
    """A form text is not a JSON object."""


def _fields(text: str | None) -> dict[str, dict[str, Any]]:
    if text is None:
        return {}
    try:
        schema = json.loads(text)
    except ValueError as exc:
        raise FormDiffError(f"not JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise FormDiffError("a form schema must be a JSON object")
    return {field["path"]: field for field in form_fields(schema)}


def _change(name: str, old: Any, new: Any) -> str | None:
    if old == new:
        return None
    if name == "required":
        return "now required" if new else "no longer required"
    if name == "enum":
        added = [v for v in new or [] if v not in (old or [])]
        removed = [v for v in old or [] if v not in (new or [])]
        return "enum" + "".join(f" +{v}" for v in added) + "".join(f" −{v}" for v in removed)
    return f"{name} {old!r} → {new!r}" if name != "type" else f"type {old} → {new}"


def diff_form(old: str | None, new: str | None) -> dict[str, Any]:
    """``{added, removed, changed: [{field, changes}]}`` from form text ``old`` to ``new`` (None: no form)."""
    before, after = _fields(old), _fields(new)
    changed = []
    for path in sorted(set(before) & set(after)):
        changes = [text for name in _COMPARED
                   if (text := _change(name, before[path].get(name), after[path].get(name))) is not None]
        if changes:
            changed.append({"field": path, "changes": changes})
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": changed}


def summary(diff: dict[str, Any]) -> str:
    """One line: ``fields added: a, b; removed: c; changed: d (type string → integer)``."""
    parts = []
    if diff["added"]:
        parts.append("fields added: " + ", ".join(diff["added"]))
    if diff["removed"]:
        parts.append("removed: " + ", ".join(diff["removed"]))
    if diff["changed"]:
        parts.append("changed: " + ", ".join(f"{c['field']} ({'; '.join(c['changes'])})" for c in diff["changed"]))
    return "; ".join(parts) or "no field changed (titles, labels or layout only)"
