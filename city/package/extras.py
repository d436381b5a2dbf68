"""What a city package says that no other table keeps (``package_extras``): department aspects, subtypes' English
major class names and the districts' names in departments.json, the city's emergency declaration defaults
(``emergency_defaults.json``), who supervises construction-waste transport (``transport.json``) and which
departments manage the assessments (``assessment.json``) — stored with the load so that ``city export`` gives them
back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from city.catalog.reader import Catalog
from city.package.format import PackageError
from city.package.paths import package_path, parse_json, read_text


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


EMERGENCY_FILE = "emergency_defaults.json"
EMERGENCY_DEFAULTS = ("emergency_defaults", "city")  # its (kind, code) in package_extras
_EMERGENCY_LISTS = ("teams", "signal_kinds")
_EMERGENCY_OBJECTS = ("area", "assembly_point")


def emergency_extra(raw: Any) -> tuple[tuple[str, str, str], ...]:
    """The package's emergency declaration defaults as a ``package_extras`` row (none when the package has no
    ``emergency_defaults.json``); ValueError naming the key at fault."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ValueError("the top level must be an object (teams, ack_within_minutes, assembly_point, …)")
    for key in _EMERGENCY_LISTS:
        if key in raw and not isinstance(raw[key], list):
            raise ValueError(f"{key!r} must be a list")
    for key in _EMERGENCY_OBJECTS:
        if key in raw and not isinstance(raw[key], dict):
            raise ValueError(f"{key!r} must be an object")
    if any(not isinstance(team, dict) for team in raw.get("teams") or []):
        raise ValueError("every team must be an object (name, role, districts, departments, leader, …)")
    minutes = raw.get("ack_within_minutes", 20)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError("'ack_within_minutes' must be a whole number of minutes ≥ 1")
    kind, code = EMERGENCY_DEFAULTS
    return ((kind, code, json.dumps(raw, ensure_ascii=False, sort_keys=True)),)


def read_emergency(folder: Path) -> tuple[tuple[str, str, str], ...]:
    """The package's emergency declaration defaults (optional ``emergency_defaults.json``), checked; PackageError
    naming the file and the key at fault."""
    return _read_extra(folder, EMERGENCY_FILE, emergency_extra)


def _read_extra(folder: Path, name: str, check: Callable[[Any], tuple[tuple[str, str, str], ...]]
                ) -> tuple[tuple[str, str, str], ...]:
    """The optional file ``name`` of the package, parsed and ``check``ed into its ``package_extras`` rows (none
    without the file); PackageError naming the file (and its line, or the key ``check`` names)."""
    path = package_path(folder, name)
    if not path.is_file():
        return ()
    raw = parse_json(read_text(path, name), name)
    try:
        return check(raw)
    except ValueError as exc:
        raise PackageError(f"{name}: {exc}") from None


TRANSPORT_FILE = "transport.json"
TRANSPORT_SETTINGS = ("transport", "city")  # its (kind, code) in package_extras


def _departments_extra(raw: Any, departments: set[str], key: str, settings: tuple[str, str]
                       ) -> tuple[tuple[str, str, str], ...]:
    """A settings file naming departments (``{key: [codes], "description": text}``) as its ``package_extras`` row
    (none without the file); ValueError naming the key at fault."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ValueError(f'the top level must be an object: {{"{key}": ["C03", …]}}')
    known = frozenset({key, "description"})  # description: for whoever reads the file
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    if not isinstance(raw.get("description", ""), str):
        raise ValueError("'description' must be text")
    codes = raw.get(key, [])
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise ValueError(f"{key!r} must be a list of department codes")
    for code in codes:
        if code not in departments:
            raise ValueError(f"{key!r}: {code!r} is not a department of departments.json")
    if len(set(codes)) != len(codes):
        raise ValueError(f"{key!r} names a department twice")
    kind, code = settings
    return ((kind, code, json.dumps(raw, ensure_ascii=False, sort_keys=True)),)


def transport_extra(raw: Any, departments: set[str]) -> tuple[tuple[str, str, str], ...]:
    """The package's transport supervision settings as a ``package_extras`` row (none when the package has no
    ``transport.json``): ``supervising_departments``, the departments whose members read the transport registries,
    tracks and alerts (渣土监管; the others' members do not). ValueError naming the key at fault."""
    return _departments_extra(raw, departments, "supervising_departments", TRANSPORT_SETTINGS)


def read_transport(folder: Path, departments: set[str]) -> tuple[tuple[str, str, str], ...]:
    """The package's transport supervision settings (optional ``transport.json``), checked against its
    ``departments``; PackageError naming the file and the key at fault."""
    return _read_extra(folder, TRANSPORT_FILE, lambda raw: transport_extra(raw, departments))


ASSESSMENT_FILE = "assessment.json"
ASSESSMENT_SETTINGS = ("assessment", "city")  # its (kind, code) in package_extras


def assessment_extra(raw: Any, departments: set[str]) -> tuple[tuple[str, str, str], ...]:
    """The package's assessment settings as a ``package_extras`` row (none when the package has no
    ``assessment.json``): ``managing_departments``, the departments whose members read the assessment rounds,
    rankings and reports (考评: the sanitation department, the property service centre; the others' members do
    not). ValueError naming the key at fault."""
    return _departments_extra(raw, departments, "managing_departments", ASSESSMENT_SETTINGS)


def read_department_settings(folder: Path, departments: set[str]) -> tuple[tuple[str, str, str], ...]:
    """The package's optional ``transport.json`` and ``assessment.json``, each checked against its
    ``departments``; PackageError naming the file and the key at fault."""
    return read_transport(folder, departments) + _read_extra(
        folder, ASSESSMENT_FILE, lambda raw: assessment_extra(raw, departments))
