"""Replay frames from hand-written event logs: completed, active and overdue elements, loop counts, who acted,
data changes, and the deadline light as it was at each event (grey while suspended)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from engine.domain.audit.frames import frames, label

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Zhangzhou
DUE = "2026-11-02T03:00:00+00:00"
WARN = "2026-11-02T02:36:00+00:00"
# What the lifecycle declares (workflows/case_lifecycle.bpmn): the frames read milestones, not task ids.
MILESTONES = {"confirm_dispatch": "dispatched", "dispose_problem": "disposed", "check_on_site": "checked",
              "close_case": "closed", "resume_disposal": "suspended"}


class Log:
    """Builds an event list the way ``case_events`` returns it, one minute apart unless told."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._seq = count(1)
        self._task = count(1)
        self.minute = 0

    def add(self, event_type: str, bpmn_id: str | None = None, task_id: str | None = None, *, minute: int | None = None,
            actor: str = "tester", actor_kind: str | None = None, **data: Any) -> str | None:
        self.minute = self.minute + 1 if minute is None else minute
        self.events.append({"seq": next(self._seq), "occurred_at": (START + timedelta(minutes=self.minute)).isoformat(),
                            "actor": actor, "actor_kind": actor_kind, "event_type": event_type, "task_id": task_id,
                            "bpmn_id": bpmn_id, "data": data})
        return task_id

    def ready(self, bpmn_id: str, **data: Any) -> str:
        task_id = f"t{next(self._task)}"
        self.add("task_ready", bpmn_id, task_id, actor="system", **data)
        return task_id

    def complete(self, task_id: str, bpmn_id: str, actor: str = "tester", **data: Any) -> None:
        self.add("task_completed", bpmn_id, task_id, actor=actor, actor_kind="person", **data)

    def timer(self, bpmn_id: str, due: str, kind: str = "timeDuration") -> str:
        task_id = f"t{next(self._task)}"
        self.add("timer_waiting", bpmn_id, task_id, actor="system", due_at=due, kind=kind)
        return task_id


def rework_log() -> Log:
    """Dispatched with a deadline, disposed, failed the on-site check (返工), disposed again, checked, closed."""
    log = Log()
    log.add("case_started", actor="seat01", process_id="case_lifecycle", version=1, data={"report": {}})
    dispatch = log.ready("confirm_dispatch")
    log.complete(dispatch, "confirm_dispatch", "dispatcher01", dispatch={})
    log.add("data_changed", actor="dispatcher01", changes={"due_at": [None, DUE], "warn_at": [None, WARN],
                                                           "department": [None, "350602-D02"]})
    log.add("deadline_set", actor="dispatcher01", after=DUE)
    for round_ in range(2):
        disposal = log.ready("dispose_problem", due_at=DUE, group="350602-D02")
        log.timer("disposal_overdue", DUE)
        log.add("task_claimed", "dispose_problem", disposal, actor="dept01")
        log.complete(disposal, "dispose_problem", "dept01", disposal={"outcome": "disposed"})
        log.add("timer_cancelled", "disposal_overdue", f"t{int(disposal[1:]) + 1}", actor="dept01")
        check = log.ready("check_on_site")
        log.complete(check, "check_on_site", "collector001", check={"passed": round_ == 1})
    close = log.ready("close_case")
    log.complete(close, "close_case", "shiftlead01", closing={"close_type": "normal"})
    log.add("case_closed", actor="shiftlead01", close_type="normal", on_time=True)
    log.add("case_completed", actor="shiftlead01")
    return log


def test_one_frame_per_event_with_who_acted_and_a_label() -> None:
    log = rework_log()
    found = frames(log.events, completed=True)
    assert [f["seq"] for f in found] == [e["seq"] for e in log.events]
    claimed = next(f for f in found if f["event_type"] == "task_claimed")
    assert (claimed["actor"], claimed["actor_kind"], claimed["bpmn_id"]) == ("dept01", "person", "dispose_problem")
    assert claimed["label"] == "claimed · dispose_problem" == label("task_claimed", "dispose_problem")
    assert found[0]["actor_kind"] == "person"  # an old row without a kind was a person's
    assert found[0]["label"] == "case started"


def test_completed_active_and_the_rework_loop_counted() -> None:
    log = rework_log()
    found = frames(log.events, completed=True)
    first_disposal = next(f for f in found if f["event_type"] == "task_ready" and f["bpmn_id"] == "dispose_problem")
    assert first_disposal["active"] == ["dispose_problem"] and first_disposal["completed"] == ["confirm_dispatch"]
    waiting = found[found.index(first_disposal) + 1]
    assert waiting["active"] == ["disposal_overdue", "dispose_problem"]
    after_first_check = [f for f in found if f["event_type"] == "task_completed" and f["bpmn_id"] == "check_on_site"]
    assert after_first_check[0]["counts"] == {"check_on_site": 1, "confirm_dispatch": 1, "dispose_problem": 1}
    second = after_first_check[1]["counts"]
    assert (second["dispose_problem"], second["check_on_site"]) == (2, 2)
    last = found[-1]
    assert last["active"] == [] and last["overdue"] == []
    assert last["completed"] == ["check_on_site", "close_case", "confirm_dispatch", "dispose_problem"]
    assert {k for k, v in last["counts"].items() if v > 1} == {"check_on_site", "dispose_problem"}
    assert "disposal_overdue" not in last["completed"]  # cancelled, never fired


def test_data_changes_and_the_deadline_as_they_were() -> None:
    log = rework_log()
    found = frames(log.events, completed=True, milestones=MILESTONES)
    changed = next(f for f in found if f["event_type"] == "data_changed")
    assert changed["changes"]["department"] == [None, "350602-D02"]
    assert (changed["due_at"], changed["warn_at"]) == (DUE, WARN)
    assert found[0]["due_at"] is None and found[0]["light"] is None and found[0]["changes"] == {}
    assert changed["light"] == "green"
    checking = next(f for f in found if f["event_type"] == "task_ready" and f["bpmn_id"] == "check_on_site")
    assert checking["light"] is None  # the disposal deadline no longer runs during the on-site check
    failed = found.index(checking) + 1
    assert found[failed]["event_type"] == "task_completed" and found[failed]["light"] is None
    assert found[failed + 1]["bpmn_id"] == "dispose_problem" and found[failed + 1]["light"] == "green"  # 返工
    assert found[-1]["light"] is None and found[-1]["due_at"] == DUE


def test_the_light_turns_yellow_then_red_and_a_late_task_is_overdue() -> None:
    log = Log()
    log.add("case_started", data={"due_at": DUE, "warn_at": WARN})
    task = log.ready("dispose_problem", due_at=DUE)
    log.timer("disposal_warning", WARN)
    log.add("timer_fired", "disposal_warning", "t2", minute=96, actor="scheduler", actor_kind="scheduler", due_at=WARN)
    log.add("timer_fired", "disposal_overdue", "t9", minute=121, actor="scheduler", actor_kind="scheduler", due_at=DUE)
    log.add("task_claimed", "dispose_problem", task, minute=130, actor="dept01")
    found = frames(log.events, completed=False)
    assert [f["light"] for f in found] == ["green", "green", "green", "yellow", "red", "red"]
    assert found[3]["actor_kind"] == "scheduler" and found[3]["completed"] == ["disposal_warning"]
    assert found[3]["active"] == ["dispose_problem"]  # the fired warning timer stopped waiting
    assert [f["overdue"] for f in found] == [[], [], [], [], ["dispose_problem"], ["dispose_problem"]]


def test_suspension_greys_the_light_until_resumed_and_a_deadline_move_counts() -> None:
    log = Log()
    log.add("case_started")
    log.add("data_changed", changes={"due_at": [None, DUE], "warn_at": [None, WARN]})
    log.add("case_suspended", minute=100, actor="shiftlead01", at="2026-11-02T02:40:00+00:00")
    log.add("case_resumed", minute=200, at="2026-11-02T04:20:00+00:00")
    later = "2026-11-02T05:00:00+00:00"
    log.add("deadline_moved", minute=201, before=DUE, after=later)
    log.add("extension_granted", minute=202, due_at="2026-11-03T05:00:00+00:00")
    found = frames(log.events, completed=False)
    assert [f["suspended"] for f in found] == [False, False, True, False, False, False]
    assert [f["light"] for f in found] == [None, "green", "grey", "red", "yellow", "yellow"]
    assert found[4]["due_at"] == later and found[5]["due_at"] == "2026-11-03T05:00:00+00:00"


def test_an_old_log_is_suspended_while_its_resume_step_is_ready() -> None:
    log = Log()
    log.add("case_started", data={"due_at": DUE, "warn_at": WARN})
    resume = log.ready("resume_disposal")
    log.complete(resume, "resume_disposal")
    assert [f["light"] for f in frames(log.events, completed=False, milestones=MILESTONES)] == [
        "green", "grey", "green"]


def test_the_steps_are_found_by_their_milestone_whatever_their_ids() -> None:
    renamed = {"resume_disposal": "step_r", "check_on_site": "step_c", "close_case": "step_z"}
    log, other = rework_log(), rework_log()
    for event in other.events:
        event["bpmn_id"] = renamed.get(event["bpmn_id"], event["bpmn_id"])
    declared = {renamed.get(bpmn_id, bpmn_id): milestone for bpmn_id, milestone in MILESTONES.items()}
    lights = [f["light"] for f in frames(log.events, completed=True, milestones=MILESTONES)]
    assert [f["light"] for f in frames(other.events, completed=True, milestones=declared)] == lights
    assert lights != [f["light"] for f in frames(log.events, completed=True)]  # no milestones: no id is special


def test_a_cancelled_task_without_bpmn_id_ends_through_its_task_and_cycle_timers_keep_waiting() -> None:
    log = Log()
    log.add("case_started")
    task = log.ready("verify_report")
    cycle = log.timer("remind", "2026-11-02T02:00:00+00:00", kind="timeCycle")
    log.add("timer_fired", "remind", cycle, actor="scheduler")
    log.add("timer_fired", "remind", cycle, actor="scheduler")
    log.add("task_cancelled", None, task)
    log.add("message_received", "report_withdrawn", "t9", actor="case:12", message="withdrawn", payload={})
    found = frames(log.events, completed=False)
    assert found[4]["counts"] == {"remind": 2} and found[4]["active"] == ["remind", "verify_report"]
    assert found[5]["bpmn_id"] == "verify_report" and found[5]["active"] == ["remind"]
    assert found[6]["completed"] == ["remind", "report_withdrawn"]
    log.add("timer_cancelled", "remind", cycle)
    assert frames(log.events, completed=False)[-1]["active"] == []


def test_a_completed_case_without_closing_events_shows_no_light_at_its_end() -> None:
    log = Log()
    log.add("case_started", data={"due_at": DUE, "warn_at": WARN})
    task = log.ready("dispose_problem", due_at=DUE)
    log.complete(task, "dispose_problem")
    assert frames(log.events, completed=False)[-1]["light"] == "green"
    assert frames(log.events, completed=True)[-1]["light"] is None
    assert frames([], completed=True) == []


def test_malformed_fields_are_tolerated() -> None:
    events = [{"seq": 1, "occurred_at": "not a time", "actor": "x", "event_type": "case_started", "task_id": None,
               "bpmn_id": None, "data": None},
              {"seq": 2, "occurred_at": START.isoformat(), "actor": "x", "event_type": "data_changed",
               "task_id": None, "bpmn_id": None, "data": {"changes": {"due_at": "oops"}}},
              {"seq": 3, "occurred_at": START.isoformat(), "actor": "x", "event_type": "task_ready",
               "task_id": "t1", "bpmn_id": "a", "data": {"due_at": "never"}},
              {"seq": 4, "occurred_at": START.isoformat(), "actor": "x", "event_type": "some_future_event",
               "task_id": None, "bpmn_id": None, "data": {}}]
    found = frames(events, completed=False)
    assert found[0]["light"] is None and found[1]["due_at"] is None
    assert found[2]["active"] == ["a"] and found[2]["overdue"] == []
    assert found[3]["label"] == "some future event"
