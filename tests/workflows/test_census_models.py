"""workflows/census_campaign.bpmn and census_sweep.bpmn, every path, on a small city (Lakeside with two topics):
a grid swept in time; refused while topics are unrecorded; the 80 % warning; overdue → 督办 for the supervisors,
ended with the sweep; the campaign's period: the teams told at 80 %, the review when it ends. Every command is
checked against the stored state (hot and restored from rows) and every case replays (conftest)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from census_support import (
    END,
    WARN,
    _zone_restored,  # noqa: F401  (autouse: the city zone put back after each test)
    load_lakeside,
    record_all,
)
from census_support import campaign as one_or_more
from fixture_types import Snapshot, Sql
from lifecycle import Case, fire_due, send_notifications
from sqlalchemy.engine import Engine

from city.campaigns.commands import RecordSweepCheck
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.service.bus import MessageBus


@pytest.fixture
def city(city_bus: MessageBus, tmp_path: Path, clock: FakeClock) -> MessageBus:
    """The city's processes deployed on Lakeside with two census topics; the clock at the campaign's start."""
    return load_lakeside(city_bus, tmp_path, clock)


def campaign(bus: MessageBus, sql: Sql, db: Engine) -> tuple[Case, Case, int, str]:
    """A campaign over one grid of ward W1: (the campaign's case, the grid's sweep case, campaign id, grid)."""
    whole, (sweep,), campaign_id, (grid,) = one_or_more(bus, sql, db)
    return whole, sweep, campaign_id, grid


def test_a_grid_swept_in_time(city: MessageBus, sql: Sql, db: Engine, clock: FakeClock,
                              snapshot: Snapshot) -> None:
    _, sweep, campaign_id, grid = campaign(city, sql, db)
    task = sweep.ready()["sweep_grid"]
    assert task.candidate_group == "collector:W1"
    assert set(sweep.timers()) == {"sweep_warning", "sweep_overdue"}
    before = snapshot(sweep.case_id)
    with pytest.raises(FormRejected) as refused:  # nothing recorded yet
        city.handle(c.CompleteHumanTask(task.id, {}, "collector1", claim_if_free=True))
    assert refused.value.field == "topics" and snapshot(sweep.case_id) == before
    city.handle(RecordSweepCheck(campaign_id, grid, "T1", "damaged", "clear", None, "collector1"))
    with pytest.raises(FormRejected):  # T1 still has its count to record
        city.handle(c.CompleteHumanTask(task.id, {}, "collector1", claim_if_free=True))
    record_all(city, campaign_id, grid)
    clock.advance(timedelta(days=2))
    sweep.complete("sweep_grid", {"sweep_note": "全部检查完毕"}, "collector1")
    assert sweep.status == "completed"
    data = sweep.data()
    assert (data["swept_on_time"], data["topics_done"], data["due_at"]) == (True, 2, None)
    assert set(sweep.timers("cancelled")) == {"sweep_warning", "sweep_overdue"}
    (row,) = sql("SELECT state, done_by FROM campaign_grids WHERE case_id = :id", id=sweep.case_id)
    assert (row.state, row.done_by) == ("done", "collector1")


def test_warned_then_overdue_supervised_and_ended_with_the_sweep(city: MessageBus, sql: Sql, db: Engine,
                                                                  clock: FakeClock) -> None:
    _, sweep, campaign_id, grid = campaign(city, sql, db)
    clock.set(WARN)
    fire_due(city)
    assert set(sweep.timers()) == {"sweep_overdue"} and set(sweep.ready()) == {"sweep_grid"}
    clock.set(END + timedelta(minutes=1))
    fire_due(city)
    assert set(sweep.ready()) == {"sweep_grid", "supervise_overdue_sweep"}
    assert sweep.ready()["supervise_overdue_sweep"].candidate_group == "supervisor"
    record_all(city, campaign_id, grid)
    sweep.complete("sweep_grid", {}, "collector1")  # the terminate end also ends the open 督办
    assert sweep.status == "completed" and sweep.ready() == {}
    assert sweep.data()["swept_on_time"] is False


def test_overdue_supervised_first(city: MessageBus, sql: Sql, db: Engine, clock: FakeClock) -> None:
    _, sweep, campaign_id, grid = campaign(city, sql, db)
    clock.set(END + timedelta(hours=1))
    fire_due(city)
    sweep.complete("supervise_overdue_sweep", {"supervision_note": "今日内完成"}, "supervisor1")
    assert set(sweep.ready()) == {"sweep_grid"}
    record_all(city, campaign_id, grid)
    sweep.complete("sweep_grid", {}, "collector1")
    assert sweep.status == "completed"


def test_the_campaign_period_warns_the_teams_then_asks_for_the_review(city: MessageBus, sql: Sql, db: Engine,
                                                                       clock: FakeClock) -> None:
    whole, _, campaign_id, _ = campaign(city, sql, db)
    assert set(whole.timers()) == {"period_ended", "period_warning"} and whole.ready() == {}
    assert send_notifications(city) == 1  # the teams told once that their grids wait (no sweep tells anyone)
    clock.set(WARN)
    fire_due(city)
    assert send_notifications(city) == 1  # the notify task's job: the teams told at 80 %
    told = sql("SELECT kind, recipient FROM notifications WHERE recipient_kind = 'group' ORDER BY id")
    assert [(t.kind, t.recipient) for t in told] == [("task_assigned", "collector:W1"),
                                                     ("task_warning", "collector:W1")]
    clock.set(END)
    fire_due(city)
    assert set(whole.ready()) == {"review_campaign_report"}
    assert whole.ready()["review_campaign_report"].candidate_group == "shift_lead"
    (row,) = sql("SELECT state FROM campaigns WHERE id = :id", id=campaign_id)
    assert row.state == "ended"
    whole.complete("review_campaign_report", {"review_note": "发现问题均已立案"}, "lead1")
    assert whole.status == "completed"


def test_the_period_ends_before_its_warning_is_told(city: MessageBus, sql: Sql, db: Engine,
                                                     clock: FakeClock) -> None:
    whole, *_ = campaign(city, sql, db)
    clock.set(END)
    fire_due(city)  # both timers due: the warning's notification waits for the scheduler's connector loop
    assert set(whole.ready()) == {"review_campaign_report"}
    whole.complete("review_campaign_report", {}, "lead1")
    send_notifications(city)
    assert whole.status == "completed"


