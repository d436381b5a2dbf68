"""Assessment registries (考评对象, 物业企业, 考评细则) written straight into a migrated database for the assessment
tests: 2 property companies, 3 garbage-sorting objects (a community, a collection point, a transfer station), 2
compounds (small polygons) and a checklist per scheme — in the Lakeside test city (``LAKESIDE``) or the demo city
(``DEMO``). Rows as a registry load writes them (the ORM records' tables, one transaction), not through the load
command. Lives in tests/ so the workflow, integration and browser tests can all import it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.persistence.repositories.assessment_rounds import AssessmentRoundStore
from engine.persistence.assessment_records import (
    AssessedObjectRecord,
    AssessmentChecklistRecord,
    PropertyCompanyRecord,
)
from engine.persistence.uow import UnitOfWork, command_scope


@dataclass(frozen=True)
class Place:
    """Where seeded objects stand: a district, its street and grid, a point inside, the answering department."""

    district: str
    street: str | None
    grid: str | None
    lon: float
    lat: float
    department: str | None


@dataclass(frozen=True)
class City:
    """A test city's two places and the catalogue subtypes the checklists' failures open (a garbage one, a
    property one)."""

    first: Place
    second: Place
    garbage_subtype: str
    property_subtype: str


LAKESIDE = City(Place("W1", "NS", "LS00", -87.6597, 41.8673, "W1-S01"),
                Place("W2", "SL", "LS20", -87.6477, 41.8673, "W2-S01"), "0601", "0602")
DEMO = City(Place("350602", "350602007000", "3506020130007", 117.65, 24.51, "350602-S07"),
            Place("350603", "350603004000", "3506030120010", 117.6582, 24.5389, "350603-S04"), "0613", "0601")


@dataclass(frozen=True)
class Seeded:
    """The ids of what ``seed_assessment_registry`` wrote: companies by code, objects by (scheme, code), checklist
    ids by scheme."""

    companies: dict[str, int]
    objects: dict[tuple[str, str], int]
    checklists: dict[str, int]


GARBAGE_OBJECTS = (("GS-COM-1", "湖滨居民小区", "community", "first"),
                   ("GS-CP-1", "南环收集点", "collection_point", "second"),
                   ("GS-TS-1", "北岸中转站", "transfer_station", "first"))
COMPOUNDS = (("PR-CMP-1", "湖畔花园", "PC-1", "first"), ("PR-CMP-2", "南湾小区", "PC-2", "second"))
COMPANIES = (("PC-1", "湖滨物业服务有限公司"), ("PC-2", "南湾物业管理有限公司"))


def garbage_checklist(subtype: str) -> list[dict[str, Any]]:
    """The garbage-sorting checklist's items (points 100 over all items; GS04 only for collection points and
    transfer stations)."""
    return [
        {"code": "GS01", "label": "分类投放设施齐全", "label_en": "Sorting bins in place", "points": 40,
         "photo": "on_fail", "subtype": subtype,
         "deductions": [{"code": "GS01a", "label": "缺少可回收物桶", "label_en": "No recyclables bin", "points": 10},
                        {"code": "GS01b", "label": "设施破损", "label_en": "Bins broken", "points": 20}]},
        {"code": "GS02", "label": "分类标识清晰", "label_en": "Sorting signs clear", "points": 30, "photo": "always",
         "subtype": subtype, "deductions": [{"code": "GS02a", "label": "标识缺失", "label_en": "Signs missing",
                                             "points": 15}]},
        {"code": "GS03", "label": "周边无散落垃圾", "label_en": "No litter around", "points": 20, "photo": "optional",
         "subtype": subtype},
        {"code": "GS04", "label": "台账记录完整", "label_en": "Log book kept", "points": 10, "photo": "on_fail",
         "subtype": subtype, "kinds": ["collection_point", "transfer_station"]},
    ]


def property_checklist(subtype: str) -> list[dict[str, Any]]:
    """The property checklist's items (points 100)."""
    return [
        {"code": "PR01", "label": "小区环境整洁", "label_en": "Compound clean", "points": 40, "photo": "on_fail",
         "subtype": subtype, "deductions": [{"code": "PR01a", "label": "楼道堆物", "label_en": "Stairwell clutter",
                                             "points": 10}]},
        {"code": "PR02", "label": "绿化养护到位", "label_en": "Greenery kept", "points": 30, "photo": "optional",
         "subtype": subtype},
        {"code": "PR03", "label": "消防通道畅通", "label_en": "Fire lanes clear", "points": 30, "photo": "always",
         "subtype": subtype, "deductions": [{"code": "PR03a", "label": "车辆占用", "label_en": "Cars parked",
                                             "points": 30}]},
    ]


def square(lon: float, lat: float, half: float = 0.001) -> dict[str, Any]:
    """A small square Polygon around (lon, lat)."""
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def _object(place: Place, scheme: str, code: str, name: str, kind: str, now: datetime,
            company_id: int | None = None) -> dict[str, Any]:
    """An assessed_objects row's values; a compound gets its square polygon and bounding box."""
    values: dict[str, Any] = {
        "scheme": scheme, "code": code, "name": name, "kind": kind, "address": f"{name} 1 号",
        "district_code": place.district, "street_code": place.street, "grid_code": place.grid, "lon": place.lon,
        "lat": place.lat, "polygon_json": None, "min_lon": None, "min_lat": None, "max_lon": None,
        "max_lat": None, "company_id": company_id, "department_code": place.department, "active": True,
        "updated_at": now}
    if kind == "compound":
        polygon = square(place.lon, place.lat)
        values.update(polygon_json=json.dumps(polygon), min_lon=place.lon - 0.001, min_lat=place.lat - 0.001,
                      max_lon=place.lon + 0.001, max_lat=place.lat + 0.001)
    return values


def seed_assessment_registry(db: Engine, city: City = LAKESIDE, *, checklists: bool = True,
                             now: datetime | None = None) -> Seeded:
    """Write the companies, objects and (``checklists``) each scheme's checklist as its next version (1 in an empty
    registry; the newest over a loaded one, e.g. the seeded demo city's) into ``db`` in one transaction. ``db``: an
    Engine (``deps.db``, ``bus.deps.db`` or the ``db`` fixture). Codes: companies PC-1, PC-2; objects GS-COM-1,
    GS-CP-1, GS-TS-1 (garbage_sorting), PR-CMP-1, PR-CMP-2 (property)."""
    now = now or datetime.now(UTC)
    places = {"first": city.first, "second": city.second}
    seeded = Seeded({}, {}, {})
    with db.begin() as conn:
        for code, name in COMPANIES:
            seeded.companies[code] = conn.execute(sa.insert(PropertyCompanyRecord).values(
                code=code, name=name, contact_name="王经理", contact_phone="13800000000", active=True,
                updated_at=now).returning(PropertyCompanyRecord.id)).scalar_one()
        rows = [_object(places[p], "garbage_sorting", c, n, k, now) for c, n, k, p in GARBAGE_OBJECTS]
        rows += [_object(places[p], "property", c, n, "compound", now, seeded.companies[company])
                 for c, n, company, p in COMPOUNDS]
        for values in rows:
            seeded.objects[(values["scheme"], values["code"])] = conn.execute(sa.insert(AssessedObjectRecord).values(
                **values).returning(AssessedObjectRecord.id)).scalar_one()
        if checklists:
            for scheme, items in (("garbage_sorting", garbage_checklist(city.garbage_subtype)),
                                  ("property", property_checklist(city.property_subtype))):
                newest = conn.execute(sa.select(sa.func.max(AssessmentChecklistRecord.version)).where(
                    AssessmentChecklistRecord.scheme == scheme)).scalar_one()
                seeded.checklists[scheme] = conn.execute(sa.insert(AssessmentChecklistRecord).values(
                    scheme=scheme, version=(newest or 0) + 1, items_json=json.dumps(items, ensure_ascii=False),
                    loaded_by="admin1", loaded_at=now).returning(AssessmentChecklistRecord.id)).scalar_one()
    return seeded


def set_active(db: Engine, scheme: str, active: bool) -> None:
    """Every object of ``scheme`` made active or not (a test's "no active objects")."""
    with db.begin() as conn:
        conn.execute(sa.update(AssessedObjectRecord).where(AssessedObjectRecord.scheme == scheme)
                     .values(active=active))



def open_round(db: Engine, row: dict[str, Any], object_ids: list[int], *, now: datetime,
               inspections_due: datetime | None = None) -> tuple[int, list[int]]:
    """A running round and an open inspection per object (no visit, no case), written by the round's own writer
    (``AssessmentRoundStore``) in one unit of work as the round's hook writes them. ``row``: scheme, period, case_id,
    checklist_id, starts_at, due_at, started_by (object_count: the objects'); ``inspections_due``: the inspections'
    due time (the round's by default). (round id, the inspections' ids in the objects' order)."""
    with db.connect() as conn:
        found = {r.id: r._asdict() for r in conn.execute(sa.select(
            AssessedObjectRecord.id, AssessedObjectRecord.kind, AssessedObjectRecord.district_code,
            AssessedObjectRecord.street_code, AssessedObjectRecord.company_id).where(
            AssessedObjectRecord.id.in_(object_ids)))}
    with command_scope(), UnitOfWork(db) as uow:
        rounds = uow.repository(AssessmentRoundStore)
        round_id = rounds.insert_round({**row, "object_count": len(object_ids)}, now)
        ids = rounds.insert_inspections(round_id, [found[i] for i in object_ids], inspections_due or row["due_at"])
    return round_id, ids


def object_row(place: dict[str, Any]) -> dict[str, Any]:
    """A test's object (``id, code, name, kind, address, district, street, grid, lon, lat, company, company_name,
    department``) as the round's payload builder takes it (an ``active_objects`` row)."""
    return {"id": place["id"], "code": place["code"], "name": place["name"], "kind": place["kind"],
            "address": place["address"], "district_code": place["district"], "street_code": place["street"],
            "grid_code": place["grid"], "lon": place["lon"], "lat": place["lat"], "company_code": place["company"],
            "company_name": place["company_name"], "department_code": place["department"]}
