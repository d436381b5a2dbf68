"""EndCampaign (结束普查) through workflows/census_campaign.bpmn and census_sweep.bpmn, on Lakeside: the campaign
case catches end_campaign, records who/when/why and opens its review as at the period's end; its open sweeps catch
campaign_ended and close (their tasks and timers gone), a swept grid stays done; refusals write nothing. Every command
is checked against the stored state (hot and restored from rows) and every case replays (conftest)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from census_support import (
    START,
    _zone_restored,  # noqa: F401  (autouse: the city zone put back after each test)
    campaign,
    load_lakeside,
    record_all,
)
from fixture_types import Snapshot, Sql, TaskData
from lifecycle import fire_due, send_notifications
from sqlalchemy.engine import Engine

from city.campaigns.commands import EndCampaign, RecordSweepCheck
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, NotAllowed, NotFound
from engine.domain.forms import FieldsRejected
from engine.service.bus import MessageBus


@pytest.fixture
def city(city_bus: MessageBus, tmp_path: Path, clock: FakeClock) -> MessageBus:
    """Lakeside with two census topics and a dispatcher (disp9), who may not end a campaign."""
    load_lakeside(city_bus, tmp_path, clock)
    city_bus.handle(c.AddUser("disp9", "调度员", "dispatcher", "end-early-test-pw"))
    return city_bus


def test_ending_early_closes_the_open_sweeps_and_opens_the_review(city: MessageBus, sql: Sql, db: Engine,
                                                                 clock: FakeClock, task_data: TaskData) -> None:
    whole, (swept, started, untouched), campaign_id, grids = campaign(city, sql, db, grids=3)
    record_all(city, campaign_id, grids[0])
    swept.complete("sweep_grid", {}, "collector1")
    city.handle(RecordSweepCheck(campaign_id, grids[1], "T2", "exposed", "clear", None, "collector1"))
    clock.set(START + timedelta(days=9))  # past the 80 % warning: the open sweeps are yellow
    fire_due(city)
    city.handle(EndCampaign(campaign_id, "lead1", "  台风将至，提前收队  "))
    assert set(whole.ready()) == {"review_campaign_report"} and whole.timers() == {}
    data = task_data(whole.case_id, "review_campaign_report")[-1]
    assert (data["ended_early"], data["ended_by"], data["end_reason"], data["period_over"]) == (
        True, "lead1", "台风将至，提前收队", True)
    (row,) = sql("SELECT state, ended_at, ended_by, end_reason FROM campaigns WHERE id = :id", id=campaign_id)
    assert (row.state, row.ended_by, row.end_reason) == ("ended", "lead1", "台风将至，提前收队")
    for sweep in (started, untouched):
        assert sweep.status == "completed" and sweep.ready() == {} and sweep.timers() == {}
        assert (sweep.data()["ended_early"], sweep.data()["due_at"], sweep.data()["end_reason"]) == (
            True, None, "台风将至，提前收队")
    states = sql("SELECT grid_code, state, done_by FROM campaign_grids WHERE campaign_id = :id ORDER BY grid_code",
                 id=campaign_id)
    assert [(r.state, r.done_by) for r in states] == [("done", "collector1"), ("ended", "lead1"),
                                                      ("ended", "lead1")]
    tasks = sql("SELECT state FROM human_tasks WHERE case_id IN (:a, :b)", a=started.case_id, b=untouched.case_id)
    assert [t.state for t in tasks] == ["cancelled", "cancelled"]  # no longer in the collectors' lists
    whole.complete("review_campaign_report", {"review_note": "提前结束"}, "lead1")
    assert send_notifications(city) == 2  # the teams told of their grids, then of the 80 % (before the end)
    assert whole.status == "completed"


def test_refusals_write_nothing(city: MessageBus, sql: Sql, db: Engine, snapshot: Snapshot) -> None:
    whole, (sweep,), campaign_id, _ = campaign(city, sql, db)
    before = snapshot(whole.case_id), snapshot(sweep.case_id)
    with pytest.raises(FieldsRejected) as no_reason:
        city.handle(EndCampaign(campaign_id, "lead1", "   "))
    assert set(no_reason.value.fields) == {"reason"}
    with pytest.raises(NotFound) as unknown:
        city.handle(EndCampaign(campaign_id + 1, "lead1", "台风"))
    assert unknown.value.field == "campaign_id"
    with pytest.raises(NotAllowed):
        city.handle(EndCampaign(campaign_id, "disp9", "台风"))
    forged = {"campaign_id": campaign_id, "actor": "lead1", "reason": "台风"}
    with pytest.raises(NotAllowed) as outside:  # the campaigns' own message: no account may send it
        city.handle(c.SendMessage("end_campaign", forged, "integration1"))
    assert outside.value.field == "name"
    with pytest.raises(NotFound):  # and even a case's throw without the campaign's key reaches no campaign
        city.handle(c.SendMessage("end_campaign", forged, "case:0"))
    assert (snapshot(whole.case_id), snapshot(sweep.case_id)) == before
    city.handle(EndCampaign(campaign_id, "lead1", "台风"))
    with pytest.raises(ConcurrencyConflict) as again:
        city.handle(EndCampaign(campaign_id, "lead1", "台风"))
    assert again.value.field == "campaign_id"


def test_a_campaign_whose_grids_are_all_swept_ends_without_telling_them(city: MessageBus, sql: Sql,
                                                                        db: Engine) -> None:
    whole, (sweep,), campaign_id, (grid,) = campaign(city, sql, db)
    record_all(city, campaign_id, grid)
    sweep.complete("sweep_grid", {}, "collector1")
    city.handle(EndCampaign(campaign_id, "lead1", "全部完成"))
    assert set(whole.ready()) == {"review_campaign_report"}
    assert sql("SELECT COUNT(*) AS n FROM outbox WHERE case_id = :id", id=whole.case_id)[0].n == 0
    (row,) = sql("SELECT state FROM campaign_grids WHERE campaign_id = :id", id=campaign_id)
    assert row.state == "done"
