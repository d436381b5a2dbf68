"""Validate process models as deployment would, and refuse invalid ones with every problem attached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from designer.lint import ERROR, Problem, lint_sources
from engine.bpmn.form_files import form_text_problem, is_form_file, split_files
from engine.domain.errors import ProcessInvalid
from engine.service.deps import Deps

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / "workflows"  # task forms are relative to it
SHOWN_ERRORS = 5


def validate_sources(deps: Deps | None, sources: Mapping[str, str],
                     forms_dir: Path | None = WORKFLOWS_DIR) -> list[Problem]:
    """Every problem of ``{file name: text}`` (.bpmn and .dmn together, and ``forms/<name>.json`` form files),
    errors and warnings, sorted by file and element; stores nothing. A task's ``form`` is the form file sent
    with it, else looked up under ``forms_dir`` (not checked when None)."""
    models, forms = split_files(sources)
    problems = [Problem(name, None, ERROR, "a form file is named forms/<name>.json (letters, digits, '_', '.', '-')")
                for name in forms if not is_form_file(name)]
    problems += [Problem(name, None, ERROR, found) for name, text in forms.items()
                 if is_form_file(name) and (found := form_text_problem(name, text))]
    if not models:
        return problems
    return sorted(problems + lint_sources(models, forms_dir, forms), key=lambda p: (p.file, p.element_id or ""))


def refuse_invalid(problems: Sequence[Problem]) -> None:
    """Raise ProcessInvalid when any problem is an error: the message names the first errors, ``problems``
    holds every problem (warnings too) as dicts. Warnings alone do not refuse."""
    errors = [p for p in problems if p.severity == ERROR]
    if not errors:
        return
    shown = "; ".join(describe(p) for p in errors[:SHOWN_ERRORS])
    more = f"; and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
    error = ProcessInvalid(f"the model is invalid ({len(errors)} error(s)): {shown}{more}", field="files")
    error.problems = [asdict(p) for p in problems]
    raise error


def describe(problem: Problem) -> str:
    """``file: element: message`` (no element for a problem of the whole file)."""
    return ": ".join(part for part in (problem.file, problem.element_id, problem.message) if part)
