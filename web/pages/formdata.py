"""HTML form ⇄ task data: the posted fields (named by dotted path) become the nested document the
task's JSON Schema checks, and every problem is put next to the field it belongs to."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from engine.domain.forms import FieldError

GENERAL = ""  # errors that belong to no field are shown above the form
MESSAGES = {"required": _l("必填"), "must not be empty": _l("不能为空"), "must be a number": _l("请输入数字"),
            "must be a whole number": _l("请输入整数"), "must be true or false": _l("请选择是或否"),
            "unknown field": _l("未知字段")}
SPLIT = re.compile(r"[\s,;]+")


def _parse(field: Mapping[str, Any], raw: list[str]) -> tuple[Any, str | None]:
    """(value, problem) of one field's posted strings; value None means "not given"."""
    kind, text = field["type"], (raw[-1] if raw else "").strip()
    if kind == "array":
        items = [item for value in raw for item in SPLIT.split(value.strip()) if item]
        return (items or None), None
    if kind == "boolean":
        if not field["required"]:  # a checkbox: absent means no
            return text == "true", None
        return {"true": True, "false": False}.get(text), None
    if not text:
        return None, None
    if kind in ("number", "integer"):
        try:
            number = float(text)
        except ValueError:
            return None, "must be a number"
        if not math.isfinite(number):
            return None, "must be a number"
        if number.is_integer():
            return int(number), None
        return (None, "must be a whole number") if kind == "integer" else (number, None)
    return text, None


def build_document(fields: Iterable[Mapping[str, Any]], posted: MultiDict[str, str]) -> tuple[dict[str, Any],
                                                                                              dict[str, str]]:
    """The nested document the posted form stands for, and the fields that could not be read."""
    document: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in fields:
        *parents, leaf = field["path"].split(".")
        node = document
        for part in parents:  # every object on the way exists, so an empty step still says what it is
            node = node.setdefault(part, {})
        value, problem = _parse(field, posted.getlist(field["path"]))
        if problem:
            problems[field["path"]] = problem
        elif value is not None:
            node[leaf] = value
    return document, problems


def field_of(path: str, known: Iterable[str]) -> str:
    """The form field an error at ``path`` belongs to (``check.evidence.0`` → ``check.evidence``), else GENERAL."""
    best = GENERAL
    for candidate in known:
        if (path == candidate or path.startswith(candidate + ".")) and len(candidate) > len(best):
            best = candidate
    return best


def place_errors(errors: Iterable[FieldError] | Mapping[str, str], known: Iterable[str]) -> dict[str, str]:
    """Errors keyed by the field they are shown next to (the first one per field); translated when known."""
    pairs = errors.items() if isinstance(errors, Mapping) else ((e.field, e.message) for e in errors)
    names = list(known)
    placed: dict[str, str] = {}
    for path, message in pairs:
        where = field_of(path, names)
        text = str(MESSAGES.get(message, message))
        if where == GENERAL and path:
            text = f"{path}: {text}"
        placed.setdefault(where, text)
    return placed
