"""Read and check a city package folder (``city.package.format``) before anything is written: every refusal is a
``PackageError`` naming the file, the item (feature, line, field) and the fix."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from city.catalog.loading import PACKAGE_REPAIR_HINT, GridRows, grid_rows
from city.catalog.reader import CatalogError, load_catalog
from city.grids.readers import GridFileError, dissolve, read_grid_file
from city.package.components import read_package_components
from city.package.extras import package_extras, read_department_settings, read_emergency
from city.package.format import (
    CALENDAR_DIR,
    CHANNELS_FILE,
    DUTY_FILE,
    GRID_KEYS,
    PROFILE_FILE,
    PROFILE_KEYS,
    RULES_DIR,
    STREETS_FILE,
    CityPackage,
    PackageError,
    Profile,
)
from city.package.holidays import holiday_calendar_of
from city.package.paths import package_path, parse_json, read_text
from city.package.profile import DEFAULT_CALENDAR, DEFAULT_LOCALE, LOCALES
from city.package.topics import read_topics
from engine.domain.city_zone import zone_named
from engine.domain.duty_calendar import parse_versions
from engine.domain.errors import InvalidCommand

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$")  # channel and street codes: ASCII, ≤ 30 (their columns)
SHIPPED_CALENDARS = Path(__file__).resolve().parents[2] / "config" / "calendar"
CALENDAR_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def read_json(folder: Path, name: str, *, required: bool = True) -> Any:
    """A JSON file of the package (None when it is optional and absent); PackageError names the file and line."""
    path = package_path(folder, name)
    if not path.is_file():
        if required:
            raise PackageError(f"{name}: missing in {folder}; every city package has one (see docs/city.md)")
        return None
    return parse_json(read_text(path, name), name)


def read_package(folder: Path) -> CityPackage:
    """The checked package in ``folder``; PackageError on the first problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackageError(f"{folder}: not a folder; give the city package's folder (with {PROFILE_FILE})")
    raw = read_json(folder, PROFILE_FILE)
    profile = _profile(raw, folder)
    grids = _grids(raw, folder)
    try:
        catalog = load_catalog(folder)
    except CatalogError as exc:
        raise PackageError(str(exc)) from None
    district_codes = {code for code, _, _ in grids.districts}
    for dept in catalog.departments.values():
        if dept.district is not None and dept.district not in district_codes:
            raise PackageError(f"departments.json: department {dept.code!r}: district {dept.district!r} is not a "
                               f"district of the grids ({', '.join(sorted(district_codes))})")
    for user in catalog.users.values():
        if user.district is not None and user.district not in district_codes:
            raise PackageError(f"users.json: user {user.username!r}: unknown district {user.district!r} (the grids' "
                               f"districts: {', '.join(sorted(district_codes))})")
    streets = _streets(read_json(folder, STREETS_FILE), grids, set(catalog.departments))
    users = tuple({**asdict(u), "password": u.password or catalog.demo_password or None}
                  for u in catalog.users.values())
    subtypes = tuple(asdict(s) for s in catalog.subtypes.values())
    components, components_file = read_package_components(raw, folder)
    return CityPackage(profile, grids, streets, tuple(asdict(a) for a in catalog.aspects.values()), subtypes,
                       tuple(asdict(d) for d in catalog.departments.values()), users,
                       _channels(read_json(folder, CHANNELS_FILE)), _duty(raw, folder), _rules(raw, folder),
                       components, components_file,
                       package_extras(read_json(folder, "departments.json"), catalog) + read_emergency(folder)
                       + read_department_settings(folder, set(catalog.departments)),
                       read_calendar(folder, profile.calendar),
                       campaign_topics=read_topics(folder, {s["code"] for s in subtypes}))


def _text(raw: dict[str, Any], key: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise PackageError(f"{PROFILE_FILE}: {key!r} must be non-empty text")
    return value


def _profile(raw: Any, folder: Path) -> Profile:
    if not isinstance(raw, dict):
        raise PackageError(f"{PROFILE_FILE}: the top level must be an object ({{\"name\": …, \"time_zone\": …}})")
    unknown = sorted(set(raw) - PROFILE_KEYS)
    if unknown:
        raise PackageError(f"{PROFILE_FILE}: unknown key {unknown[0]!r} (known: {', '.join(sorted(PROFILE_KEYS))})")
    zone = _text(raw, "time_zone")
    try:
        zone_named(zone)
    except ValueError as exc:
        raise PackageError(f"{PROFILE_FILE}: time_zone: {exc}") from None
    locale = _text(raw, "locale", DEFAULT_LOCALE)
    if locale not in LOCALES:
        raise PackageError(f"{PROFILE_FILE}: locale {locale!r} must be one of {', '.join(LOCALES)}")
    calendar = _text(raw, "calendar", DEFAULT_CALENDAR)
    if not CALENDAR_NAME.fullmatch(calendar):
        raise PackageError(f"{PROFILE_FILE}: calendar {calendar!r} must be a name like 'china' (lower-case letters, "
                           f"digits, - and _): {CALENDAR_DIR}/NAME.json in the package or config/calendar/NAME.json")
    return Profile(_text(raw, "name"), zone, locale, calendar)


def read_calendar(folder: Path, name: str) -> str:
    """The holiday table the profile names: ``calendar/NAME.json`` in the package, else gridcase's
    ``config/calendar/NAME.json``; PackageError naming the file when neither exists or it is no holiday table."""
    inside = folder / CALENDAR_DIR / f"{name}.json"
    shipped = SHIPPED_CALENDARS / f"{name}.json"
    path = package_path(folder, f"{CALENDAR_DIR}/{name}.json") if inside.exists() else shipped
    label = f"{CALENDAR_DIR}/{name}.json" if inside.exists() else f"config/calendar/{name}.json"
    if not path.is_file():
        raise PackageError(f"{PROFILE_FILE}: calendar {name!r}: neither {CALENDAR_DIR}/{name}.json in the package "
                           f"nor config/calendar/{name}.json exists; add the holiday table (format of "
                           "config/calendar/china.json)")
    content = read_text(path, label)
    try:
        holiday_calendar_of(content)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PackageError(f"{label}: not a holiday calendar ({exc}); the format of "
                           "config/calendar/china.json") from None
    return content


def _grid_entry(raw: dict[str, Any], kind: str, folder: Path) -> dict[str, Any] | None:
    """The grid entry of ``kind``: city.json's (a file name or an object), else ``KIND.geojson`` when present."""
    entry = raw.get(kind)
    if entry is None:
        default = folder / f"{kind}.geojson"
        return {"file": default.name} if default.is_file() else None
    if isinstance(entry, str):
        entry = {"file": entry}
    if not isinstance(entry, dict) or not set(entry) <= GRID_KEYS \
            or not all(isinstance(v, bool if k == "repair" else str) for k, v in entry.items()):
        raise PackageError(f"{PROFILE_FILE}: {kind!r} must be a file name or an object with text values for "
                           f"{', '.join(sorted(GRID_KEYS - {'repair'}))} and 'repair': true or false")
    if "file" not in entry and "dissolve_from_units" not in entry:
        raise PackageError(f"{PROFILE_FILE}: {kind!r} names no 'file'")
    return entry


def _features(entry: dict[str, Any], folder: Path, kind: str) -> list[dict[str, Any]]:
    names = ("code", "name", "district", "parent") if kind == "unit_grids" else ("code", "name", "district")
    fields = {ours: entry[f"{ours}_field"] for ours in names if f"{ours}_field" in entry}
    path = package_path(folder, entry["file"])
    if not path.is_file():
        raise PackageError(f"{PROFILE_FILE}: {kind}: file {entry['file']!r} is not in the package")
    try:
        return read_grid_file(path, fields)
    except GridFileError as exc:
        raise PackageError(f"{kind}: {exc}") from None


def _grids(raw: dict[str, Any], folder: Path) -> GridRows:
    units_entry = _grid_entry(raw, "unit_grids", folder)
    resp_entry = _grid_entry(raw, "resp_grids", folder)
    if units_entry is None or resp_entry is None:
        missing = "unit_grids" if units_entry is None else "resp_grids"
        raise PackageError(f"{PROFILE_FILE}: no {missing!r} entry and no {missing}.geojson in the package")
    units = _features(units_entry, folder, "unit_grids")
    if "dissolve_from_units" in resp_entry:
        try:
            resps = dissolve(units, resp_entry["dissolve_from_units"], package_path(folder, units_entry["file"]),
                             "resp_grids.dissolve_from_units in city.json")
        except GridFileError as exc:
            raise PackageError(f"resp_grids: {exc}") from None
    else:
        resps = _features(resp_entry, folder, "resp_grids")
    district_entry = _grid_entry(raw, "districts", folder)
    districts = _features(district_entry, folder, "districts") if district_entry else []
    entries = {"unit_grids": units_entry, "resp_grids": resp_entry, "districts": district_entry or {}}
    repair = frozenset(kind for kind, entry in entries.items() if entry.get("repair") is True)
    try:
        return grid_rows(units, resps, districts, repair, PACKAGE_REPAIR_HINT,
                         by_parent="parent_field" in units_entry and "dissolve_from_units" not in resp_entry)
    except InvalidCommand as exc:
        raise PackageError(f"{exc.field or 'grids'} ({PROFILE_FILE}'s files): {exc}") from None


def _items(data: Any, key: str, file: str) -> list[dict[str, Any]]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PackageError(f"{file}: the top level must be an object with a {key!r} list of objects")
    return items


def _code(item: dict[str, Any], file: str, what: str, number: int, seen: set[str]) -> str:
    code = item.get("code")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise PackageError(f"{file}: {what} {number}: code {code!r} must be 1–30 ASCII letters, digits, '.', '_' "
                           "or '-'")
    if code in seen:
        raise PackageError(f"{file}: {what} {number}: duplicate code {code!r}; give each {what} its own code")
    seen.add(code)
    return code


def _streets(data: Any, grids: GridRows, departments: set[str]) -> tuple[dict[str, Any], ...]:
    resp_district = {code: district for code, _, district, _ in grids.resp_grids}
    seen: set[str] = set()
    placed: dict[str, str] = {}
    streets = []
    for number, item in enumerate(_items(data, "streets", STREETS_FILE), start=1):
        code = _code(item, STREETS_FILE, "street", number, seen)
        label = f"{STREETS_FILE}: street {code!r}"
        name, district, dept = item.get("name"), item.get("district"), item.get("department")
        if not isinstance(name, str) or not name.strip():
            raise PackageError(f"{label}: 'name' must be non-empty text")
        if district not in set(resp_district.values()):
            raise PackageError(f"{label}: district {district!r} is not a district of the grids "
                               f"({', '.join(sorted(set(resp_district.values())))})")
        if dept is not None and dept not in departments:
            raise PackageError(f"{label}: department {dept!r} is not in departments.json; add it or give null")
        grids_of = item.get("resp_grids", [])
        if not isinstance(grids_of, list) or not all(isinstance(g, str) for g in grids_of):
            raise PackageError(f"{label}: 'resp_grids' must be a list of responsibility grid codes")
        for grid in grids_of:
            if grid not in resp_district:
                raise PackageError(f"{label}: responsibility grid {grid!r} is not in the resp_grids file")
            if resp_district[grid] != district:
                raise PackageError(f"{label}: responsibility grid {grid!r} lies in district {resp_district[grid]!r},"
                                   f" not the street's {district!r}")
            if grid in placed:
                raise PackageError(f"{label}: responsibility grid {grid!r} is already in street {placed[grid]!r}")
            placed[grid] = code
        streets.append({"code": code, "name": name, "district": district, "department": dept,
                        "resp_grids": sorted(grids_of)})
    return tuple(streets)


def _channels(data: Any) -> tuple[dict[str, Any], ...]:
    seen: set[str] = set()
    channels = []
    for number, item in enumerate(_items(data, "channels", CHANNELS_FILE), start=1):
        code = _code(item, CHANNELS_FILE, "channel", number, seen)
        unknown = sorted(set(item) - {"code", "name_zh", "name_en", "urgent", "active"})
        if unknown:
            raise PackageError(f"{CHANNELS_FILE}: channel {code!r}: unknown field {unknown[0]!r}")
        for key in ("name_zh", "name_en"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise PackageError(f"{CHANNELS_FILE}: channel {code!r}: {key!r} must be non-empty text")
        for key in ("urgent", "active"):
            if not isinstance(item.get(key, key == "active"), bool):
                raise PackageError(f"{CHANNELS_FILE}: channel {code!r}: {key!r} must be true or false")
        channels.append({"code": code, "name_zh": item["name_zh"], "name_en": item["name_en"],
                         "urgent": bool(item.get("urgent", False)), "active": bool(item.get("active", True))})
    if not any(c["active"] for c in channels):
        raise PackageError(f"{CHANNELS_FILE}: no active channel; reports need at least one")
    return tuple(channels)


def _duty(raw: dict[str, Any], folder: Path) -> str | None:
    name = raw.get("duty_windows", DUTY_FILE if (folder / DUTY_FILE).is_file() else None)
    if name is None:
        return None
    if not isinstance(name, str) or not package_path(folder, name).is_file():
        raise PackageError(f"{PROFILE_FILE}: duty_windows {name!r} is not a file of the package")
    content = read_text(package_path(folder, name), name)
    try:
        parse_versions(content)
    except InvalidCommand as exc:
        raise PackageError(f"{name}: {exc.field}: {exc} (format: docs/duty-windows.md)") from None
    except RecursionError:
        raise PackageError(f"{name}: nested too deeply to read (format: docs/duty-windows.md)") from None
    return content


def _rules(raw: dict[str, Any], folder: Path) -> dict[str, str]:
    name = raw.get("rules", RULES_DIR)
    if not isinstance(name, str):
        raise PackageError(f"{PROFILE_FILE}: 'rules' must be the name of the package's rules folder")
    path = package_path(folder, name)
    if not path.is_dir():
        if "rules" in raw:
            raise PackageError(f"{PROFILE_FILE}: rules folder {name!r} is not in the package")
        return {}
    rules = {}
    for file in sorted(path.glob("*.dmn")):
        label = f"{name}/{file.name}"
        text = read_text(package_path(folder, label), label)
        if "<!DOCTYPE" in text.upper():
            raise PackageError(f"{label}: has a DOCTYPE; a DMN file needs none (remove the <!DOCTYPE …> and any "
                               "entities it declares)")
        rules[f"{RULES_DIR}/{file.name}"] = text
    return rules
