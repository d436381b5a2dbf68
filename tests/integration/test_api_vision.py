"""The vision API: detection records kept idempotently, and each camera rule's precision from acceptance."""

from __future__ import annotations

import uuid
from typing import Any

from api_support import POINT, Api, error_of

WORKER = "vision01"


def _record(**fields: Any) -> dict[str, Any]:
    return {"record_id": f"r-{uuid.uuid4().hex}", "camera_id": "CAM-T1", "observed_at": "2026-11-26T10:00:00+08:00",
            "class_name": "truck", "score": 0.58, "x1": 652, "y1": 44, "x2": 726, "y2": 99, "track_id": 3,
            "zone_id": "no_parking_1", "dwell_seconds": 125.5, **fields}


def _alert_case(api: Api, camera: str = "CAM-T1") -> str:
    detection = {"camera_id": camera, "subtype": "1004", **POINT, "image": "alert.jpg", "confidence": 0.58}
    response = api.post("/messages", WORKER, {"name": "video_detection", "payload": {"detection": detection},
                                              "correlation": {}, "external_id": f"a-{uuid.uuid4().hex}"})
    assert response.status_code == 200, response.json
    (case_no,) = response.json["cases"]
    return str(case_no)


def test_records_are_kept_once_per_record_id(api: Api) -> None:
    records = [_record(), _record(class_name="person", zone_id=None, dwell_seconds=None, track_id=None)]
    first = api.post("/vision/detections", WORKER, {"detections": records})
    assert (first.status_code, first.json) == (201, {"stored": 2, "duplicates": 0})
    again = api.post("/vision/detections", WORKER, {"detections": records})
    assert (again.status_code, again.json) == (201, {"stored": 0, "duplicates": 2})
    with api.deps.uow(read_only=True) as uow:
        (count,) = uow.store._execute("SELECT COUNT(*) FROM vision_detections WHERE record_id IN (?, ?)",
                                     tuple(r["record_id"] for r in records)).fetchone()
    assert count == 2


def test_bad_records_are_refused_naming_the_field_and_nothing_is_stored(api: Api) -> None:
    good, bad = _record(), _record(score=1.7)
    error = error_of(api.post("/vision/detections", WORKER, {"detections": [good, bad]}), 422)
    assert set(error["fields"]) == {"detections.1.score"}, error
    error = error_of(api.post("/vision/detections", WORKER, {"detections": [_record(observed_at="2026-11-26 10:00")]}),
                     422)
    assert set(error["fields"]) == {"detections.0.observed_at"}, error
    with api.deps.uow(read_only=True) as uow:
        found = uow.store._execute("SELECT 1 FROM vision_detections WHERE record_id = ?",
                                  (good["record_id"],)).fetchone()
    assert found is None


def test_only_the_worker_and_admins_record_and_people_cannot(api: Api) -> None:
    error_of(api.post("/vision/detections", "seat01", {"detections": [_record()]}), 403)
    assert api.post("/vision/detections", "admin", {"detections": [_record()]}).status_code == 201


def test_precision_counts_confirmed_and_voided_alerts_per_camera_and_rule(api: Api) -> None:
    camera = f"CAM-{uuid.uuid4().hex[:6]}"
    confirmed, voided = _alert_case(api, camera), _alert_case(api, camera)
    for case_no in (confirmed, voided):
        assert api.post("/vision/detections", WORKER, {"detections": [
            _record(camera_id=camera, rule_id="v_parking", subtype="1004", case_no=case_no)]}).status_code == 201
    api.step(confirmed, "review_detection", "seat01", {"detection_review": {"decision": "confirm"}})
    api.step(confirmed, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    api.step(confirmed, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
    api.step(voided, "review_detection", "seat01", {"detection_review": {"decision": "false_positive"}})
    response = api.get("/vision/precision", "auditor01")
    assert response.status_code == 200, response.json
    (row,) = [r for r in response.json["rules"] if r["camera_id"] == camera]
    assert {k: row[k] for k in ("rule_id", "cases", "confirmed", "false_positives", "pending", "precision")} == {
        "rule_id": "v_parking", "cases": 2, "confirmed": 1, "false_positives": 1, "pending": 0, "precision": 0.5}
    error_of(api.get("/vision/precision", "dept_350602s07_01"), 403)
    assert "since" in error_of(api.get("/vision/precision?since=yesterday", "auditor01"), 422)["fields"]
