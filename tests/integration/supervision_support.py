"""Helpers of the supervisor-control tests (改派, 强制释放): a claimed 立案 task and a case's audit events."""

from __future__ import annotations

from typing import Any

from api_support import Api


def filing_claimed(api: Api, holder: str = "shiftlead01") -> tuple[str, str]:
    """A new case at 立案 (file_or_void) claimed by ``holder``: its number and the task's id."""
    case_no = api.new_case()
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    task = api.task(case_no, "file_or_void", holder)
    assert api.post(f"/tasks/{task['id']}/claim", holder).status_code == 200
    return case_no, str(task["id"])


def events_of(api: Api, case_no: str, user: str = "admin") -> list[dict[str, Any]]:
    response = api.get(f"/cases/{case_no}/events", user)
    assert response.status_code == 200, response.json
    body: Any = response.json
    return list(body["events"] if isinstance(body, dict) else body)
