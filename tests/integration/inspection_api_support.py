"""The inspection API tests' inspections (考评检查) over the seeded demo city: a round and one object's inspection
row as the round's hook writes them, the inspection's case started with the design's INSPECTION PAYLOAD, photos
uploaded to it, items recorded through the API."""

from __future__ import annotations

import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from api_support import Api, png_bytes
from api_support import rows as rows  # its tests import it from here
from assessment_support import object_row, open_round
from werkzeug.test import TestResponse

from city.assessment.round_payload import inspection_payload
from engine.domain import commands as c

INSPECTOR = "collector001"  # 350602's collectors inspect its garbage-sorting objects
OTHER_INSPECTOR = "collector002"  # 350603's
READER = "supervisor01"
_PERIODS = itertools.count(1)


def _object(api: Api, kind: str, district: str) -> dict[str, Any]:
    (row,) = rows(api, "SELECT o.id, o.code, o.name, o.kind, o.address, o.district_code, o.street_code,"
                  " o.grid_code, o.lon, o.lat, o.department_code, c.code AS company, c.name AS company_name"
                  " FROM assessed_objects o LEFT JOIN property_companies c ON c.id = o.company_id"
                  " WHERE o.kind = :kind AND o.district_code = :district AND o.active = :t ORDER BY o.code LIMIT 1",
                  kind=kind, district=district, t=True)
    return {"id": row.id, "code": row.code, "name": row.name, "kind": row.kind, "address": row.address,
            "district": row.district_code, "street": row.street_code, "grid": row.grid_code, "lon": row.lon,
            "lat": row.lat, "company": row.company, "company_name": row.company_name,
            "department": row.department_code}


def _items(api: Api, scheme: str, kind: str) -> tuple[int, list[dict[str, Any]]]:
    (row,) = rows(api, "SELECT id, items_json FROM assessment_checklists WHERE scheme = :scheme"
                  " ORDER BY version DESC LIMIT 1", scheme=scheme)
    items = [i for i in json.loads(row.items_json) if not i.get("kinds") or kind in i["kinds"]]
    return int(row.id), items


def start_inspection(api: Api, scheme: str = "garbage_sorting", kind: str = "community",
                     district: str = "350602") -> dict[str, Any]:
    """A round of its own period (its case a hotline report), the object's inspection row and its case:
    ``{inspection_id, case_id, case_no, object, items, round_id}``."""
    place = _object(api, kind, district)
    checklist_id, items = _items(api, scheme, kind)
    round_case = int(rows(api, "SELECT case_id FROM case_summaries WHERE case_no = :no",
                          no=api.new_case())[0].case_id)
    now = datetime.now(UTC)
    due, period = now + timedelta(days=20), f"T{next(_PERIODS)}"
    round_id, (inspection_id,) = open_round(api.deps.db, {
        "scheme": scheme, "period": period, "case_id": round_case, "checklist_id": checklist_id, "starts_at": now,
        "due_at": due, "started_by": "shiftlead01"}, [place["id"]], now=now)
    round_row = {"id": round_id, "scheme": scheme, "period": period, "starts_at": now, "due_at": due}
    payload = inspection_payload(object_row(place), round_row, items, inspection_id)  # as the round's hook does
    ref = api.bus.handle(c.StartCase("assessment_inspection", payload, "system", actor_kind="system"))
    case_no = rows(api, "SELECT case_no FROM case_summaries WHERE case_id = :id", id=ref.case_id)[0].case_no
    return {"inspection_id": inspection_id, "case_id": ref.case_id, "case_no": case_no, "object": place,
            "items": items, "round_id": round_id, "round_case": round_case}


def upload(api: Api, case_no: str, user: str = INSPECTOR, shade: int = 2) -> str:
    """Upload a photo to the case as ``user``; its sha256."""
    response = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(user),
                               data={"file": (io.BytesIO(png_bytes(shade, 2)), "现场.png")},
                               content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return str(response.json["sha256"])


def post_item(api: Api, inspection: dict[str, Any], code: str, result: str = "pass", user: str = INSPECTOR,
              **fields: Any) -> TestResponse:
    """POST one item of the current visit."""
    return api.post(f"/assessment/inspections/{inspection['inspection_id']}/items", user,
                    {"item_code": code, "result": result, **fields})


def record_visit(api: Api, inspection: dict[str, Any], results: dict[str, str], photo: str) -> None:
    """Record each item (``results``: code → result, pass by default), the photo wherever the rule asks."""
    for item in inspection["items"]:
        result = results.get(item["code"], "pass")
        needs = item["photo"] == "always" or (item["photo"] == "on_fail" and result == "fail")
        response = post_item(api, inspection, item["code"], result, photos=[photo] if needs else [])
        assert response.status_code == 200, response.json


def visit_task(api: Api, inspection: dict[str, Any], user: str = INSPECTOR) -> dict[str, Any]:
    """The sheet's ready visit task ``{id, bpmn_id}``."""
    sheet = api.get(f"/assessment/inspections/{inspection['inspection_id']}", user)
    assert sheet.status_code == 200, sheet.json
    task = sheet.json["task"]
    assert task is not None
    return dict(task)
