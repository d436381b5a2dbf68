"""The assessment registries as the API, the admin page and the command line show them: each read opens a
read-only unit of work over ``city/persistence/read/assessment_registry.py`` and shapes JSON-safe rows (times as
ISO 8601, a compound's polygon as GeoJSON, no internal ids but the object's)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from city.persistence.read import assessment_registry as reads
from engine.persistence.assessment_records import SCHEMES
from engine.persistence.db import iso_utc
from engine.persistence.read.city import districts as city_districts
from engine.service.deps import Deps

_HIDDEN = {"company_id", "polygon_json", "min_lon", "min_lat", "max_lon", "max_lat"}


def _iso(value: Any) -> Any:
    return iso_utc(value) if isinstance(value, datetime) else value


def object_row(found: dict[str, Any], geometry: bool = False) -> dict[str, Any]:
    """An object as shown: its columns (``district``, ``street``, ``grid``, ``company``, ``department`` by code),
    with ``polygon`` (a compound's GeoJSON) when ``geometry``."""
    row = {k: _iso(v) for k, v in found.items() if k not in _HIDDEN and not k.endswith("_code")}
    row.update(district=found["district_code"], street=found["street_code"], grid=found["grid_code"],
               department=found["department_code"], company=found["company_code"])
    if geometry:
        row["polygon"] = json.loads(found["polygon_json"]) if found["polygon_json"] else None
    return row


def objects(deps: Deps, *, scheme: str | None = None, district: str | None = None, kind: str | None = None,
            query: str | None = None, active: bool | None = None, page: int = 1,
            page_size: int = reads.PAGE_SIZE) -> dict[str, Any]:
    """A page of objects matching the filters: ``{objects, total, page, page_size}``."""
    with deps.uow(read_only=True) as uow:
        found = reads.object_page(uow.store, scheme=scheme, district=district, kind=kind, query=query,
                                  active=active, page=page, page_size=page_size)
    return {**found, "objects": [object_row(o) for o in found["objects"]]}


def one_object(deps: Deps, scheme: str, code: str) -> dict[str, Any] | None:
    """One object with its polygon and its newest 12 inspections (None: unknown)."""
    with deps.uow(read_only=True) as uow:
        found = reads.one_object(uow.store, scheme, code)
    if found is None:
        return None
    inspections = [{k: _iso(v) for k, v in i.items()} for i in found.pop("inspections")]
    return {**object_row(found, geometry=True), "inspections": inspections}


def companies(deps: Deps) -> list[dict[str, Any]]:
    """Every property company by code, with its count of compounds."""
    with deps.uow(read_only=True) as uow:
        found = reads.stored_companies(uow.store)
    return [{k: _iso(v) for k, v in c.items() if k != "id"} for c in found.values()]


def checklists(deps: Deps, scheme: str) -> list[dict[str, Any]]:
    """The scheme's checklist versions, newest first: ``{version, items, loaded_by, loaded_at}``."""
    with deps.uow(read_only=True) as uow:
        found = reads.checklist_versions(uow.store, scheme)
    return [{k: _iso(v) for k, v in c.items() if k != "id"} for c in found]


def all_checklists(deps: Deps) -> dict[str, list[dict[str, Any]]]:
    """Each scheme's checklist versions, newest first."""
    return {scheme: checklists(deps, scheme) for scheme in SCHEMES}


def districts(deps: Deps) -> list[tuple[str, str]]:
    """The city's districts as (code, name): the objects' district filter."""
    with deps.uow(read_only=True) as uow:
        return city_districts(uow.store)
