"""The vision worker end to end: the real model on the demo camera's sample clip against the running app
opens exactly one case — the van in the no-parking zone — with its annotated snapshot; a second run of the
same clip opens none."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from browser_support import GRIDCASE, ROOT


def _call(base: str, path: str, token: str | None = None, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(f"{base}/api/v1{path}", data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read()) if "json" in response.headers.get("Content-Type", "") else response.read()


def _token(base: str, user: str) -> str:
    return str(_call(base, "/auth/token", body={"username": user, "password": "gridcase-demo"})["token"])


def _camera_token(base: str) -> str:
    """The vision worker's token, issued by an admin (a machine account never signs in with a password)."""
    return str(_call(base, "/users/vision01/tokens", _token(base, "admin"), {"name": "e2e camera"})["token"])


def _watch(base: str, spool: Path) -> dict[str, Any]:
    env = {**os.environ, "GRIDCASE_API_URL": base, "GRIDCASE_VISION_TOKEN": _camera_token(base),
           "GRIDCASE_LOG_LEVEL": "WARNING"}
    done = subprocess.run([*GRIDCASE, "vision", "run", "--camera", "CAM-DEMO-01", "--once", "--json", "--spool",
                           str(spool)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr[-3000:]}"
    return dict(json.loads(done.stdout))


def test_the_sample_clip_opens_one_illegal_parking_case_with_its_snapshot(city_server: str, tmp_path: Path) -> None:
    first = _watch(city_server, tmp_path / "spool")
    (case_no,) = first["cases"]
    assert (first["alerts"], first["evidence"], first["pending"]) == (1, [], 0)
    assert first["frames"] >= 300 and first["records_sent"] > 1000
    seat = _token(city_server, "seat01")
    case = _call(city_server, f"/cases/{case_no}", seat)
    assert (case["channel"], case["subtype"], case["status"], case["district"]) == ("video", "1004", "running",
                                                                                    "350602")
    assert [t["bpmn_id"] for t in case["tasks"]] == ["review_detection"]
    (photo,) = case["attachments"]
    assert photo["content_type"] == "image/jpeg" and photo["filename"].startswith("CAM-DEMO-01_no_parking")
    jpeg = _call(city_server, f"/cases/{case_no}/attachments/{photo['sha256']}", seat)
    assert jpeg[:3] == b"\xff\xd8\xff" and len(jpeg) > 20_000

    second = _watch(city_server, tmp_path / "spool-again")  # a new worker, no memory of the first
    assert second["cases"] == [case_no] and second["pending"] == 0
    audit = _call(city_server, "/audit/cases?subtype=1004", _token(city_server, "auditor01"))
    assert [c["case_no"] for c in audit["cases"]] == [case_no]
    precision = _call(city_server, "/vision/precision", _token(city_server, "auditor01"))["rules"]
    assert [(r["camera_id"], r["rule_id"], r["cases"], r["pending"]) for r in precision] == [
        ("CAM-DEMO-01", "v_parking", 1, 1)]


def test_bad_worker_input_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    def vision(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if k != "GRIDCASE_VISION_TOKEN"}
        return subprocess.run([*GRIDCASE, "vision", "run", *args], cwd=ROOT, env={**clean, **env},
                              capture_output=True, text=True, timeout=120)

    unknown = vision("--camera", "CAM-NOPE", "--token", "t")
    assert unknown.returncode == 1 and "no camera 'CAM-NOPE'" in unknown.stderr and "CAM-DEMO-01" in unknown.stderr
    no_token = vision("--camera", "CAM-DEMO-01")
    assert no_token.returncode == 2 and "--token" in no_token.stderr
    missing = vision("--camera", "CAM-DEMO-01", "--token", "t", "--source", str(tmp_path / "none.avi"))
    assert missing.returncode == 1 and "none.avi does not exist" in missing.stderr
    (tmp_path / "cams").mkdir()
    (tmp_path / "cams" / "bad.yaml").write_text("id: CAM-BAD\nsource: x.avi\n", "utf-8")
    bad = vision("--camera", "CAM-BAD", "--token", "t", "--cameras", str(tmp_path / "cams"))
    assert bad.returncode == 1 and "bad.yaml: location is missing" in bad.stderr
