"""``gridcase city export DIR``: the loaded city written as a city package that ``city load DIR`` reads back into
the same city (profile, grids, streets, catalogue, departments, channels, users, duty windows and the rules the
case lifecycle runs with, the component registry, the census topics).

Department aspects, subtypes' English major class names and districts' names come back as the package gave them
(``package_extras``); what was added since by other means is written so that it loads as it is: a department the
package did not have handles every aspect, a subtype's major class is named in Chinese in both languages, and
people have no password in users.json (passwords are never exported; a person already in the database keeps theirs
when the package is loaded again). The holiday table the profile names is written to calendar/NAME.json.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from city.package.extras import (
    ASSESSMENT_FILE,
    ASSESSMENT_SETTINGS,
    EMERGENCY_DEFAULTS,
    EMERGENCY_FILE,
    TRANSPORT_FILE,
    TRANSPORT_SETTINGS,
)
from city.package.format import (
    CALENDAR_DIR,
    CHANNELS_FILE,
    DUTY_FILE,
    PROFILE_FILE,
    RULES_DIR,
    STREETS_FILE,
    PackageError,
)
from city.package.profile import city_channels, city_profile
from city.package.topics import TOPICS_FILE
from city.persistence.read import campaign_rows
from engine.persistence.read import calendars
from engine.persistence.read import city_package as read
from engine.persistence.repositories.versions import latest_version, version_sources
from engine.service.deps import Deps

LIFECYCLE = "case_lifecycle"
COMPONENTS_FILE = "components.csv"
SUBTYPE_COLUMNS = ("code", "kind", "major_code", "major_name_zh", "name_zh", "name_en", "aspect_code",
                   "default_urgency", "limit_amount", "limit_unit", "closing_standard", "video_ai", "national_code")
# the counts' names
KINDS = {"resps": "resp_grids", "units": "unit_grids", "registry": "components", "topics": "campaign_topics"}


def _write(folder: Path, name: str, data: Any) -> None:
    (folder / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


def _features(rows: list[tuple[Any, ...]], names: tuple[str, ...]) -> dict[str, Any]:
    """A FeatureCollection of rows (the properties ``names``, then the geometry text)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": dict(zip(names, row[:-1], strict=True)), "geometry": json.loads(row[-1])}
        for row in rows]}


def _read_city(deps: Deps) -> dict[str, Any]:
    """Everything the package holds, read in one transaction."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        profile = city_profile(store)
        lifecycle = latest_version(store, LIFECYCLE)
        found = version_sources(store, lifecycle.id) if lifecycle is not None else None
        return {
            "profile": profile, "holidays": read.holiday_calendar(store, profile["calendar"]),
            "districts": read.rows(store, "districts", ("code", "name", "geometry")),
            "resps": read.rows(store, "resp_grids", ("code", "name", "district_code", "geometry")),
            "units": read.rows(store, "unit_grids", ("code", "geometry")),
            "streets": read.streets(store), "grid_streets": read.grid_streets(store),
            "aspects": read.rows(store, "aspects", ("code", "name_zh", "name_en")),
            "subtypes": read.rows(store, "subtypes", SUBTYPE_COLUMNS),
            "departments": read.rows(store, "departments", ("code", "name_zh", "name_en", "level", "district_code")),
            "users": read.rows(store, "users", ("username", "display_name", "role", "department_code",
                                                "district_code")),
            "extras": {key: json.loads(data) for key, data in read.package_extras(store).items()},
            "channels": city_channels(store), "duty": calendars.versions(store), "registry": read.components(store),
            "sources": found[4] if found is not None else {}, "topics": campaign_rows.topics(store)}


def export_package(deps: Deps, folder: Path) -> dict[str, int]:
    """Write the loaded city into ``folder`` (created; it must be empty); counts per file kind. PackageError when
    ``folder`` is a file or a folder with files in it (an export never mixes with or overwrites other files)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PackageError(f"{folder}: not an empty folder; export into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    city = _read_city(deps)
    profile, registry = city["profile"], city["registry"]
    _write(folder, PROFILE_FILE, {"name": profile["name"], "time_zone": profile["time_zone"],
                                  "locale": profile["locale"], "calendar": profile["calendar"],
                                  "districts": "districts.geojson", "resp_grids": "resp_grids.geojson",
                                  "unit_grids": "unit_grids.geojson",
                                  **({"components": COMPONENTS_FILE} if registry else {})})
    if registry:
        with (folder / COMPONENTS_FILE).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("id", "class", "owner", "state", "lon", "lat"))
            writer.writerows((i, c, o, s, repr(float(lon)), repr(float(lat))) for i, c, o, s, lon, lat in registry)
    _write(folder, "districts.geojson", _features(city["districts"], ("code", "name")))
    _write(folder, "resp_grids.geojson", _features(city["resps"], ("code", "name", "district")))
    _write(folder, "unit_grids.geojson", _features(city["units"], ("code",)))
    _write_catalogue(folder, city)
    if city["holidays"] is not None:  # the table the profile names, loaded with the package
        (folder / CALENDAR_DIR).mkdir()
        (folder / CALENDAR_DIR / f"{profile['calendar']}.json").write_text(city["holidays"], "utf-8")
    latest = {v.effective_from: v for v in city["duty"]}  # of two versions from one day, the later loaded is in force
    if latest:
        _write(folder, DUTY_FILE, {"versions": [json.loads(v.content) for v in latest.values()]})
    dmn = {name: text for name, text in city["sources"].items() if name.endswith(".dmn")}
    if dmn:
        (folder / RULES_DIR).mkdir(exist_ok=True)
        for name, text in dmn.items():
            (folder / RULES_DIR / Path(name).name).write_text(text, "utf-8")
    counted = ("districts", "resps", "units", "streets", "aspects", "subtypes", "departments", "users", "channels",
               "registry", "topics")
    counts = {key: len(city[key]) for key in counted}
    return {**{KINDS.get(k, k): n for k, n in counts.items()}, "duty_versions": len(latest), "rules": len(dmn)}


def _write_catalogue(folder: Path, city: dict[str, Any]) -> None:
    """streets.json, categories.json, departments.json, users.json and channels.json."""
    _write(folder, STREETS_FILE, {"streets": [
        {"code": s["code"], "name": s["name"], "district": s["district_code"], "department": s["department_code"],
         "resp_grids": sorted(g for g, street in city["grid_streets"].items() if street == s["code"])}
        for s in city["streets"]]})
    aspects, extras = city["aspects"], city["extras"]
    every_aspect = [a[0] for a in aspects]
    _write(folder, "categories.json", {"aspects": [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in aspects],
                                       "subtypes": [_subtype(row, extras) for row in city["subtypes"]]})
    known = set(every_aspect)  # an aspect removed since (admin pages) is not named
    _write(folder, "departments.json", {
        "districts": [{"code": c, "name_zh": n, "name_en": n, **extras.get(("district", c), {})}
                      for c, n, _ in city["districts"]],
        "departments": [{"code": c, "name_zh": zh, "name_en": en, "level": level, "district": district,
                         "aspects": [a for a in extras.get(("department", c), {}).get("aspects", every_aspect)
                                     if a in known]}
                        for c, zh, en, level, district in city["departments"]]})
    _write(folder, "users.json", {"users": [{"username": u, "display_name": n, "role": r, "department": d,
                                             "district": w} for u, n, r, d, w in city["users"]]})
    _write(folder, CHANNELS_FILE, {"channels": city["channels"]})
    if city["topics"]:  # campaign_topics.json is optional: a city without topics has none
        _write(folder, TOPICS_FILE, {"topics": city["topics"]})
    if EMERGENCY_DEFAULTS in city["extras"]:
        _write(folder, EMERGENCY_FILE, city["extras"][EMERGENCY_DEFAULTS])
    for settings, name in ((TRANSPORT_SETTINGS, TRANSPORT_FILE), (ASSESSMENT_SETTINGS, ASSESSMENT_FILE)):
        if settings in city["extras"]:
            _write(folder, name, city["extras"][settings])


def _subtype(row: tuple[Any, ...], extras: dict[tuple[str, str], Any]) -> dict[str, Any]:
    code, kind, major, major_zh, zh, en, aspect, urgency, amount, unit, closing, video_ai, national = row
    major_en = extras.get(("subtype", code), {}).get("major_name_en") or major_zh
    item = {"code": code, "kind": kind, "major_code": major, "major_name_zh": major_zh, "major_name_en": major_en,
            "name_zh": zh, "name_en": en, "aspect": aspect, "default_urgency": urgency,
            "time_limit": {"amount": int(amount), "unit": unit}, "closing_standard_zh": closing,
            "video_ai": bool(video_ai)}
    if national is not None:
        item["national_code"] = national
    return item
