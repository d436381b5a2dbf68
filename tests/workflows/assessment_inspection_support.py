"""Driving workflows/assessment_inspection.bpmn in tests: a checklist and an object in the registry, a round and
its inspection row (as the round's hook writes them), the INSPECTION PAYLOAD the round gives the case, the items
recorded through RecordInspectionItem."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from assessment_support import object_row, open_round
from image_support import png_bytes
from lifecycle import Case, report
from sqlalchemy.engine import Engine

from city.assessment import round_payload
from city.assessment.commands import RecordInspectionItem
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "assessment_inspection.bpmn", ROOT / "workflows" / "case_lifecycle.bpmn",
               ROOT / "rules"]

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Zhangzhou
ROUND_DUE = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # the end of December in Zhangzhou
WARN = START + (ROUND_DUE - START) * 0.8
INSPECTOR = "collector001"
DEPARTMENT = "350602-D03"  # the unit answering for the object's rectifications (not the rules' 350602-D02)
ITEMS: list[dict[str, Any]] = [
    {"code": "GS01", "label": "分类投放设施齐全", "label_en": "Sorting bins in place", "points": 40,
     "photo": "on_fail", "subtype": "0613", "deductions": [{"code": "GS01a", "label": "缺少一类", "points": 10}]},
    {"code": "GS02", "label": "分类标识清晰", "label_en": "Signs legible", "points": 30, "photo": "optional",
     "subtype": "0613"},
    {"code": "GS03", "label": "收集容器整洁", "label_en": "Bins clean", "points": 30, "photo": "optional",
     "subtype": "0601", "kinds": ["community", "institution"]},
    {"code": "GS09", "label": "中转站除臭", "label_en": "Station deodorised", "points": 20, "photo": "always",
     "subtype": "0601", "kinds": ["transfer_station"]},
]
COMPOUND_ITEMS: list[dict[str, Any]] = [
    {"code": "PM01", "label": "公共区域保洁", "label_en": "Common areas clean", "points": 50, "photo": "on_fail",
     "subtype": "1203"},
    {"code": "PM02", "label": "消防通道畅通", "label_en": "Fire lanes clear", "points": 50, "photo": "optional",
     "subtype": "1203"},
]
OBJECT = {"code": "GS-350602-001", "name": "胜利花园", "kind": "community", "address": "芗城区胜利西路 18 号",
          "district": "350602", "street": None, "grid": None, "lon": 117.65, "lat": 24.51}


def inspection_bus(request: pytest.FixtureRequest, make_city_bus: Callable[..., MessageBus],
                   clock: FakeClock) -> MessageBus:
    """A test module's ``bus`` fixture (params hot and cold): the inspection model, the lifecycle and the rules
    deployed on the demo city's grids (``make_city_bus``), once with the workflow cache and once restoring every case
    from its rows; every case replays afterwards."""
    clock.set(START)
    return make_city_bus(models=MODEL_FILES, cache_size=256 if request.param == "hot" else 0)


def finish(case: Case, bpmn_id: str = "inspect_object", actor: str = INSPECTOR) -> None:
    """Complete the visit's task with no data, as the inspector's page does."""
    case.bus.handle(c.CompleteHumanTask(case.ready()[bpmn_id].id, {}, actor, claim_if_free=True))


def _insert(conn: sa.Connection, statement: str, **values: Any) -> int:
    return int(conn.execute(sa.text(statement + " RETURNING id"), values).scalar_one())


def seed_registry(db: Engine, scheme: str = "garbage_sorting", kind: str = "community",
                  department: str | None = DEPARTMENT) -> dict[str, Any]:
    """The checklist and one object (with a company for a property compound): ``{object, checklist_id}``."""
    items = COMPOUND_ITEMS if scheme == "property" else ITEMS
    place = {**OBJECT, "kind": kind, "department": department, "company": None, "company_name": None}
    with db.begin() as conn:
        company_id = None
        if scheme == "property":
            company_id = _insert(conn, "INSERT INTO property_companies (code, name, active, updated_at)"
                                 " VALUES ('WY01', '漳州安居物业有限公司', :t, :now)", t=True, now=START)
            place.update(company="WY01", company_name="漳州安居物业有限公司", code="PM-350602-001")
        place["id"] = _insert(
            conn, "INSERT INTO assessed_objects (scheme, code, name, kind, address, district_code, lon, lat,"
            " company_id, department_code, active, updated_at) VALUES (:scheme, :code, :name, :kind, :address,"
            " :district, :lon, :lat, :company_id, :department, :t, :now)", scheme=scheme, code=place["code"],
            name=place["name"], kind=kind, address=place["address"], district=place["district"], lon=place["lon"],
            lat=place["lat"], company_id=company_id, department=department, t=True, now=START)
        checklist_id = _insert(conn, "INSERT INTO assessment_checklists (scheme, version, items_json, loaded_by,"
                               " loaded_at) VALUES (:scheme, 1, :items, 'admin', :now)", scheme=scheme,
                               items=json.dumps(items, ensure_ascii=False), now=START)
    return {"object": place, "checklist_id": checklist_id, "scheme": scheme,
            "items": [i for i in items if not i.get("kinds") or kind in i["kinds"]], "all_items": items}


def round_case(bus: MessageBus) -> int:
    """A case to stand for the round's own (the round's model is another helper's): a hotline report."""
    return int(bus.handle(c.StartCase("case_lifecycle", {"report": report()}, "seat001")).case_id)


def seed_inspection(db: Engine, bus: MessageBus, registry: dict[str, Any], period: str = "2026-12") -> int:
    """The round (running) and the object's inspection row (open, no case yet), as the round's hook writes them."""
    round_id, (inspection_id,) = open_round(db, {
        "scheme": registry["scheme"], "period": period, "case_id": round_case(bus),
        "checklist_id": registry["checklist_id"], "starts_at": START, "due_at": ROUND_DUE, "started_by": "lead1"},
        [registry["object"]["id"]], now=START)
    registry["round_id"] = round_id
    return inspection_id

def inspection_payload(inspection_id: int, registry: dict[str, Any], period: str = "2026-12") -> dict[str, Any]:
    """The INSPECTION PAYLOAD of the design, made by the round's own builder (``city.assessment.round_payload``)."""
    round_row = {"id": registry.get("round_id", 1), "scheme": registry["scheme"], "period": period,
                 "starts_at": START, "due_at": ROUND_DUE}
    return round_payload.inspection_payload(object_row(registry["object"]), round_row, registry["all_items"],
                                            inspection_id)


def start_inspection(bus: MessageBus, db: Engine, scheme: str = "garbage_sorting", kind: str = "community",
                     department: str | None = DEPARTMENT) -> tuple[Case, int, dict[str, Any]]:
    """Registry, round, inspection row and the inspection's case: (the case, inspection id, the registry)."""
    registry = seed_registry(db, scheme, kind, department)
    inspection_id = seed_inspection(db, bus, registry)
    ref = bus.handle(c.StartCase("assessment_inspection", inspection_payload(inspection_id, registry), "system"))
    return Case(bus, db, ref.case_id), inspection_id, registry


def record(bus: MessageBus, inspection_id: int, code: str, result: str = "pass", actor: str = INSPECTOR,
           **fields: Any) -> dict[str, Any]:
    """Record one item of the current visit."""
    return dict(bus.handle(RecordInspectionItem(inspection_id, code, result, actor, **fields)))


def record_all(bus: MessageBus, inspection_id: int, results: dict[str, str], **fields: Any) -> None:
    """Record each ``code: result`` (a fail with all of its points unless ``fields`` say otherwise)."""
    for code, result in results.items():
        record(bus, inspection_id, code, result, **fields)


def rows(db: Engine, statement: str, **params: Any) -> list[sa.Row[Any]]:
    """A read for the assertions."""
    with db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def inspection_row(db: Engine, inspection_id: int) -> sa.Row[Any]:
    """The inspection's row."""
    (row,) = rows(db, "SELECT * FROM assessment_inspections WHERE id = :id", id=inspection_id)
    return row


def rectifications(db: Engine, inspection_id: int) -> list[sa.Row[Any]]:
    """The results that opened a rectification case, by visit and item: (visit, item_code, case_id)."""
    return rows(db, "SELECT visit, item_code, case_id FROM assessment_results WHERE inspection_id = :id"
                " AND case_id IS NOT NULL ORDER BY visit, item_code", id=inspection_id)


def later(days: float) -> datetime:
    """A moment ``days`` after the round's start."""
    return START + timedelta(days=days)


def upload_photo(bus: MessageBus, case_id: int, folder: Path, shade: int = 0) -> str:
    """Upload a photo to the inspection's case, as the page does; its sha256."""
    photo = png_bytes(rgb=(255, shade % 256, 0))
    done = bus.handle(c.UploadAttachment(str(folder), case_id, "现场.png", photo, INSPECTOR, 1_000_000))
    return str(done["sha256"])
