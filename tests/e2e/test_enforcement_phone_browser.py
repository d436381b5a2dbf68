"""The enforcement case's 调查取证 on a phone in a real browser (Debian's Chromium, 390×844): a case is transferred
to enforcement through the API (转执法) and its filing proposed and approved; a member of 芗城区执法大队, signed in on
a phone, opens the investigation task, takes an evidence photo (uploaded to the enforcement case as it is chosen),
writes the on-site notes and submits — the case goes on to 事先告知 with the photo as its evidence."""

from __future__ import annotations

import json
import struct
import urllib.request
import uuid
import zlib
from pathlib import Path
from typing import Any

from browser_support import PASSWORD, sign_in

PHONE = {"width": 390, "height": 844}
MEMBER, LEADER = "dept_350602d03_02", "dept_350602d03_01"


def _png(path: Path, width: int = 64, height: int = 48) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xc0\x80\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


def _call(base: str, username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token_request = urllib.request.Request(f"{base}/api/v1/auth/token", json.dumps(
        {"username": username, "password": PASSWORD}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(token_request, timeout=30) as response:
        token = json.loads(response.read())["token"]
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _task(base: str, case_no: str, bpmn_id: str, username: str) -> dict[str, Any]:
    tasks = _call(base, username, "GET", f"/tasks?case_no={case_no}")["tasks"]
    (found,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    return dict(found)


def _filed_enforcement_case(base: str) -> str:
    """A report transferred to enforcement by the dispatcher, its filing proposed and approved: its case number."""
    case_no = _call(base, "seat01", "POST", "/cases", {
        "subtype_code": "0601", "description": "渣土沿路抛洒", "lat": 24.51, "lon": 117.65, "channel": "hotline",
        "external_id": f"e2e-{uuid.uuid4().hex}"})["case_no"]
    enforcement_no = str(_call(base, "dispatcher01", "POST", f"/cases/{case_no}/enforcement",
                               {"reason": "多次抛洒，需立案处罚"})["enforcement_case_no"])
    _call(base, MEMBER, "POST", f"/tasks/{_task(base, enforcement_no, 'propose_filing', MEMBER)['id']}/complete",
          {"data": {"filing_proposal": {"party_name": "漳州顺达渣土运输有限公司", "party_kind": "organisation",
                                        "facts": "沿路抛洒渣土", "proposed_basis": "《城市市容和环境卫生管理条例》"}}})
    _call(base, LEADER, "POST", f"/tasks/{_task(base, enforcement_no, 'approve_filing', LEADER)['id']}/complete",
          {"data": {"filing_review": {"decision": "approve"}}})
    return enforcement_no


def test_the_investigation_with_a_photo_on_a_phone(browser: Any, city_server: str, tmp_path: Path) -> None:
    base = city_server
    enforcement_no = _filed_enforcement_case(base)
    task = _task(base, enforcement_no, "investigate", MEMBER)
    phone = sign_in(browser, base, MEMBER, viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(f"{base}/tasks/{task['id']}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("[id='f-investigation.evidence']").set_input_files(str(_png(tmp_path / "scene.png")))
    phone.wait_for_selector("ul.uploads li.uploaded")  # uploaded to the enforcement case as it was chosen
    digest = phone.locator("[id='h-investigation.evidence']").input_value()
    assert len(digest) == 64
    phone.fill("[id='f-investigation.site_notes']", "现场道路约 30 米抛洒，已拍照取证")
    phone.click("section.task-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert _task(base, enforcement_no, "notify_party", MEMBER)["bpmn_id"] == "notify_party"
    case = _call(base, "supervisor01", "GET", f"/cases/{enforcement_no}")
    assert digest in json.dumps(case), case
