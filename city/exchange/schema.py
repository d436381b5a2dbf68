"""The exchange's JSON Schema (docs/exchange.schema.json, copied here so an installed package has it; a unit test
keeps the two identical) and the safe reading of inbound files."""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from engine.domain.input_limits import text_problem

SCHEMA_PATH = Path(__file__).with_name("exchange.schema.json")
MAX_DEPTH = 20  # the files are three levels deep; a deeper one is hostile
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a time outside is a typo or hostile (year 1 overflows once made UTC)
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})",
                     re.ASCII)


class FileRefused(ValueError):
    """An inbound file that cannot be taken: the reason is the message."""


@functools.cache
def schema() -> dict[str, Any]:
    """The whole schema document."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def moment(value: str) -> datetime:
    """An RFC 3339 time with its UTC offset (``2027-01-01T08:00:00+08:00``, ``…Z``) in the years FIRST_YEAR to
    LAST_YEAR; ValueError naming the rule otherwise."""
    if not isinstance(value, str) or not _MOMENT.fullmatch(value):
        raise ValueError("an RFC 3339 time with its UTC offset, e.g. 2027-01-01T08:00:00+08:00")
    found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise ValueError(f"a time in the years {FIRST_YEAR} to {LAST_YEAR}")
    return found


def format_checker() -> FormatChecker:
    """The checker of the schema's formats, with ``date-time`` as ``moment`` (jsonschema checks it only with
    rfc3339-validator installed, which gridcase does not need): the tests' validators use it too."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(lambda value: not isinstance(value, str) or bool(moment(value)))
    return checker


@functools.cache
def _validator(kind: str) -> Draft202012Validator:
    document = schema()
    return Draft202012Validator({**document, "$ref": f"#/$defs/{kind}"}, format_checker=format_checker())


def _rule(error: ValidationError) -> str:
    """What the schema asks where ``error`` is, in the schema's own words only: the file's keys and values never
    go into a reason (reasons are kept on the batch and shown to shift leads)."""
    rule: Any = error.validator
    value: Any = error.validator_value
    node: Any = error.schema  # what failed reads from the schema's own node (Unset only on errors made by hand)
    if rule in ("anyOf", "oneOf") and error.context:
        closer = [found for found in error.context if found.validator != "type"]  # the branch of the right type
        if closer:
            return _rule(best_match(closer))
        return "must be of type " + " or ".join(sorted({str(found.validator_value) for found in error.context}))
    if rule == "required":
        given = error.instance if isinstance(error.instance, dict) else {}
        return "misses " + ", ".join(str(name) for name in value if name not in given)
    if rule == "additionalProperties":
        return "has unknown keys (the keys are " + ", ".join(sorted(node.get("properties", {}))) + ")"
    if rule == "enum":
        return "must be one of " + ", ".join(json.dumps(item, ensure_ascii=False) for item in value)
    if rule == "format":
        return f"must be a {value} (RFC 3339 with its UTC offset, years {FIRST_YEAR} to {LAST_YEAR})"
    return f"must meet the schema's {rule} {json.dumps(value, ensure_ascii=False)[:100]}"


def _where(error: ValidationError) -> str:
    return "/".join(str(part)[:40] for part in error.absolute_path) or "(file)"


def problems(kind: str, document: Any) -> list[str]:
    """What is wrong with ``document`` as a ``kind`` (export, ack, assignment) file: up to ten messages naming the
    path and the rule broken (never the file's own keys or values), [] when it is valid."""
    found = sorted(_validator(kind).iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{_where(error)}: {_rule(error)}" for error in found[:10]]


def _walk(value: Any, level: int = 0) -> None:
    """FileRefused when ``value`` nests deeper than MAX_DEPTH or has a text (key or value) no database keeps."""
    if level > MAX_DEPTH:
        raise FileRefused(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise FileRefused(f"a text {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, level + 1)
            _walk(item, level + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, level + 1)


def _no_constant(name: str) -> Any:
    raise FileRefused(f"not JSON: {name} is not a number")


def read_inbound(path: Path, kind: str, max_bytes: int) -> tuple[dict[str, Any], bytes]:
    """The file parsed and checked against the schema's ``kind``, and its bytes; FileRefused naming why not (too
    large, not UTF-8 JSON, too deep, NUL characters, schema errors)."""
    try:  # never through a link (O_NOFOLLOW): the inbox checked it is a plain file, this closes the race
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise FileRefused(f"not a plain file that can be read ({exc.strerror})") from None
    with os.fdopen(descriptor, "rb") as source:
        facts = os.fstat(source.fileno())
        if not stat.S_ISREG(facts.st_mode):
            raise FileRefused("not a plain file (a link, folder or device)")
        if facts.st_size > max_bytes:
            raise FileRefused(f"the file has {facts.st_size} bytes, more than {max_bytes}")
        raw = source.read(max_bytes + 1)
    if len(raw) > max_bytes:  # it grew while read
        raise FileRefused(f"the file has more than {max_bytes} bytes")
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: JSON, 5,000-digit integers
        raise FileRefused(f"not UTF-8 JSON: {str(exc)[:200]}") from None
    _walk(document)  # before the schema: a deep file would make its checks recurse as deep
    found = problems(kind, document)
    if found:
        raise FileRefused("not a valid " + kind + " file: " + "; ".join(found))
    return document, raw
