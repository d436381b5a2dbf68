"""The connectors' configuration file (docs/connectors.md): ``{"connectors": [...]}``, each with ``code``, ``kind``,
``name``, ``active`` and its kind's keys. ``file_problems`` checks a whole file and names every problem
``connectors[i].path``; the hotline's own keys are ``city.connectors.config_hotline``'s, the upper-level platform's
``city.exchange.config.config_problems``'s."""

from __future__ import annotations

import json
import re
from typing import Any

from city.connectors import json_input
from city.connectors.config_hotline import HOTLINE_KEYS, hotline_problems, key_problems
from city.exchange.config import config_problems as upper_level_problems
from engine.domain.input_limits import text_problem

CODE = re.compile(r"^[a-z0-9_-]{1,30}$")
KINDS = ("hotline", "upper_level")
COMMON = ("code", "kind", "name", "active")  # the row's own columns
KIND_KEYS = {"hotline": HOTLINE_KEYS, "upper_level": ("config",)}
NAME_CHARS = 100
MAX_CONNECTORS = 100
MAX_FILE_CHARS = 1_000_000


def parse_file(content: Any) -> tuple[list[Any], dict[str, str]]:
    """The file's connectors list, or the problem with the file itself (``{"file": …}``)."""
    if not isinstance(content, str) or not content.strip():
        return [], {"file": "must be the JSON text of the configuration"}
    if len(content) > MAX_FILE_CHARS:
        return [], {"file": f"must be at most {MAX_FILE_CHARS} characters"}
    try:
        data = json_input.loads(content)
    except ValueError as exc:
        return [], {"file": f"is not valid JSON: {str(exc)[:200]}"}
    if not isinstance(data, dict) or not isinstance(data.get("connectors"), list):
        return [], {"connectors": "the file must be an object with a list \"connectors\""}
    if key_problems(data, ("connectors",)):
        return [], key_problems(data, ("connectors",))
    if len(data["connectors"]) > MAX_CONNECTORS:
        return [], {"connectors": f"at most {MAX_CONNECTORS} connectors"}
    return list(data["connectors"]), {}


def _common_problems(item: Any, seen: set[str]) -> dict[str, str]:
    """The keys every connector has."""
    if not isinstance(item, dict):
        return {"": "must be an object"}
    problems: dict[str, str] = {}
    code = item.get("code")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        problems["code"] = "must be 1–30 characters a-z, 0-9, _ or -"
    elif code in seen:
        problems["code"] = f"{code} is given twice"
    else:
        seen.add(code)
    if item.get("kind") not in KINDS:
        problems["kind"] = "must be one of: " + ", ".join(KINDS)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_CHARS:
        problems["name"] = f"must be text of 1–{NAME_CHARS} characters"
    elif text_problem(name) is not None:
        problems["name"] = str(text_problem(name))
    if not isinstance(item.get("active", True), bool):
        problems["active"] = "must be true or false"
    return problems


def _upper_level_problems(item: dict[str, Any]) -> dict[str, str]:
    """An upper_level connector's keys are in its ``config`` object, checked by the exchange (docs/exchange.md)."""
    if not isinstance(item.get("config"), dict):
        return {"config": "must be an object: the upper-level platform's keys (docs/exchange.md)"}
    return {f"config.{path}": message for path, message in upper_level_problems(item["config"]).items()}


def file_problems(connectors: list[Any]) -> dict[str, str]:
    """Every problem of the connectors, named ``connectors[i].path``."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for index, item in enumerate(connectors):
        found = _common_problems(item, seen)
        if isinstance(item, dict) and "kind" not in found:
            found |= key_problems(item, COMMON + KIND_KEYS[item["kind"]])
            found |= hotline_problems(item) if item["kind"] == "hotline" else _upper_level_problems(item)
        for path, message in found.items():
            problems[f"connectors[{index}]" + (f".{path}" if path else "")] = message
    return problems


def stored_form(item: dict[str, Any]) -> str:
    """A checked connector's ``config_json`` (sorted keys: an unchanged file compares equal): an upper_level
    connector's ``config`` object, as the exchange reads it; a hotline's keys but the common ones."""
    kept = item["config"] if item["kind"] == "upper_level" else {k: v for k, v in item.items() if k not in COMMON}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)
