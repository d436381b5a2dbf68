"""The report-handling path end to end on each backend."""

from __future__ import annotations

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


def test_urgent_report_escalates_then_closes_on_verification(bus: MessageBus, sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "dept_roads"}, "alice"))
    (register,) = ref.ready_tasks
    ref = bus.handle(c.CompleteHumanTask(register, {"severity": 4, "description": "manhole cover missing"}, "alice"))
    (dispatch,) = ref.ready_tasks
    task = sql("SELECT bpmn_id, candidate_group, lane, due_at FROM human_tasks WHERE id = :id", id=dispatch)[0]
    assert task.bpmn_id == "dispatch_urgent" and task.candidate_group == "dept_roads" and task.lane == "dispatchers"
    assert task.due_at is not None
    clock.advance(hours=4, seconds=1)
    (timer_id,) = [r.id for r in sql("SELECT id FROM timers WHERE status = 'pending'")]
    assert bus.handle(c.FireTimer(timer_id)) == "fired"
    assert bus.handle(c.FireTimer(timer_id)) == "already-fired"
    supervise = sql("SELECT id FROM human_tasks WHERE bpmn_id = 'supervise_overdue' AND state = 'ready'")
    assert len(supervise) == 1
    assert sql("SELECT state FROM human_tasks WHERE id = :id", id=dispatch)[0].state == "cancelled"
    bus.handle(c.CompleteHumanTask(supervise[0].id, {"note": "called the department"}, "sam"))
    delivered = bus.handle(c.SendMessage("verification_done", {"ok": True}, "collector", {"report_no": "R-1"}))
    assert len(delivered) == 1
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    kinds = [r.event_type for r in sql("SELECT event_type FROM case_events WHERE case_id = :id ORDER BY seq",
                                        id=ref.case_id)]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert "timer_fired" in kinds and "message_received" in kinds
