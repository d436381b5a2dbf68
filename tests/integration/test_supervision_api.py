"""Supervisor controls and 督办 over the API, on SQLite and PostgreSQL: 改派 reassign and 强制释放 force release of a
claimed task (shift leads and supervisors; 403 for a dispatcher; 422 naming ``to``/``reason``), and a 督办 started on
an open case through the platform's start-any-process route (department defaulted from the case; 422 naming
``case_no`` for an unknown or closed case)."""

from __future__ import annotations

from typing import Any

from api_support import DEPARTMENT, Api, error_of
from pages_support import Browser
from supervision_support import events_of, filing_claimed

from engine.connectors.base import ConnectorSettings
from engine.scheduling.connectors import ConnectorLoop


def test_a_supervisor_reassigns_a_claimed_task(api: Api) -> None:
    case_no, task = filing_claimed(api)
    offered = api.get(f"/tasks/{task}/eligible", "supervisor01")
    assert offered.status_code == 200
    people: Any = offered.json
    names = {p["username"] for p in people["people"]}
    assert "shiftlead02" in names and "shiftlead01" not in names and "dispatcher01" not in names

    done = api.post(f"/tasks/{task}/reassign", "supervisor01", {"to": "shiftlead02", "reason": "交接班"})
    assert done.status_code == 200, done.json
    held: Any = done.json
    assert held["assignee"] == "shiftlead02"
    last = events_of(api, case_no)[-1]
    assert (last["event_type"], last["actor"]) == ("task_reassigned", "supervisor01")
    assert last["data"] == {"task": task, "from": "shiftlead01", "to": "shiftlead02", "reason": "交接班"}
    error_of(api.complete(task, {"filing": {"decision": "file"}}, "shiftlead01"), 409)
    assert api.complete(task, {"filing": {"decision": "file"}}, "shiftlead02").status_code == 200


def test_a_shift_lead_force_releases_a_task(api: Api) -> None:
    case_no, task = filing_claimed(api, "shiftlead02")
    done = api.post(f"/tasks/{task}/release", "shiftlead01", {"reason": "占用过久"})
    assert done.status_code == 200, done.json
    released: Any = done.json
    assert released["assignee"] is None and released["state"] == "ready"
    last = events_of(api, case_no)[-1]
    assert (last["event_type"], last["data"]) == ("task_force_released",
                                                 {"task": task, "from": "shiftlead02", "reason": "占用过久"})
    assert api.post(f"/tasks/{task}/claim", "shiftlead03").status_code == 200  # back in the group's queue


def test_dispatchers_and_departments_may_not(api: Api) -> None:
    case_no, task = filing_claimed(api)
    before = len(events_of(api, case_no))
    for user in ("dispatcher01", "seat01", "dept_350602s07_01", "auditor01"):
        error_of(api.post(f"/tasks/{task}/reassign", user, {"to": "shiftlead02", "reason": "x"}), 403)
        error_of(api.post(f"/tasks/{task}/release", user, {"reason": "x"}), 403)
        error_of(api.get(f"/tasks/{task}/eligible", user), 403)
    assert len(events_of(api, case_no)) == before


def test_bad_input_names_the_field(api: Api) -> None:
    case_no, task = filing_claimed(api)
    before = len(events_of(api, case_no))
    for body, field in (({"to": "dispatcher01", "reason": "x"}, "to"), ({"reason": "x"}, "to"),
                        ({"to": 7, "reason": "x"}, "to"), ({"to": "shiftlead02"}, "reason"),
                        ({"to": "shiftlead02", "reason": "  "}, "reason")):
        error = error_of(api.post(f"/tasks/{task}/reassign", "supervisor01", body), 422)
        assert field in error["fields"], (body, error)
    error = error_of(api.post(f"/tasks/{task}/release", "supervisor01", {}), 422)
    assert "reason" in error["fields"]
    error_of(api.post("/tasks/00000000-0000-0000-0000-000000000000/release", "supervisor01", {"reason": "x"}), 404)
    assert len(events_of(api, case_no)) == before

    assert api.post(f"/tasks/{task}/unclaim", "shiftlead01").status_code == 200
    error = error_of(api.post(f"/tasks/{task}/release", "supervisor01", {"reason": "x"}), 422)
    assert "task_id" in error["fields"]


def start_supervision(api: Api, user: str, data: dict[str, Any]) -> Any:
    started = api.post("/processes/case_supervision/cases", user, {"data": data})
    ConnectorLoop(api.bus, ConnectorSettings()).run_once()  # tells the department; then its task opens
    return started


def test_a_supervision_starts_on_an_open_case(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    data = {"case_no": case_no, "instruction": "今日内清运并回复",
            "reply_within": {"amount": 2, "unit": "working_hours"}}
    started = start_supervision(api, "shiftlead01", data)
    assert started.status_code == 201, started.json
    supervision = str(started.json["case_no"])
    answer = api.task(supervision, "answer_supervision", "dept_350602s07_01")
    assert answer["candidate_group"] == DEPARTMENT and answer["due_at"] and answer["light"] == "green"
    first = events_of(api, supervision)[0]
    assert first["data"]["data"]["department"] == DEPARTMENT  # the default is part of the recorded start

    error_of(start_supervision(api, "seat01", data), 403)
    unknown = error_of(start_supervision(api, "supervisor01", {**data, "case_no": "20990101999999"}), 422)
    assert unknown["fields"] == {"case_no": "no open case 20990101999999 (unknown or closed)"}
    missing = error_of(start_supervision(api, "supervisor01", {"case_no": case_no}), 422)
    assert {"instruction", "reply_within"} <= set(missing["fields"])

    api.step(supervision, "answer_supervision", "dept_350602s07_01", {"answer": {"done": "已清运", "done_by": "今天"}})
    review = api.task(supervision, "review_supervision_answer", "supervisor01")
    assert review["light"] is None  # answered: no deadline runs while the issuer reviews


def test_the_pages_reassign_release_and_list_supervisions(api: Api) -> None:
    case_no, task = filing_claimed(api)
    lead = Browser(api, "shiftlead02")
    case_page = lead.get(f"/cases/{case_no}")
    assert case_page.status_code == 200 and f"/tasks/{task}/supervise" in case_page.text
    assert "暂无督办" in case_page.text
    page = lead.get(f"/tasks/{task}/supervise")
    assert page.status_code == 200 and 'value="shiftlead03"' in page.text and 'value="dispatcher01"' not in page.text

    refused = lead.client.post(f"/tasks/{task}/supervise/reassign",
                               data={"to": "shiftlead03", "reason": "", "csrf_token": lead.token})
    assert refused.status_code == 422 and "a reason is required" in refused.text
    done = lead.client.post(f"/tasks/{task}/supervise/reassign",
                            data={"to": "shiftlead03", "reason": "交接班", "csrf_token": lead.token})
    assert done.status_code == 302
    assert api.get(f"/tasks/{task}", "admin").json["assignee"] == "shiftlead03"  # type: ignore[index]
    lead.get(f"/tasks/{task}/supervise")
    released = lead.client.post(f"/tasks/{task}/supervise/release", data={"reason": "释放", "csrf_token": lead.token})
    assert released.status_code == 302
    assert api.get(f"/tasks/{task}", "admin").json["assignee"] is None  # type: ignore[index]

    dispatcher = Browser(api, "dispatcher01")
    assert dispatcher.get(f"/tasks/{task}/supervise").status_code == 403
    assert f"/tasks/{task}/supervise" not in dispatcher.get(f"/cases/{case_no}").text


def test_the_case_page_lists_its_supervisions(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    supervisor = Browser(api, "supervisor01")
    form = supervisor.get(f"/cases/{case_no}/supervise?department={DEPARTMENT}")
    assert form.status_code == 200 and f'value="{case_no}"' in form.text
    started = supervisor.client.post("/start/case_supervision", data={
        "case_no": case_no, "department": DEPARTMENT, "instruction": "请今日回复", "reply_within.amount": "3",
        "reply_within.unit": "working_hours", "csrf_token": supervisor.token})
    assert started.status_code == 302, started.text[:2000]
    ConnectorLoop(api.bus, ConnectorSettings()).run_once()  # the department is told, its answer task opens
    page = supervisor.get(f"/cases/{case_no}")
    assert "请今日回复" in page.text and "督办回复" in page.text and "supervision-row" in page.text
    assert Browser(api, "dispatcher01").get(f"/cases/{case_no}/supervise").status_code == 403
