"""Evidence over HTTP (issue 16 item 6), on SQLite and PostgreSQL: an upload is an event of the case's log; a
closed case refuses new evidence (422 naming ``addendum``) except as an addendum with a note from a role that may
amend closed cases (supervisor, admin); the auditor's replay verifies the case and shows the evidence.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from api_support import Api, error_of, png_bytes
from pages_support import Browser
from werkzeug.test import TestResponse


def _upload(api: Api, case_no: str, user: str, data: bytes, **form: str) -> TestResponse:
    return api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(user),
                           data={"file": (io.BytesIO(data), "现场.png"), **form})


def _events(api: Api, case_no: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    return events


def _voided(api: Api) -> str:
    """A case verified and voided by the shift lead: completed, its record closed."""
    case_no = api.new_case()
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "void", "void_reason": "invalid"}})
    assert api.get(f"/cases/{case_no}", "seat01").json["status"] == "completed"
    return case_no


def test_an_upload_is_an_event_of_the_case(api: Api) -> None:
    case_no = api.new_case()
    photo = png_bytes(5, 3)
    assert _upload(api, case_no, "seat01", photo).status_code == 201
    last = _events(api, case_no)[-1]
    assert (last["event_type"], last["command"], last["actor"], last["actor_kind"]) == (
        "attachment_added", "upload_attachment", "seat01", "person")
    assert last["data"] == {"sha256": hashlib.sha256(photo).hexdigest(), "filename": "现场.png",
                            "content_type": "image/png", "size": len(photo)}


def test_a_closed_case_refuses_evidence_but_an_addendum_with_a_note(api: Api) -> None:
    case_no = _voided(api)
    count = len(_events(api, case_no))
    refused = error_of(_upload(api, case_no, "seat01", png_bytes()), 422)
    assert set(refused["fields"]) == {"addendum"} and "closed" in refused["message"]
    error_of(_upload(api, case_no, "seat01", png_bytes(), addendum="true", note="补拍"), 403)  # no amending role
    assert set(error_of(_upload(api, case_no, "supervisor01", png_bytes(), addendum="true"), 422)["fields"]) == {"note"}
    assert set(error_of(_upload(api, case_no, "supervisor01", png_bytes(), addendum="maybe"), 422)["fields"]) == {
        "addendum"}
    assert len(_events(api, case_no)) == count
    assert api.get(f"/cases/{case_no}", "seat01").json["attachments"] == []

    added = _upload(api, case_no, "supervisor01", png_bytes(), addendum="true", note="结案后居民补充的照片")
    assert added.status_code == 201, added.json
    last = _events(api, case_no)[-1]
    assert last["event_type"] == "attachment_added" and last["actor"] == "supervisor01"
    assert last["data"]["addendum"] is True and last["data"]["note"] == "结案后居民补充的照片"
    assert _upload(api, case_no, "admin", png_bytes(3, 3), addendum="1", note="归档扫描件").status_code == 201

    verified = api.post(f"/cases/{case_no}/replay/verify", "auditor01").json
    assert verified["verified"] is True, verified
    replay = api.get(f"/cases/{case_no}/replay", "auditor01").json
    assert [f["label"] for f in replay["frames"][-2:]] == ["evidence added", "evidence added"]


def test_an_open_case_refuses_an_addendum(api: Api) -> None:
    case_no = api.new_case()
    refused = error_of(_upload(api, case_no, "supervisor01", png_bytes(), addendum="true", note="why"), 422)
    assert set(refused["fields"]) == {"addendum"} and "open" in refused["message"]


def test_the_replay_page_lists_the_evidence(api: Api) -> None:
    case_no = api.new_case()
    assert _upload(api, case_no, "seat01", png_bytes()).status_code == 201
    page = Browser(api, "auditor01").get(f"/audit/cases/{case_no}")
    assert page.status_code == 200
    assert "添加证据" in page.text
