"""``checklists.json`` (考评细则): ``{"garbage_sorting": {"name", "items": [ITEM…]}, "property": {…}}``, any of the
schemes. ITEM: ``code``, ``label``, ``label_en`` (optional), ``points`` (> 0), ``kinds`` (optional: default every
kind of the scheme), ``photo`` (on_fail, always, optional), ``subtype`` (the rectification case's; checked against
the catalogue with the stored rows), ``deductions`` (optional presets ``{code, label, label_en, points}``, each at
most the item's points). Codes (items' and presets') once per scheme. A problem is named
``"checklists.json: <scheme>.items.<N>.<field>"`` (N from 1, as a GeoJSON row)."""

from __future__ import annotations

import json
from typing import Any

from city.assessment.registry_files import CHECKLISTS, CODE, Problems, control_problem
from city.assessment.registry_objects import KINDS
from engine.persistence.assessment_records import SCHEMES

PHOTO_RULES = ("on_fail", "always", "optional")
MAX_ITEMS = 100
MAX_DEDUCTIONS = 20
MAX_POINTS = 1_000.0


class _Scheme:
    """One scheme's checks: says problems under ``<scheme>.<path>`` and tracks the codes seen."""

    def __init__(self, scheme: str, problems: Problems) -> None:
        self.scheme, self.problems, self.codes = scheme, problems, set[str]()

    def say(self, path: str, message: str) -> None:
        self.problems.add(CHECKLISTS, None, f"{self.scheme}.{path}", message)

    def text(self, value: Any, path: str, limit: int, *, optional: bool = False) -> str | None:
        if value in (None, "") and optional:
            return None
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
            self.say(path, f"must be 1–{limit} characters")
            return None
        if (problem := control_problem(value.strip())) is not None:
            self.say(path, problem)
        return value.strip()

    def code(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not CODE.fullmatch(value):
            self.say(path, f"{value!r} is not a code (1–40 letters, digits, '_' or '-')")
            return None
        if value in self.codes:
            self.say(path, f"{value!r} repeats a code of the {self.scheme} checklist")
        self.codes.add(value)
        return value

    def points(self, value: Any, path: str, most: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= most:
            self.say(path, f"must be a number above 0 and at most {most:g}")
            return None
        return float(value)


def _kinds(check: _Scheme, value: Any, path: str) -> list[str]:
    allowed = KINDS[check.scheme]
    if value is None:
        return list(allowed)
    if not isinstance(value, list) or not value or any(k not in allowed for k in value) \
            or len(set(value)) != len(value):
        check.say(path, f"must list kinds of the scheme once each: {', '.join(allowed)}")
        return []
    return [str(k) for k in value]


def _deductions(check: _Scheme, value: Any, path: str, most: float | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_DEDUCTIONS:
        check.say(path, f"must be a list of at most {MAX_DEDUCTIONS} presets")
        return []
    found = []
    for index, raw in enumerate(value, start=1):
        at = f"{path}.{index}"
        raw = raw if isinstance(raw, dict) else {}
        found.append({"code": check.code(raw.get("code"), f"{at}.code"),
                      "label": check.text(raw.get("label"), f"{at}.label", 200),
                      "label_en": check.text(raw.get("label_en"), f"{at}.label_en", 200, optional=True),
                      "points": check.points(raw.get("points"), f"{at}.points", most or MAX_POINTS)})
    return found


def _item(check: _Scheme, raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        check.say(path, "must be an object")
        return {}
    points = check.points(raw.get("points"), f"{path}.points", MAX_POINTS)
    photo = raw.get("photo")
    if photo not in PHOTO_RULES:
        check.say(f"{path}.photo", f"must be {' or '.join(PHOTO_RULES)}")
    subtype = raw.get("subtype")
    if not isinstance(subtype, str) or not subtype.strip() or len(subtype) > 20:
        check.say(f"{path}.subtype", "must be a subtype code of the city's catalogue")
        subtype = None
    return {"code": check.code(raw.get("code"), f"{path}.code"),
            "label": check.text(raw.get("label"), f"{path}.label", 200),
            "label_en": check.text(raw.get("label_en"), f"{path}.label_en", 200, optional=True),
            "points": points, "kinds": _kinds(check, raw.get("kinds"), f"{path}.kinds"), "photo": photo,
            "subtype": subtype, "deductions": _deductions(check, raw.get("deductions"), f"{path}.deductions", points)}


def _scheme(scheme: str, raw: Any, problems: Problems) -> dict[str, Any]:
    check = _Scheme(scheme, problems)
    if not isinstance(raw, dict):
        check.say("items", "the scheme's checklist must be an object with name and items")
        return {}
    items = raw.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        check.say("items", f"must be a list of 1–{MAX_ITEMS} items")
        return {}
    found = [_item(check, item, f"items.{index}") for index, item in enumerate(items, start=1)]
    bare = [k for k in KINDS[scheme] if not any(k in item.get("kinds", ()) for item in found)]
    if bare and all(item.get("kinds") for item in found):  # a refused item's kinds are said already
        check.say("items", f"no item applies to the kind(s) {', '.join(bare)}: an inspection of one would score"
                           " nothing")
    return {"name": check.text(raw.get("name"), "name", 200), "items": found}


def read_checklists(text: str, problems: Problems) -> dict[str, dict[str, Any]]:
    """Each scheme's checklist ``{name, items}`` as checked; an unknown scheme is a problem of its own."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.add(CHECKLISTS, None, "file", f"not JSON: {str(exc)[:200]}")
        return {}
    if not isinstance(document, dict) or not document:
        problems.add(CHECKLISTS, None, "file", f"must be an object keyed by scheme: {', '.join(SCHEMES)}")
        return {}
    found = {}
    for scheme, raw in document.items():
        if scheme not in SCHEMES:
            problems.add(CHECKLISTS, None, str(scheme)[:40], f"unknown scheme: {', '.join(SCHEMES)}")
            continue
        found[scheme] = _scheme(scheme, raw, problems)
    return found


def subtypes_named(checklists: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Every (scheme, item path, subtype) the checklists name, to check against the catalogue."""
    return [(scheme, f"items.{index}.subtype", item["subtype"]) for scheme, checklist in checklists.items()
            for index, item in enumerate(checklist.get("items", []), start=1) if item.get("subtype")]
