"""The exchange's JSON Schema (docs/exchange.schema.json, copied here so an installed package has it; a unit test
keeps the two identical) and the safe reading of inbound files."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from engine.domain.input_limits import text_problem

SCHEMA_PATH = Path(__file__).with_name("exchange.schema.json")
MAX_DEPTH = 20  # the files are three levels deep; a deeper one is hostile


class FileRefused(ValueError):
    """An inbound file that cannot be taken: the reason is the message."""


@functools.cache
def schema() -> dict[str, Any]:
    """The whole schema document."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _validator(kind: str) -> Draft202012Validator:
    document = schema()
    return Draft202012Validator({**document, "$ref": f"#/$defs/{kind}"}, format_checker=FormatChecker())


def problems(kind: str, document: Any) -> list[str]:
    """What is wrong with ``document`` as a ``kind`` (export, ack, assignment) file: up to ten messages naming the
    path, [] when it is valid."""
    found = sorted(_validator(kind).iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(file)'}: {error.message[:200]}"
            for error in found[:10]]


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
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRefused(f"the file has {size} bytes, more than {max_bytes}")
    raw = path.read_bytes()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: JSON, 5,000-digit integers
        raise FileRefused(f"not UTF-8 JSON: {str(exc)[:200]}") from None
    _walk(document)  # before the schema: a deep file would make its checks recurse as deep
    found = problems(kind, document)
    if found:
        raise FileRefused("not a valid " + kind + " file: " + "; ".join(found))
    return document, raw
