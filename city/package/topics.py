"""A city package's census topics (专项普查专题): ``campaign_topics.json`` (optional), checked before anything is
written and written by the load in the same unit of work.

::

    {"topics": [{"code": "C01", "name": "井盖", "name_en": "Manhole covers", "group": "census", "enabled": true,
                 "checklist": [{"code": "missing", "label": "井盖缺失", "label_en": "Cover missing",
                                "kind": "check", "subtypes": ["0910"]}, …]}, …]}

``group`` is ``census`` (a campaign's topic) or ``hazard`` (an emergency's hazard survey); each checklist item is
``check`` (ticked "no problem" or reported as a finding) or ``count`` (an inventory count), and ``subtypes`` are the
subtype codes of categories.json a finding on it may become. A package without the file has no topics: loading it
empties the table (the package is the whole city), as a package without components empties the registry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from city.package.format import PackageError
from city.package.paths import package_path, parse_json, read_text

TOPICS_FILE = "campaign_topics.json"
GROUPS = ("census", "hazard")
ITEM_KINDS = ("check", "count")
TOPIC_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")  # campaign_topics.code is 20 characters
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")  # campaign_checks.item_code is 40
TOPIC_KEYS = frozenset({"code", "name", "name_en", "group", "enabled", "checklist"})
ITEM_KEYS = frozenset({"code", "label", "label_en", "kind", "subtypes"})
MAX_ITEMS = 20


def checklist_json(checklist: list[dict[str, Any]]) -> str:
    """The checklist as stored (and compared by the change report): one spelling for equal lists."""
    return json.dumps(checklist, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_topics(folder: Path, subtype_codes: set[str]) -> tuple[dict[str, Any], ...] | None:
    """The package's topics, checked (None: the package has no ``campaign_topics.json``); PackageError naming the
    file, the topic and the item at fault."""
    path = package_path(folder, TOPICS_FILE)
    if not path.is_file():
        return None
    raw = parse_json(read_text(path, TOPICS_FILE), TOPICS_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get("topics"), list):
        raise PackageError(f'{TOPICS_FILE}: the top level must be {{"topics": [...]}}')
    seen: set[str] = set()
    return tuple(_topic(item, number, seen, subtype_codes) for number, item in enumerate(raw["topics"], start=1))


def _name(item: dict[str, Any], key: str, label: str, limit: int = 100) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise PackageError(f"{label}: {key!r} must be non-empty text of at most {limit} characters")
    return value


def _claim(code: str, seen: set[str], entry: dict[str, Any], keys: frozenset[str], label: str,
           where: str) -> None:
    """``code`` taken once (``where``: in what), and ``entry`` naming no field outside ``keys``."""
    if code in seen:
        raise PackageError(f"{label}: the code is used twice{where}")
    seen.add(code)
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise PackageError(f"{label}: unknown field {unknown[0]!r}")


def _topic(item: Any, number: int, seen: set[str], subtype_codes: set[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PackageError(f"{TOPICS_FILE}: topic {number}: must be an object")
    code = item.get("code")
    if not isinstance(code, str) or not TOPIC_CODE.fullmatch(code):
        raise PackageError(f"{TOPICS_FILE}: topic {number}: 'code' must be 1-20 letters, digits, '_' or '-'")
    label = f"{TOPICS_FILE}: topic {code!r}"
    _claim(code, seen, item, TOPIC_KEYS, label, "")
    if item.get("group") not in GROUPS:
        raise PackageError(f"{label}: 'group' must be one of {', '.join(GROUPS)}")
    if not isinstance(item.get("enabled", True), bool):
        raise PackageError(f"{label}: 'enabled' must be true or false")
    checklist = item.get("checklist")
    if not isinstance(checklist, list) or not 1 <= len(checklist) <= MAX_ITEMS:
        raise PackageError(f"{label}: 'checklist' must list 1-{MAX_ITEMS} items")
    codes: set[str] = set()
    items = [_item(entry, index, label, codes, subtype_codes) for index, entry in enumerate(checklist, start=1)]
    return {"code": code, "name": _name(item, "name", label), "name_en": _name(item, "name_en", label),
            "group": item["group"], "enabled": bool(item.get("enabled", True)), "checklist": items}


def _item(entry: Any, index: int, topic: str, codes: set[str], subtype_codes: set[str]) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not ITEM_CODE.fullmatch(entry["code"]):
        raise PackageError(f"{topic}: item {index}: 'code' must be 1-40 letters, digits, '_' or '-'")
    code = entry["code"]
    label = f"{topic}: item {code!r}"
    _claim(code, codes, entry, ITEM_KEYS, label, " in the topic")
    if entry.get("kind", "check") not in ITEM_KINDS:
        raise PackageError(f"{label}: 'kind' must be one of {', '.join(ITEM_KINDS)}")
    subtypes = entry.get("subtypes", [])
    if not isinstance(subtypes, list) or not all(isinstance(s, str) for s in subtypes):
        raise PackageError(f"{label}: 'subtypes' must be a list of subtype codes")
    missing = [s for s in subtypes if s not in subtype_codes]
    if missing:
        raise PackageError(f"{label}: unknown subtype {missing[0]!r} (not in categories.json)")
    return {"code": code, "label": _name(entry, "label", label, 200), "label_en": _name(entry, "label_en", label, 200),
            "kind": entry.get("kind", "check"), "subtypes": list(subtypes)}
