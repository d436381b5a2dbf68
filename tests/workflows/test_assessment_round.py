"""workflows/assessment_round.bpmn, every path (考评轮次): the monthly garbage-sorting and quarterly property rounds
started by the scheduler's timer starts, a round started by hand, a round not needed (the period's round exists, no
active object, no checklist), the teams told once and warned at 80 %, the round closed at its due time. Every
command is checked against the stored state (hot and restored from rows) and every case replays (conftest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from assessment_round_support import (
    DECEMBER_DUE,
    DECEMBER_TIMER,
    DECEMBER_WARN,
    JANUARY_TIMER,
    LEAD,
    inspections,
    round_cases,
    rounds,
    seeded_city,
    start_inspections,
    start_timers,
)
from assessment_support import set_active
from fixture_types import Sql
from lifecycle import fire_due, send_notifications
from sqlalchemy.engine import Engine

from city.assessment.commands import StartAssessmentRound
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotAllowed
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus


def test_the_monthly_timer_opens_the_garbage_sorting_round(city_bus: MessageBus, db: Engine, sql: Sql,
                                                           clock: FakeClock) -> None:
    seeded = seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    started = start_timers(city_bus)
    assert len(started) == 1  # the quarterly property round comes in January
    (whole,) = round_cases(city_bus, db, sql)
    (row,) = rounds(sql)
    assert (row.scheme, row.period, row.state, row.object_count, row.started_by, row.case_id) == (
        "garbage_sorting", "2026-12", "running", 3, "scheduler", whole.case_id)
    assert (as_utc(row.due_at), row.checklist_id) == (DECEMBER_DUE, seeded.checklists["garbage_sorting"])
    opened = inspections(sql, row.id)  # the rows only: their cases are started in chunks afterwards
    assert [(i.object_code, i.state, i.visits, i.case_id) for i in opened] == [
        ("GS-COM-1", "open", 0, None), ("GS-CP-1", "open", 0, None), ("GS-TS-1", "open", 0, None)]
    assert set(whole.timers()) == {"round_due", "round_warning"}
    assert send_notifications(city_bus) == 0  # the teams are told once every inspection case is started
    assert start_inspections(city_bus, limit=2) == [
        {"round_id": row.id, "started": 2, "pending": 1, "told": False},
        {"round_id": row.id, "started": 1, "pending": 0, "told": True}]
    found = inspections(sql, row.id)
    assert [(i.object_code, i.state, i.visits, i.process_id) for i in found] == [
        ("GS-COM-1", "open", 0, "assessment_inspection"), ("GS-CP-1", "open", 0, "assessment_inspection"),
        ("GS-TS-1", "open", 0, "assessment_inspection")]
    assert all(as_utc(i.due_at) == DECEMBER_DUE for i in found)
    assert start_inspections(city_bus) == []  # nothing left: an idle run writes nothing
    groups = {i.task_group for i in found} - {None}
    assert groups and send_notifications(city_bus) == 1  # each inspection case set its group (B2's hook)
    told = sql("SELECT kind, recipient FROM notifications WHERE recipient_kind = 'group' ORDER BY recipient")
    assert [(t.kind, t.recipient) for t in told] == [("task_assigned", g) for g in sorted(groups)]


def test_january_opens_both_schemes_and_a_second_fire_of_the_period_makes_nothing(
        city_bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(JANUARY_TIMER + timedelta(seconds=30))
    started = start_timers(city_bus)  # December's garbage-sorting occurrence (missed), January's, the quarter's
    assert len(started) == 3 and all(ref.created for ref in started)
    assert [(r.scheme, r.period, r.object_count) for r in rounds(sql)] == [("garbage_sorting", "2027-01", 3),
                                                                          ("property", "2027-Q1", 2)]
    cases = round_cases(city_bus, db, sql)
    assert sorted(c.status for c in cases).count("completed") == 1  # the second garbage-sorting start: not needed
    late = next(c for c in cases if c.status == "completed")
    assert (late.data()["round_state"], late.data()["not_needed_reason"]) == ("not_needed", "exists")
    compounds = inspections(sql, rounds(sql)[1].id)
    assert [i.object_code for i in compounds] == ["PR-CMP-1", "PR-CMP-2"]
    assert start_timers(city_bus) == []  # each occurrence starts once
    assert [chunk["started"] for chunk in start_inspections(city_bus)] == [3, 2]  # round by round, oldest first
    assert len(sql("SELECT id FROM assessment_inspections WHERE case_id IS NOT NULL")) == 5


def test_a_round_started_by_hand_then_refused_for_the_same_period(city_bus: MessageBus, db: Engine, sql: Sql,
                                                                  clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER - timedelta(days=3))  # November in Zhangzhou: the fourth quarter
    result = city_bus.handle(StartAssessmentRound("property", LEAD))
    (row,) = rounds(sql)
    assert result == {"round_id": row.id, "case_id": row.case_id, "case_no": result["case_no"],
                      "period": "2026-Q4", "objects": 2, "pending": 2}
    assert (row.started_by, row.state) == (LEAD, "running") and result["case_no"]
    (whole,) = round_cases(city_bus, db, sql)
    assert set(whole.timers()) == {"round_due", "round_warning"}  # no timer start left
    with pytest.raises(ConcurrencyConflict) as conflict:
        city_bus.handle(StartAssessmentRound("property", LEAD))
    assert conflict.value.field == "scheme"
    with pytest.raises(NotAllowed):
        city_bus.handle(StartAssessmentRound("garbage_sorting", "nobody"))
    with pytest.raises(InvalidCommand) as unknown:
        city_bus.handle(StartAssessmentRound("parking", LEAD))
    assert unknown.value.field == "scheme"
    assert len(rounds(sql)) == 1 and len(round_cases(city_bus, db, sql)) == 1


@pytest.mark.parametrize(("checklists", "active", "reason"), [(True, False, "no_objects"),
                                                                (False, True, "no_checklist")])
def test_a_timer_round_not_needed(city_bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock, checklists: bool,
                                  active: bool, reason: str) -> None:
    seeded_city(city_bus, db, checklists=checklists)
    set_active(db, "garbage_sorting", active)
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    assert len(start_timers(city_bus)) == 1
    (whole,) = round_cases(city_bus, db, sql)
    assert whole.status == "completed" and whole.timers() == {}
    assert (whole.data()["round_state"], whole.data()["not_needed_reason"]) == ("not_needed", reason)
    assert rounds(sql) == []
    with pytest.raises(InvalidCommand) as refused:  # the hand start refuses what the model would not open
        city_bus.handle(StartAssessmentRound("garbage_sorting", LEAD))
    assert refused.value.field == "scheme" and rounds(sql) == []


def test_warned_at_80_percent_then_closed_at_due(city_bus: MessageBus, db: Engine, sql: Sql,
                                                 clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    start_timers(city_bus)
    start_inspections(city_bus)
    (whole,) = round_cases(city_bus, db, sql)
    (row,) = rounds(sql)
    groups = sorted({i.task_group for i in inspections(sql, row.id)} - {None})
    assert as_utc(whole.timers()["round_warning"].due_at) == DECEMBER_WARN
    clock.set(DECEMBER_WARN)
    fire_due(city_bus)
    send_notifications(city_bus)
    warned = sql("SELECT recipient FROM notifications WHERE kind = 'task_warning' AND recipient_kind = 'group'"
                 " AND case_id = :id ORDER BY recipient", id=whole.case_id)
    assert groups and [w.recipient for w in warned] == groups  # every inspection is still open
    assert whole.status == "running" and rounds(sql)[0].state == "running"
    clock.set(DECEMBER_DUE)
    fire_due(city_bus)
    assert whole.status == "completed"
    (row,) = rounds(sql)
    assert (row.state, as_utc(row.closed_at)) == ("closed", DECEMBER_DUE)
    assert whole.data()["round_state"] == "closed"
