"""The vision worker's delivery against the real app over HTTP, with the demo clip's recorded detections
(no model): one case with an annotated snapshot, none on a second run, evidence for an open case,
nothing lost while the API is down."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_support import Api
from werkzeug.serving import make_server

from vision.cameras import Camera, load_camera
from vision.client import ApiClient
from vision.detections import Detection
from vision.rules import RuleBook, load_rules
from vision.sources import Frame
from vision.spool import Spool
from vision.worker import CameraRun, WorkerStats

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "fixtures" / "vision" / "vtest_detections.json"
BLANK = np.full((576, 768, 3), 90, dtype=np.uint8)


@pytest.fixture
def served(api: Api) -> Iterator[str]:
    """The test app served over real HTTP on a free port; its base URL."""
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def camera(tmp_path: Path) -> Camera:
    """The demo camera under a fresh id (cases from earlier tests on the same database stay apart)."""
    demo = load_camera(ROOT / "config" / "cameras" / "demo_street.yaml")
    return Camera(f"CAM-{uuid.uuid4().hex[:8]}", demo.name, demo.lon, demo.lat, str(RECORDED), demo.sample_fps,
                  demo.zones, demo.thresholds, demo.timezone, 2)


def play(camera: Camera, client: ApiClient, spool: Spool, passes: int = 2) -> tuple[CameraRun, WorkerStats]:
    """The recorded clip through a worker run, as the model saw it."""
    frames = json.loads(RECORDED.read_text("utf-8"))["frames"]
    run = CameraRun(camera, None, client, spool, RuleBook(load_rules()), camera.source)
    length = frames[-1][0] + 0.5
    for n in range(passes):
        for seconds, found in frames:
            run.observe(Frame(seconds + n * length, BLANK, 0.0),
                        [Detection(c, -1, s, x1, y1, x2, y2) for c, s, x1, y1, x2, y2 in found])
    return run, run.finish()


def token(api: Api) -> str:
    return api.token("vision01")


def case(api: Api, case_no: str) -> dict[str, Any]:
    response = api.get(f"/cases/{case_no}", "shiftlead01")
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_the_clip_opens_one_case_with_a_snapshot_and_a_second_run_opens_none(api: Api, served: str, camera: Camera,
                                                                            tmp_path: Path) -> None:
    client = ApiClient(served, token(api))
    _, stats = play(camera, client, Spool(tmp_path / "spool"))
    (case_no,) = stats.cases
    assert (stats.alerts, stats.evidence, stats.pending) == (1, [], 0)
    found = case(api, case_no)
    assert (found["channel"], found["subtype"], found["status"]) == ("video", "1004", "running")
    assert [t["bpmn_id"] for t in found["tasks"]] == ["review_detection"]
    with api.deps.uow(read_only=True) as uow:
        photos = uow.store._execute("SELECT content_type, filename FROM attachments WHERE case_id = ?",
                                   (found["id"],)).fetchall()
        alert = uow.store._execute("SELECT rule_id, subtype, zone_id, class_name FROM vision_detections"
                                  " WHERE case_no = ?", (case_no,)).fetchall()
        records = uow.store._execute("SELECT COUNT(*) FROM vision_detections WHERE camera_id = ?",
                                    (camera.camera_id,)).fetchone()[0]
    assert [p[0] for p in photos] == ["image/jpeg"]
    assert alert == [("v_parking", "1004", "no_parking_top_right", "truck")]
    assert records == stats.records_sent and records > 1000
    _, again = play(camera, client, Spool(tmp_path / "spool-2"))  # a fresh worker: the same ids, no new case
    assert (again.alerts, again.cases, again.pending) == (1, [case_no], 0)
    with api.deps.uow(read_only=True) as uow:
        cases = uow.store._execute("SELECT DISTINCT case_no FROM vision_detections WHERE camera_id = ?"
                                  " AND case_no IS NOT NULL", (camera.camera_id,)).fetchall()
        stored = uow.store._execute("SELECT COUNT(*) FROM vision_detections WHERE camera_id = ?",
                                   (camera.camera_id,)).fetchone()[0]
    assert cases == [(case_no,)] and stored == records  # resent records are not stored twice
    assert api.get(f"/tasks?case_no={case_no}", "seat01").json["total"] == 1


def test_another_alert_on_the_same_problem_adds_evidence_while_the_case_is_open(api: Api, served: str,
                                                                              camera: Camera, tmp_path: Path) -> None:
    client, spool = ApiClient(served, token(api)), Spool(tmp_path / "spool")
    _, first = play(camera, client, spool)
    (case_no,) = first.cases
    moved = Camera(camera.camera_id, camera.name, camera.lon, camera.lat, str(tmp_path / "other-clip.json"),
                   camera.sample_fps, camera.zones, camera.thresholds, camera.timezone, 2)
    _, second = play(moved, client, spool)  # another run key: a new alert id on the same subtype and zone
    assert (second.cases, second.evidence) == ([], [case_no])
    api.step(case_no, "review_detection", "seat01", {"detection_review": {"decision": "false_positive"}})
    assert case(api, case_no)["status"] == "completed"
    third = Camera(camera.camera_id, camera.name, camera.lon, camera.lat, str(tmp_path / "third-clip.json"),
                   camera.sample_fps, camera.zones, camera.thresholds, camera.timezone, 2)
    _, after = play(third, client, spool)  # the case is voided: a new one
    assert len(after.cases) == 1 and after.cases != [case_no]


def test_alerts_wait_in_the_spool_while_the_api_is_down_and_go_once_it_is_back(api: Api, served: str,
                                                                             camera: Camera, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    down = ApiClient("http://127.0.0.1:9", token(api), attempts=2, backoff=0.01)
    _, stats = play(camera, down, spool)
    assert (stats.alerts, stats.cases, stats.pending) == (1, [], 1)
    assert len(list(spool.pending.glob("*.jpg"))) == 1
    delivered = spool.deliver(ApiClient(served, token(api)))
    assert [d.kind for d in delivered] == ["case"] and spool.waiting() == []
    assert spool.deliver(ApiClient(served, token(api))) == []
