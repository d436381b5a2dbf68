"""The step clock over HTTP, on SQLite and PostgreSQL: a report's 核实 task carries its limit and light in the task
list; the scheduler's sweep records the warning and the overdue once; the overdue task then shows, flagged, in the
shift leads' 超期督办 list, who may open it but not act on it; the light filter and counts read the task's own limit.
Time moves on the app's clock (a fake one), never by sleeping."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from api_support import PASSWORD, Api, error_of
from flask.testing import FlaskClient

from engine.domain.clock import FakeClock
from engine.scheduling.scheduler import TimerScheduler


def _tasks(api: Api, user: str, query: str) -> dict[str, Any]:
    response = api.get(f"/tasks?{query}", user)
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_a_step_warns_goes_overdue_and_escalates_through_the_scheduler(api: Api) -> None:
    clock = api.deps.clock = FakeClock(datetime.now(UTC))
    case_no = api.new_case()
    (task,) = _tasks(api, "collector001", f"case_no={case_no}")["tasks"]
    assert (task["bpmn_id"], task["step"], task["escalate_to"]) == ("verify_report", "verify", "shift_lead")
    assert task["light"] == "green" and task["warn_at"] < task["due_at"] and not task["overdue"]
    assert _tasks(api, "shiftlead01", f"case_no={case_no}&escalated=true")["total"] == 0
    scheduler = TimerScheduler(api.bus)
    clock.set(datetime.fromisoformat(task["due_at"]) + timedelta(minutes=1))
    red = _tasks(api, "collector001", f"case_no={case_no}&light=red")
    assert red["total"] == 1 and red["counts"] == {"green": 0, "yellow": 0, "red": 1, "grey": 0}
    assert _tasks(api, "collector001", f"case_no={case_no}&light=green")["total"] == 0
    (swept,) = scheduler.clock_tasks()
    assert swept.warned == (task["id"],) and swept.overdue == (task["id"],)
    assert scheduler.clock_tasks() == []  # idempotent
    (escalated,) = _tasks(api, "shiftlead01", f"case_no={case_no}&escalated=true")["tasks"]
    assert (escalated["id"], escalated["light"], escalated["overdue"], escalated["escalated"]) == \
        (task["id"], "red", True, True)
    assert api.get(f"/tasks/{task['id']}", "shiftlead01").status_code == 200  # read-only
    error_of(api.complete(task["id"], {"verification": {"found": True}}, "shiftlead01"), 403)
    assert _tasks(api, "dept_350602s07_01", f"case_no={case_no}&escalated=true")["total"] == 0
    events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    clocked = [(e["event_type"], e["data"]["escalate_to"] if e["event_type"] == "task_overdue" else e["data"]["step"])
               for e in events if e["event_type"] in ("task_warned", "task_overdue")]
    assert clocked == [("task_warned", "verify"), ("task_overdue", "shift_lead")]
    assert all(e["command"] == "clock_tasks" for e in events if e["event_type"] in ("task_warned", "task_overdue"))


def test_a_limit_without_a_warning_time_is_green_in_the_filter_and_the_counts(api: Api) -> None:
    # a rule that gives no warning share (or a model-owned due time with no calendar to place one): the task has a
    # due time and no warning time, so it is green until due — in its light, the light filter and the counts alike
    clock = api.deps.clock = FakeClock(datetime.now(UTC))
    case_no = api.new_case()
    (task,) = _tasks(api, "collector001", f"case_no={case_no}")["tasks"]
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("UPDATE human_tasks SET warn_at = NULL WHERE id = :id"), {"id": task["id"]})
    clock.set(datetime.fromisoformat(task["warn_at"]) + timedelta(minutes=1))  # past where the warning was
    listed = _tasks(api, "collector001", f"case_no={case_no}")
    assert listed["tasks"][0]["light"] == "green"
    assert listed["counts"] == {"green": 1, "yellow": 0, "red": 0, "grey": 0}
    assert _tasks(api, "collector001", f"case_no={case_no}&light=green")["total"] == 1
    assert _tasks(api, "collector001", f"case_no={case_no}&light=yellow")["total"] == 0


def test_a_task_completed_in_time_is_never_warned(api: Api) -> None:
    clock = api.deps.clock = FakeClock(datetime.now(UTC))
    case_no = api.new_case()
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    clock.advance(timedelta(days=20))
    TimerScheduler(api.bus).clock_tasks()
    events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    verify_id = next(e["task_id"] for e in events if e["bpmn_id"] == "verify_report")
    assert not [e for e in events if e["event_type"] in ("task_warned", "task_overdue") and e["task_id"] == verify_id]
    assert [e["data"]["step"] for e in events if e["event_type"] == "task_overdue"] == ["file"]


def _signed_in(api: Api, username: str) -> FlaskClient:
    """A browser session of ``username`` (the login form, with its CSRF token)."""
    client = api.app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"',
                                                                              page)
    assert token is not None
    response = client.post("/login", data={"csrf_token": token.group(1), "username": username,
                                           "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_the_pages_show_the_step_light_and_the_overdue_flag(api: Api) -> None:
    clock = api.deps.clock = FakeClock(datetime.now(UTC))
    case_no = api.new_case()
    (task,) = _tasks(api, "collector001", f"case_no={case_no}")["tasks"]
    clock.set(datetime.fromisoformat(task["due_at"]) + timedelta(minutes=1))
    TimerScheduler(api.bus).clock_tasks()
    lead = _signed_in(api, "shiftlead01")
    rows = lead.get(f"/inbox/rows?escalated=1&case_no={case_no}").text
    assert f'data-task="{task["id"]}"' in rows and "超期" in rows and "row-light-red" in rows
    page = lead.get(f"/cases/{case_no}").text
    assert f'class="step-clock" data-task="{task["id"]}"' in page and "环节时限" in page
    assert "环节超期" in page  # the event in the case's timeline
    opened = lead.get(f"/tasks/{task['id']}")  # 超期督办: the shift lead opens it, read-only
    form = _signed_in(api, "collector001").get(f"/tasks/{task['id']}").text
    assert 'action="/tasks/' in form  # the collector who works it gets its form
    assert opened.status_code == 200 and 'action="/tasks/' not in opened.text
    token = re.search(r'name="csrf-token" content="([^"]+)"', opened.text)
    assert token is not None
    refused = lead.post(f"/tasks/{task['id']}", data={"csrf_token": token.group(1), "verification.found": "true"})
    assert refused.status_code == 403  # and may not act on it


def test_the_running_scheduler_sweeps_on_its_ticks(api: Api) -> None:
    clock = api.deps.clock = FakeClock(datetime.now(UTC))
    case_no = api.new_case()
    (task,) = _tasks(api, "collector001", f"case_no={case_no}")["tasks"]
    clock.set(datetime.fromisoformat(task["due_at"]) + timedelta(minutes=1))
    stop = threading.Event()
    running = threading.Thread(target=TimerScheduler(api.bus).run, args=(stop, 0.05), daemon=True)
    running.start()
    try:
        for _ in range(400):  # the loop's own pace: at most 20 s
            events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
            if any(e["event_type"] == "task_overdue" for e in events):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        running.join(timeout=30)
    assert [e["event_type"] for e in events if e["task_id"] == task["id"]][-2:] == ["task_warned", "task_overdue"]
