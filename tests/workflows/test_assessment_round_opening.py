"""Opening an assessment round (考评轮次), the edges: objects whose kind has no checklist item left out, the opening
hook making nothing for a period already opened or for a case of another process, a round started by hand late
in its period due no sooner than three days on, and re-inspections (复查) past their own due time counted
overdue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from assessment_round_support import (
    DECEMBER_TIMER,
    LEAD,
    inspections,
    rounds,
    seeded_city,
    start_inspections,
    start_timers,
)
from fixture_types import Sql
from sqlalchemy.engine import Engine

from city.assessment import round_views
from city.assessment.commands import StartAssessmentRound, StartRoundInspections
from city.assessment.round_hooks import open_round
from engine.domain import events as ev
from engine.domain.clock import FakeClock
from engine.domain.forms import FieldsRejected
from engine.domain.views import StepRecord
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus
from engine.service.step_hooks import StepWritten

NEW_YEARS_EVE = datetime(2026, 12, 31, 15, 50, tzinfo=UTC)  # 23:50 in Zhangzhou, ten minutes before the period ends


def test_objects_whose_kind_has_no_item_are_left_out(city_bus: MessageBus, db: Engine, sql: Sql,
                                                     clock: FakeClock) -> None:
    seeded = seeded_city(city_bus, db)
    with db.begin() as conn:  # the checklist now covers no transfer station
        (items,) = conn.execute(sa.text("SELECT items_json FROM assessment_checklists WHERE id = :id"),
                                {"id": seeded.checklists["garbage_sorting"]}).one()
        narrowed = [{**item, "kinds": ["community", "collection_point"]} for item in json.loads(items)]
        conn.execute(sa.text("UPDATE assessment_checklists SET items_json = :items WHERE id = :id"),
                     {"items": json.dumps(narrowed), "id": seeded.checklists["garbage_sorting"]})
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    start_timers(city_bus)
    (row,) = rounds(sql)
    assert row.object_count == 2
    assert [i.object_code for i in inspections(sql, row.id)] == ["GS-COM-1", "GS-CP-1"]
    assert [chunk["told"] for chunk in start_inspections(city_bus)] == [True]


def _opening_step(case_id: int, process_id: str, plan: dict[str, str]) -> StepWritten:
    """The first step of a case whose data looks like an opening round's."""
    return StepWritten(case_id, {"round_state": "opening", "round": plan, "requested_by": LEAD},
                       [StepRecord(ev.CASE_STARTED, data={"process_id": process_id, "version": 1})], LEAD,
                       NEW_YEARS_EVE, {})


def test_the_opening_hook_makes_nothing_for_an_opened_period_or_another_process(
        city_bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER - timedelta(days=3))
    started = city_bus.handle(StartAssessmentRound("property", LEAD))
    plan = {"scheme": "property", "period": "2026-Q4", "starts_at": "2026-10-01T00:00:00+08:00",
            "due_at": "2027-01-01T00:00:00+08:00", "warn_at": "2026-12-13T00:00:00+08:00"}
    other = dict(plan, scheme="garbage_sorting", period="2026-11")
    with city_bus.deps.uow(read_only=True) as uow:  # nothing to write: a write would fail here
        open_round(uow, _opening_step(started["case_id"], "assessment_round", plan))  # the period's round exists
        open_round(uow, _opening_step(started["case_id"], "case_lifecycle", other))  # not a round's case
    assert [(r.scheme, r.period) for r in rounds(sql)] == [("property", "2026-Q4")]


def test_a_round_started_late_in_its_period_is_due_three_days_on(city_bus: MessageBus, db: Engine, sql: Sql,
                                                                 clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(NEW_YEARS_EVE)
    city_bus.handle(StartAssessmentRound("garbage_sorting", LEAD))
    (row,) = rounds(sql)
    assert (row.period, as_utc(row.due_at)) == ("2026-12", NEW_YEARS_EVE + timedelta(days=3))
    start_inspections(city_bus)
    tasks = sql("SELECT t.due_at, e.data FROM human_tasks t JOIN assessment_inspections i ON i.case_id = t.case_id"
                " JOIN case_events e ON e.case_id = t.case_id AND e.event_type = 'case_started'"
                " WHERE i.round_id = :r AND t.bpmn_id = 'inspect_object'", r=row.id)
    assert len(tasks) == 3
    assert all(as_utc(t.due_at) == NEW_YEARS_EVE + timedelta(days=3) for t in tasks)
    warnings = {json.loads(t.data)["data"]["warn_at"] for t in tasks}  # 80 % of what is left, not at once
    assert [datetime.fromisoformat(w) for w in warnings] == [NEW_YEARS_EVE + timedelta(days=3) * 0.8]
    view = round_views.one_round(city_bus.deps, row.id)
    assert (view["overdue"], view["pending"]) == (0, 0)


def test_a_re_inspection_past_its_due_time_is_overdue(city_bus: MessageBus, db: Engine, sql: Sql,
                                                      clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    start_timers(city_bus)
    start_inspections(city_bus)
    (row,) = rounds(sql)
    first = inspections(sql, row.id)[0]
    with db.begin() as conn:  # as the inspection model leaves it: rectifying, its 复查 due in a week
        conn.execute(sa.text("UPDATE assessment_inspections SET state = 'rectifying' WHERE id = :id"),
                     {"id": first.id})
        conn.execute(sa.text("UPDATE human_tasks SET bpmn_id = 'reinspect_object', due_at = :due WHERE case_id = :c"
                             " AND state = 'ready'"), {"due": DECEMBER_TIMER + timedelta(days=7), "c": first.case_id})
    clock.set(DECEMBER_TIMER + timedelta(days=6))
    assert round_views.one_round(city_bus.deps, row.id)["overdue"] == 0
    clock.set(DECEMBER_TIMER + timedelta(days=8))  # past the re-inspection's due time, not the round's
    view = round_views.one_round(city_bus.deps, row.id)
    assert view["overdue"] == 1
    assert [(i["id"], i["state"], i["due_at"]) for i in view["overdue_inspections"]] == [
        (first.id, "rectifying", (DECEMBER_TIMER + timedelta(days=7)).isoformat())]
    (listed,) = [r for r in round_views.round_list(city_bus.deps) if r["id"] == row.id]
    assert listed["overdue"] == 1


def test_a_budgeted_run_starts_chunk_after_chunk_and_a_bad_limit_is_refused(
        city_bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock) -> None:
    seeded_city(city_bus, db)
    clock.set(DECEMBER_TIMER + timedelta(seconds=30))
    start_timers(city_bus)
    (row,) = rounds(sql)
    with pytest.raises(FieldsRejected) as refused:
        city_bus.handle(StartRoundInspections(row.id, limit=0))
    assert "limit" in refused.value.fields
    first = city_bus.handle(StartRoundInspections(limit=1, budget_seconds=60))  # the scheduler's run
    assert first == {"round_id": row.id, "started": 1, "pending": 2, "told": False}  # then two more chunks
    assert [i.process_id for i in inspections(sql, row.id)] == ["assessment_inspection"] * 3
    assert city_bus.handle(StartRoundInspections(row.id)) == {"round_id": row.id, "started": 0, "pending": 0,
                                                              "told": False}
