"""Who sees and does what through the API: departments their own work, collectors their district's, auditors
read everything and act on nothing, and centre roles cannot do a department's job.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from api_support import DEPARTMENT, Api, error_of, png_bytes

D02, C01 = "dept_350602s07_01", "dept_c01_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "清理完毕"}}


@pytest.fixture
def two_departments(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two cases at disposal: one with 350602-D02 (the rule's unit), one overridden to C01."""
    ours = api.to_disposal(api.new_case())
    theirs_no = api.new_case()
    dispatch = api.to_dispatch(theirs_no)
    moved = api.complete(dispatch["id"], {"dispatch": {"department": "C01", "reason": "市级部门负责"}}, "dispatcher01")
    assert moved.status_code == 200, moved.json
    return ours, api.task(theirs_no, "dispose_problem", C01)


def _listed(api: Api, user: str, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"/tasks?limit=500{query}", user)
    assert response.status_code == 200, response.json
    return list(response.json["tasks"])


def test_a_department_member_sees_and_works_only_their_department_s_tasks(
        api: Api, two_departments: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, theirs = two_departments
    for user, group, own, other in ((D02, DEPARTMENT, ours, theirs), (C01, "C01", theirs, ours)):
        listed = _listed(api, user)
        assert own["id"] in {t["id"] for t in listed} and other["id"] not in {t["id"] for t in listed}
        assert {t["candidate_group"] for t in listed} == {group}, user
        assert _listed(api, user, f"&group={other['candidate_group']}") == []
        assert api.get(f"/tasks/{own['id']}", user).status_code == 200
        assert api.get(f"/cases/{own['case_no']}", user).status_code == 200
        error_of(api.get(f"/tasks/{other['id']}", user), 404)
        error_of(api.get(f"/cases/{other['case_no']}", user), 404)
        error_of(api.get(f"/cases/{other['case_no']}/events", user), 404)
        error_of(api.post(f"/tasks/{other['id']}/claim", user), 404)
        error_of(api.complete(other["id"], DISPOSED, user), 404)
    for user, task in ((D02, ours), (C01, theirs)):
        assert api.post(f"/tasks/{task['id']}/claim", user).status_code == 200
        assert [t["id"] for t in _listed(api, user, "&mine=true")] == [task["id"]]
        done = api.complete(task["id"], DISPOSED, user)
        assert done.status_code == 200 and done.json["task"]["completed_by"] == user


def test_a_collector_sees_the_tasks_of_their_own_district_only(api: Api) -> None:
    case_no = api.new_case()  # in 350602
    verify = api.task(case_no, "verify_report", "collector001")
    assert verify["candidate_group"] == "collector:350602"
    assert api.get(f"/cases/{case_no}", "collector001").status_code == 200
    elsewhere = _listed(api, "collector002")  # works 350603
    assert verify["id"] not in {t["id"] for t in elsewhere}
    assert {t["candidate_group"] for t in elsewhere} <= {"collector:350603"}
    assert {t["candidate_group"] for t in _listed(api, "collector001")} == {"collector:350602"}
    error_of(api.get(f"/tasks/{verify['id']}", "collector002"), 404)
    error_of(api.get(f"/cases/{case_no}", "collector002"), 404)
    error_of(api.post(f"/tasks/{verify['id']}/claim", "collector002"), 404)
    error_of(api.complete(verify["id"], {"verification": {"found": True}}, "collector002"), 404)
    done = api.complete(verify["id"], {"verification": {"found": True}}, "collector001")
    assert done.status_code == 200 and done.json["task"]["completed_by"] == "collector001"


def test_an_auditor_reads_everything_and_acts_on_nothing(
        api: Api, two_departments: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, theirs = two_departments
    listed = {t["id"] for t in _listed(api, "auditor01")}
    assert {ours["id"], theirs["id"]} <= listed
    for task in (ours, theirs):
        assert api.get(f"/tasks/{task['id']}", "auditor01").json["data"]["report"]["subtype"] == "0601"
        assert api.get(f"/cases/{task['case_no']}", "auditor01").status_code == 200
        assert api.get(f"/cases/{task['case_no']}/events", "auditor01").json["events"]
        for action in ("claim", "unclaim"):
            error_of(api.post(f"/tasks/{task['id']}/{action}", "auditor01"), 403)
        error_of(api.complete(task["id"], DISPOSED, "auditor01"), 403)
    upload = api.client.post(f"/api/v1/cases/{ours['case_no']}/attachments", headers=api.headers("auditor01"),
                             data={"file": (io.BytesIO(png_bytes()), "a.png")})
    error_of(upload, 403)
    assert api.get(f"/cases/{ours['case_no']}", "auditor01").json["attachments"] == []
    assert api.get(f"/tasks/{ours['id']}", D02).json["assignee"] is None


def test_a_seat_operator_cannot_do_a_department_s_work(
        api: Api, two_departments: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ours, _ = two_departments
    assert api.get(f"/tasks/{ours['id']}", "seat01").status_code == 200  # the centre reads every task
    refused = api.complete(ours["id"], DISPOSED, "seat01")
    assert refused.status_code in (403, 404)
    assert error_of(refused, 403)["message"] == f"seat01 does not work the group {DEPARTMENT}"
    error_of(api.post(f"/tasks/{ours['id']}/claim", "seat01"), 403)
    error_of(api.complete(ours["id"], DISPOSED, "dispatcher01"), 403)
    error_of(api.complete(ours["id"], DISPOSED, "shiftlead01"), 403)
    task = api.get(f"/tasks/{ours['id']}", D02).json
    assert task["state"] == "ready" and task["assignee"] is None
