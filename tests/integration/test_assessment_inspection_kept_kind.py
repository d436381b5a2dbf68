"""An inspection keeps the object's kind its round opened it with (``assessment_inspections.object_kind``): the
object reloaded with another kind mid-round changes neither the sheet's items nor what the visit must record and
how it scores (both databases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_support import Api
from inspection_api_support import INSPECTOR, READER, record_visit, rows, start_inspection, upload, visit_task

OBJECTS = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou" / "assessment" / "objects.geojson"


def _reload_as(api: Api, code: str, kind: str) -> None:
    """The registry's admin reloads the object with another kind (the real path: a registry load)."""
    features = json.loads(OBJECTS.read_text(encoding="utf-8"))["features"]
    feature = next(f for f in features if f["properties"]["code"] == code)
    feature["properties"]["kind"] = kind
    loaded = api.post("/assessment/registry", "admin", {"files": {"objects.geojson": json.dumps(
        {"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)}})
    assert loaded.status_code == 200, loaded.json
    assert rows(api, "SELECT kind FROM assessed_objects WHERE code = :code", code=code)[0].kind == kind


def _codes(api: Api, inspection: dict[str, Any]) -> list[str]:
    sheet = api.get(f"/assessment/inspections/{inspection['inspection_id']}", READER)
    assert sheet.status_code == 200, sheet.json
    assert sheet.json["object"]["kind"] == "community"
    return [item["code"] for item in sheet.json["items"]]


def test_a_kind_changed_mid_round_leaves_the_sheet_and_the_scoring_as_opened(api: Api) -> None:
    inspection = start_inspection(api)  # a community: GS01–GS09 but GS10
    opened = [item["code"] for item in inspection["items"]]
    assert _codes(api, inspection) == opened and "GS10" not in opened
    _reload_as(api, inspection["object"]["code"], "transfer_station")  # GS04, GS05, GS07–GS10 would apply
    assert _codes(api, inspection) == opened
    record_visit(api, inspection, {opened[0]: "fail"}, upload(api, inspection["case_no"]))
    task = visit_task(api, inspection)
    done = api.complete(task["id"], {}, INSPECTOR)
    assert done.status_code == 200, done.json  # every item the round opened it with: complete, nothing missing
    (row,) = rows(api, "SELECT score, failed_items, object_kind FROM assessment_inspections WHERE id = :id",
                  id=inspection["inspection_id"])
    points = {item["code"]: item["points"] for item in inspection["items"]}
    assert float(row.score) == round(100 * (sum(points.values()) - points[opened[0]]) / sum(points.values()), 1)
    assert row.failed_items == 1 and row.object_kind == "community"
