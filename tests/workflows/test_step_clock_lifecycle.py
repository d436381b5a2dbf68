"""Every step of the case lifecycle on the clock (rules/step_limits.dmn): 核实 verify, 立案 file, 派遣 dispatch,
核查 check and 结案 close each warn, go overdue and escalate to their supervising group; 处置 dispose keeps the
deadline its timer sets at dispatch. Time moves only through the fake clock; each case replays at the end."""

from __future__ import annotations

import json
from typing import Any

from lifecycle import DISPOSED, Case, cst, fire_due, report, start
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service import queries
from engine.service.bus import MessageBus
from engine.service.queries import TaskFilter
from web.settings import Settings

WT = Settings.from_env({}).working_time()
# BPMN id → (step, limit in working hours for a normal report, the group it escalates to, what completes it)
STEPS: dict[str, tuple[str, float, str, dict[str, Any]]] = {
    "verify_report": ("verify", 2, "shift_lead", {"verification": {"found": True}}),
    "file_or_void": ("file", 0.5, "shift_lead", {"filing": {"decision": "file"}}),
    "confirm_dispatch": ("dispatch", 0.5, "shift_lead", {"dispatch": {}}),
    "check_on_site": ("check", 2, "shift_lead", {"check": {"passed": True}}),
    "close_case": ("close", 1, "shift_lead", {"closing": {"close_type": "normal"}}),
    "review_return": ("approve_return", 1, "supervisor", {"return_review": {"approved": True}}),
}


def _clock_events(case: Case, task_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = case._rows("SELECT event_type, data FROM case_events WHERE case_id = :id AND task_id = :t"
                      " AND event_type IN ('task_warned', 'task_overdue') ORDER BY seq", t=task_id)
    return [(r.event_type, json.loads(r.data)) for r in rows]


def _on_the_clock(bus: MessageBus, case: Case, clock: FakeClock, bpmn_id: str) -> None:
    """The step's task has its limit; it warns at 80 %, goes overdue at 100 % and shows in its group's 超期督办."""
    step, hours, group, _ = STEPS[bpmn_id]
    task = case.ready()[bpmn_id]
    ready_at = clock.now()
    due, warn = WT.deadline(ready_at, hours, "working_hours"), WT.deadline(ready_at, hours * 0.8, "working_hours")
    assert (task.step, task.escalate_to) == (step, group)
    assert (as_utc(task.warn_at), as_utc(task.due_at)) == (warn, due)
    scheduler = TimerScheduler(bus)
    clock.set(warn)
    scheduler.clock_tasks()
    clock.set(due)
    scheduler.clock_tasks()
    assert scheduler.clock_tasks() == []
    assert _clock_events(case, task.id) == [
        ("task_warned", {"task": task.id, "step": step, "warn_at": warn.isoformat(), "due_at": due.isoformat()}),
        ("task_overdue", {"task": task.id, "step": step, "due_at": due.isoformat(), "escalate_to": group}),
    ]
    told = case._rows("SELECT kind, recipient FROM notifications WHERE case_id = :id AND data LIKE :task",
                      task=f"%{task.id}%")
    assert {("task_warning", task.candidate_group), ("task_overdue", task.candidate_group),
            ("task_overdue", group)} <= {(r.kind, r.recipient) for r in told}  # notified in the sweep's transaction
    escalated = queries.task_list(bus.deps, TaskFilter("lead", frozenset({group}), escalated=True), clock.now())
    assert task.id in [t["id"] for t in escalated["tasks"]]
    assert {t["id"]: t["light"] for t in escalated["tasks"]}[task.id] == "red"


def test_every_centre_step_warns_goes_overdue_and_escalates(city_bus: MessageBus, db: Engine,
                                                           clock: FakeClock) -> None:
    clock.set(cst(2, 9))  # Monday, on duty
    case = start(city_bus, db, report())
    verify = case.ready()["verify_report"]
    assert (as_utc(verify.warn_at), as_utc(verify.due_at)) == (cst(2, 10, 36), cst(2, 11))  # 80 % of 2 h
    for bpmn_id in ("verify_report", "file_or_void", "confirm_dispatch"):
        _on_the_clock(city_bus, case, clock, bpmn_id)
        case.complete(bpmn_id, STEPS[bpmn_id][3])
    dispose = case.ready()["dispose_problem"]
    timer_due = as_utc(case.timers()["disposal_overdue"].due_at)
    assert (dispose.step, dispose.escalate_to, as_utc(dispose.due_at)) == ("dispose", "supervisor", timer_due)
    dispose_warn = as_utc(dispose.warn_at)
    assert timer_due is not None and dispose_warn is not None and clock.now() < dispose_warn < timer_due
    case.complete("dispose_problem", DISPOSED)
    for bpmn_id in ("check_on_site", "close_case"):
        _on_the_clock(city_bus, case, clock, bpmn_id)
        case.complete(bpmn_id, STEPS[bpmn_id][3])
    assert case.status == "completed"


def test_the_shift_leads_return_approval_is_on_the_clock(city_bus: MessageBus, db: Engine,
                                                        clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    case = start(city_bus, db, report())
    for bpmn_id in ("verify_report", "file_or_void", "confirm_dispatch"):
        case.complete(bpmn_id, STEPS[bpmn_id][3])
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    _on_the_clock(city_bus, case, clock, "review_return")  # 回退审批: 1 working hour, then the supervisors


def test_an_urgent_report_is_verified_within_one_working_hour(city_bus: MessageBus, db: Engine,
                                                             clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    case = start(city_bus, db, report(urgency="urgent"))
    verify = case.ready()["verify_report"]
    assert as_utc(verify.due_at) == cst(2, 10) and as_utc(verify.warn_at) == cst(2, 9, 48)


def test_an_overdue_disposal_escalates_to_the_supervisors(city_bus: MessageBus, db: Engine,
                                                          clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    case = start(city_bus, db, report())
    for bpmn_id in ("verify_report", "file_or_void", "confirm_dispatch"):
        case.complete(bpmn_id, STEPS[bpmn_id][3])
    dispose = case.ready()["dispose_problem"]
    due = as_utc(dispose.due_at)
    assert due is not None and due == as_utc(case.timers()["disposal_overdue"].due_at)
    clock.set(due)
    fire_due(city_bus)  # the model's own 督办 at its deadline; the step clock records the overdue beside it
    TimerScheduler(city_bus).clock_tasks()
    assert [kind for kind, _ in _clock_events(case, dispose.id)] == ["task_warned", "task_overdue"]
    assert _clock_events(case, dispose.id)[1][1]["escalate_to"] == "supervisor"
    supervised = queries.task_list(city_bus.deps, TaskFilter("sup", frozenset({"supervisor"}), escalated=True),
                                   clock.now())
    assert [t["id"] for t in supervised["tasks"]] == [dispose.id]


def test_a_suspended_case_is_grey_in_the_lists_and_their_counts(city_bus: MessageBus, db: Engine,
                                                                clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    case = start(city_bus, db, report())
    for bpmn_id in ("verify_report", "file_or_void", "confirm_dispatch"):
        case.complete(bpmn_id, STEPS[bpmn_id][3])
    case.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "待供电部门断电后清理"}})
    case.complete("review_suspension", {"suspension_review": {"approved": True}})
    resume = case.ready()["resume_disposal"]
    clock.set(cst(3, 18))  # long past the deadline: a suspended case's clock stands still
    leads = frozenset({"shift_lead"})
    listed = queries.task_list(city_bus.deps, TaskFilter("lead", leads), clock.now())
    assert {t["id"]: t["light"] for t in listed["tasks"]}[resume.id] == "grey"
    assert listed["counts"]["grey"] == 1 and listed["counts"]["red"] == listed["total"] - 1
    grey = queries.task_list(city_bus.deps, TaskFilter("lead", leads, light="grey"), clock.now())
    assert [t["id"] for t in grey["tasks"]] == [resume.id]
    red = queries.task_list(city_bus.deps, TaskFilter("lead", leads, light="red"), clock.now())
    assert resume.id not in [t["id"] for t in red["tasks"]]
