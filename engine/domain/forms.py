"""Task forms: one JSON Schema (draft 2020-12) per user task, in ``workflows/forms/``.

A user task names its form with the extension property ``form`` (``forms/<bpmn_id>.json``, relative to
the BPMN file). The same schema renders the HTML form (``form_fields``) and checks the submitted
document on the server (``FormSchema.validate``). Schema conventions beyond JSON Schema: ``title``
(Chinese) and ``x-title-en``, ``x-enum-labels: {"zh": [...], "en": [...]}`` (one label per non-null
enum value) and ``x-widget`` (``textarea``, ``photos``, ``department``, ``case``: a running case's number); a start
form's ``x-default-from-case`` (``engine.service.task_forms.case_defaults``).

Pure: the standard library and jsonschema only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from engine.domain.errors import InvalidCommand, ProcessInvalid
from engine.domain.input_limits import MAX_DEPTH, number_problem, text_problem

SHA256 = "^[0-9a-f]{64}$"
# The largest number a form takes unless its field declares its own bounds: forms hold amounts of time, counts and
# scores. 10,000 working days are 40 years, inside the business calendar's reach (200 years): an extension of
# 1e30 overflowed the deadline arithmetic on approval, one of 1e6 working hours ran past the calendar.
MAX_NUMBER = 10_000
_TYPE_WORDS = {"boolean": "true or false", "string": "text", "number": "a number", "integer": "a whole number",
               "object": "an object", "array": "a list", "null": "empty"}
_CONSTRAINTS = ("minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum",
                "minItems", "maxItems", "pattern")


class FormInvalid(ProcessInvalid):
    """A form file is not valid JSON or not a valid JSON Schema (or breaks the x-enum-labels convention)."""


class FieldsRejected(InvalidCommand):
    """Submitted data breaks its form: ``fields`` maps every dotted field at fault to its message."""

    def __init__(self, fields: Mapping[str, str], message: str = "the form has invalid fields") -> None:
        super().__init__(message, field=next(iter(fields), None))
        self.fields = dict(fields)


@dataclass(frozen=True, order=True)
class FieldError:
    """One refused value: ``field`` is its dotted path (``disposal.extension_amount``, ``check.evidence.0``)."""

    field: str
    message: str


@dataclass(frozen=True)
class FormSchema:
    """A loaded, checked form schema; ``name`` is the file it came from (for messages)."""

    schema: dict[str, Any]
    name: str = "<form>"

    def validate(self, data: Any) -> list[FieldError]:
        """Every problem with ``data``, deduplicated and sorted by field; empty when the form is valid.

        Beyond the schema, every value must be one the case can keep and compute with (``_unkeepable``).
        """
        validator = Draft202012Validator(self.schema)
        found = {problem for error in validator.iter_errors(data) for problem in _field_errors(error)}
        return sorted(found | set(_unkeepable(self, data)))


def _bound_problem(value: float, limits: Mapping[str, Any]) -> str | None:
    """A finite number beyond ``MAX_NUMBER`` on a side its field declares no bound of its own."""
    if value > MAX_NUMBER and "maximum" not in limits and "exclusiveMaximum" not in limits:
        return f"must be at most {MAX_NUMBER}"
    if value < -MAX_NUMBER and "minimum" not in limits and "exclusiveMinimum" not in limits:
        return f"must be at least {-MAX_NUMBER}"
    return None


def _limits(limits: Mapping[str, Mapping[str, Any]], path: str) -> Mapping[str, Any]:
    """The declared bounds of the field at ``path``; an array item (``x.evidence.3``) has its ``items.`` ones."""
    if path in limits:
        return limits[path]
    parent, _, last = path.rpartition(".")
    if last.isdigit() and parent in limits:
        return {key.removeprefix("items."): value for key, value in limits[parent].items() if key.startswith("items.")}
    return {}


def _unkeepable(form: FormSchema, data: Any) -> Iterator[FieldError]:
    """Values no case should hold, whatever the schema allows: text with NUL or unpaired surrogates, NaN and
    infinities, numbers beyond ``MAX_NUMBER`` (unless the field sets its own bounds), data nested too deeply.

    Why: such values pass JSON Schema yet fail later, out of the form's reach: PostgreSQL refuses NUL,
    ``extension_amount: 1e30`` overflowed the deadline arithmetic when the extension was approved.
    """
    limits = {field["path"]: field["constraints"] for field in form_fields(form)}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        problem: str | None = None
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                problem = f"must not be nested more than {MAX_DEPTH} levels deep"
            else:
                items = value.items() if isinstance(value, dict) else enumerate(value)
                stack.extend((f"{path}.{key}" if path else str(key), item, depth + 1) for key, item in items)
        elif isinstance(value, str):
            problem = text_problem(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            problem = number_problem(value) or _bound_problem(value, _limits(limits, path))
        if problem is not None:
            yield FieldError(path, problem)


def load_form(source: str | Path | Mapping[str, Any]) -> FormSchema:
    """Load a form from a path, JSON text (starting with ``{``) or a mapping, and check the schema itself."""
    if isinstance(source, Mapping):
        name, schema = "<form>", dict(source)
    else:
        is_text = isinstance(source, str) and source.lstrip().startswith("{")
        name = "<form text>" if is_text else str(source)
        try:
            text = str(source) if is_text else Path(source).read_text(encoding="utf-8")
            schema = json.loads(text)
        except OSError as exc:
            raise FormInvalid(f"form {name}: cannot read it ({exc.strerror or exc})") from exc
        except json.JSONDecodeError as exc:
            raise FormInvalid(f"form {name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(schema, dict):
        raise FormInvalid(f"form {name}: a form schema must be a JSON object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise FormInvalid(f"form {name}: invalid JSON Schema at {where}: {exc.message}") from exc
    for path, node in _nodes(schema, ""):
        _check_labels(name, path, node)
    return FormSchema(schema, name)


def form_fields(form: FormSchema | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The form's input fields (leaf properties) in schema order, for an HTML renderer.

    Each: ``path``, ``type``, ``title`` ``{"zh", "en"}``, ``description``, ``enum`` and ``labels`` (null
    left out), ``widget``, ``required`` (always: required in an object that is itself always required),
    ``required_when`` (conditions from if/then: a list of ``{"field", "values"}``, or ``{"field"}`` when the
    other field's presence is the condition) and ``constraints`` (``items.`` prefixed for array items).
    """
    schema = form.schema if isinstance(form, FormSchema) else dict(form)
    fields: list[dict[str, Any]] = []
    _collect(schema, "", True, fields)
    return fields


def _collect(node: Mapping[str, Any], prefix: str, given: bool, out: list[dict[str, Any]]) -> None:
    required = set(node.get("required", [])) if given else set()
    conditional = _conditions(node, prefix)
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        if "properties" in sub:
            _collect(sub, path + ".", key in required, out)
            continue
        types = sub.get("type", "string")
        types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
        items = sub.get("items", {})
        limits = {k: sub[k] for k in _CONSTRAINTS if k in sub} | {f"items.{k}": items[k] for k in _CONSTRAINTS
                                                                   if k in items}
        field: dict[str, Any] = {
            "path": path, "type": types[0] if types else "string",
            "title": {"zh": sub.get("title", key), "en": sub.get("x-title-en", sub.get("title", key))},
            "description": sub.get("description"), "widget": sub.get("x-widget"),
            "required": key in required, "required_when": conditional.get(key, []), "constraints": limits,
        }
        if "enum" in sub:
            field["enum"] = [v for v in sub["enum"] if v is not None]
            field["labels"] = sub.get("x-enum-labels", {"zh": field["enum"], "en": field["enum"]})
        out.append(field)


def _conditions(node: Mapping[str, Any], prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Property name → the conditions (from ``allOf`` if/then) under which it is required."""
    found: dict[str, list[dict[str, Any]]] = {}
    for rule in [node, *node.get("allOf", [])]:
        if "if" not in rule or "then" not in rule:
            continue
        test = rule["if"]
        when = [{"field": prefix + k, "values": [s["const"]] if "const" in s else list(s.get("enum", []))}
                for k, s in test.get("properties", {}).items()]
        when += [{"field": prefix + k} for k in test.get("required", []) if k not in test.get("properties", {})]
        for key in rule["then"].get("required", []):
            found.setdefault(key, []).extend(when)
    return found


def _field_errors(error: ValidationError) -> Iterable[FieldError]:
    """Human-sized errors for one jsonschema error, at the path of the offending (or missing) value."""
    path = ".".join(str(p) for p in error.absolute_path)
    prefix = f"{path}." if path else ""
    kind, expected, schema = error.validator, error.validator_value, error.schema
    if kind == "required" and isinstance(error.instance, dict) and isinstance(expected, list):
        for key in expected:
            if key not in error.instance:
                yield FieldError(prefix + key, "required")
    elif kind == "additionalProperties" and isinstance(error.instance, dict) and isinstance(schema, Mapping):
        patterns = list(schema.get("patternProperties", {}))
        for key in error.instance:
            if key not in schema.get("properties", {}) and not any(re.search(p, key) for p in patterns):
                yield FieldError(prefix + key, "unknown field")
    else:
        yield FieldError(path, _message(str(kind), expected, error.message))


def _message(kind: str, expected: Any, fallback: str) -> str:
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        return "must be " + " or ".join(_TYPE_WORDS.get(n, n) for n in names)
    if kind == "enum":
        return "must be one of: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in expected if v is not None)
    if kind == "const":
        return "must be " + json.dumps(expected, ensure_ascii=False)
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters"
    if kind == "pattern":
        return "must be a SHA-256 hash (64 lowercase hex digits)" if expected == SHA256 else "has the wrong format"
    words = {"maxLength": "must be at most {} characters", "minimum": "must be at least {}",
             "exclusiveMinimum": "must be greater than {}", "maximum": "must be at most {}",
             "exclusiveMaximum": "must be less than {}", "maxItems": "at most {} items",
             "minItems": "at least {} items"}
    return words[kind].format(expected) if kind in words else fallback


def _nodes(node: Any, path: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """Every subschema (dict) in the schema with its JSON pointer-ish path."""
    if isinstance(node, dict):
        yield path or "(root)", node
        for key, value in node.items():
            if not str(key).startswith("x-"):
                yield from _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{path}/{i}")


def _check_labels(name: str, path: str, node: dict[str, Any]) -> None:
    labels = node.get("x-enum-labels")
    if labels is None:
        return
    values = [v for v in node.get("enum", []) if v is not None]
    ok = isinstance(labels, dict) and set(labels) >= {"zh", "en"} and all(
        isinstance(labels[lang], list) and len(labels[lang]) == len(values) for lang in ("zh", "en"))
    if not ok:
        raise FormInvalid(f"form {name}: x-enum-labels at {path} needs zh and en lists, one label per enum value")
