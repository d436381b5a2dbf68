"""What a city package says that no other table keeps (``package_extras``): department aspects, subtypes' English
major class names and the districts' names in departments.json — stored with the load so that ``city export``
gives them back."""

from __future__ import annotations

import json
from typing import Any

from city.catalog.reader import Catalog


def package_extras(departments_json: Any, catalog: Catalog) -> tuple[tuple[str, str, str], ...]:
    """(kind, code, JSON) rows: 'department' → ``aspects``, 'subtype' → ``major_name_en``, 'district' →
    ``name_zh``/``name_en`` (``departments_json``: departments.json as read)."""
    raw = departments_json.get("districts", []) if isinstance(departments_json, dict) else []
    rows: list[tuple[str, str, dict[str, Any]]] = [
        ("department", d.code, {"aspects": list(d.aspects)}) for d in catalog.departments.values()]
    rows += [("subtype", s.code, {"major_name_en": s.major_name_en}) for s in catalog.subtypes.values()]
    rows += [("district", str(d.get("code")), {k: d[k] for k in ("name_zh", "name_en") if isinstance(d.get(k), str)})
             for d in raw if isinstance(d, dict)]
    return tuple((kind, code, json.dumps(data, ensure_ascii=False, sort_keys=True)) for kind, code, data in rows)
