"""The vision worker's token has the narrowest rights (issue 16), on SQLite and PostgreSQL: it reads no case but the
ones it started — no other case, no events, diagrams, downloads, tasks, city catalogues, audit or analysis — and
still does everything ``vision/client.py`` does: send ``video_detection``, read the case that started, attach its
snapshot to it, record detections."""

from __future__ import annotations

import io
import uuid

from api_support import POINT, Api, png_bytes

WORKER = "vision01"


def _refused(api: Api, method: str, path: str, body: object = None) -> int:
    response = api.client.open(f"/api/v1{path}", method=method, json=body, headers=api.headers(WORKER))
    response.close()
    return response.status_code


def _upload(api: Api, case_no: str, user: str) -> int:
    response = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(user),
                               data={"file": (io.BytesIO(png_bytes(4, 4)), "snapshot.png")})
    return response.status_code


def _started_by_the_worker(api: Api) -> str:
    detection = {"camera_id": "CAM-RIGHTS", "subtype": "1004", **POINT, "image": "alert.jpg", "confidence": 0.6}
    sent = api.post("/messages", WORKER, {"name": "video_detection", "payload": {"detection": detection},
                                          "correlation": {}, "external_id": f"rights-{uuid.uuid4().hex}"})
    assert sent.status_code == 200, sent.json
    (case_no,) = sent.json["cases"]
    return str(case_no)


def test_the_worker_reads_no_case_it_did_not_start(api: Api) -> None:
    case_no = api.new_case("seat01")  # a citizen's report, taken by the centre
    photo = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"),
                            data={"file": (io.BytesIO(png_bytes()), "a.png")})
    assert photo.status_code == 201, photo.json
    task_id = api.task(case_no, "verify_report", "collector001")["id"]
    # Not its case: 404, as for anyone a case is hidden from (whether it exists is not revealed).
    assert _refused(api, "GET", f"/cases/{case_no}") == 404
    assert _upload(api, case_no, WORKER) == 404
    # What it never reads, of any case: 403 before any lookup.
    for method, path in [("GET", f"/cases/{case_no}/events"), ("GET", f"/cases/{case_no}/diagram"),
                         ("GET", f"/cases/{case_no}/attachments/{photo.json['sha256']}"),
                         ("GET", "/tasks"), ("GET", f"/tasks?case_no={case_no}"), ("GET", f"/tasks/{task_id}"),
                         ("POST", f"/tasks/{task_id}/claim"), ("POST", f"/tasks/{task_id}/complete"),
                         ("GET", "/city/grids?level=district"), ("GET", "/city/locate?lon=117.65&lat=24.51"),
                         ("GET", "/city/subtypes"), ("GET", "/city/departments"),
                         ("GET", "/audit/cases"), ("GET", f"/cases/{case_no}/replay"),
                         ("GET", "/analysis/points"), ("GET", "/kpi/ranking?level=department"),
                         ("GET", "/vision/precision"), ("GET", "/processes"), ("POST", "/cases")]:
        assert _refused(api, method, path, {}) == 403, (method, path)
    assert _refused(api, "GET", "/cases") in (403, 405)  # there is no case list in the API for anyone
    assert _refused(api, "POST", "/messages", {"name": "citizen_report", "payload": {}}) == 403
    assert api.get(f"/cases/{case_no}", "seat01").status_code == 200  # the centre still reads it


def test_the_worker_still_does_what_its_client_does(api: Api) -> None:
    case_no = _started_by_the_worker(api)
    own = api.get(f"/cases/{case_no}", WORKER)  # ApiClient.case: is the case of the last alert still open?
    assert own.status_code == 200, own.json
    assert (own.json["status"], own.json["channel"], own.json["evaluation"]) == ("running", "video", None)
    assert _upload(api, case_no, WORKER) == 201  # ApiClient.upload: the snapshot, to the case it started
    assert [a["filename"] for a in api.get(f"/cases/{case_no}", WORKER).json["attachments"]] == ["snapshot.png"]
    record = {"record_id": f"r-{uuid.uuid4().hex}", "camera_id": "CAM-RIGHTS",
              "observed_at": "2026-11-26T10:00:00+08:00", "class_name": "truck", "score": 0.58, "x1": 652, "y1": 44,
              "x2": 726, "y2": 99, "track_id": 3, "zone_id": "no_parking_1", "dwell_seconds": 125.5}
    assert api.post("/vision/detections", WORKER, {"detections": [record]}).status_code == 201
    # Its own case's history and tasks are the centre's to read, not the camera's.
    assert _refused(api, "GET", f"/cases/{case_no}/events") == 403
    assert _refused(api, "GET", f"/tasks?case_no={case_no}") == 403
    assert _refused(api, "GET", f"/cases/{case_no}/diagram") == 403
