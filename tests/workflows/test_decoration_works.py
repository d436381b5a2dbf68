"""workflows/decoration_works.bpmn (室内装修工程), every path: the office decided by district; no removal → the
office's arrangement, 督办 for the supervisors when the works starts without one, closed by the removal's message;
a removal registered before the start; the two inspections (when the works starts, on its last day) and their
refusals; the finish after the period; the cancellation at any time; a bad start refused. Every command is checked
against the stored state (hot and restored from rows, ``verify_state``), every case replays, and time moves only by
the fake clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import replay_every_case
from fixture_types import Snapshot, Sql
from lifecycle import Case, due, fire_due
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.decoration.register import period
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected, NotAllowed
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "decoration_works.bpmn", ROOT / "rules" / "decoration_offices.dmn"]
START = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 in Zhangzhou
STARTS_AT = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)  # 10 December 00:00 +08:00
LAST_DAY = datetime(2026, 12, 19, 16, 0, tzinfo=UTC)  # 20 December 00:00 +08:00
ENDS_AT = datetime(2026, 12, 20, 16, 0, tzinfo=UTC)  # the end of 20 December
REMOVAL = "decoration_removal_registered"
CANCEL = "decoration_works_cancelled"
HANDLED = {"inspection": {"result": "handled"}}  # photos are uploads of the case: the integration tests send them
PILED = {"inspection": {"result": "piled", "note": "楼道堆放装修垃圾约 3 方"}}


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, db: Engine, clock: FakeClock) -> Iterator[MessageBus]:
    """The works model and its office rules deployed with their forms, once with the workflow cache and once
    restoring every case from its rows; every case replays afterwards."""
    clock.set(START)
    built = bootstrap(db, clock, verify_state=True, working_time=Settings.from_env({}).working_time(),
                      cache_size=256 if request.param == "hot" else 0)
    built.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    yield built
    replay_every_case(request, [built])


def works_data(district: str = "350602", starts_on: str = "2026-12-10", ends_on: str = "2026-12-20",
               **overrides: Any) -> dict[str, Any]:
    """The start data RegisterDecorationWorks gives a works (no row: the model alone)."""
    works = {"code": "ZX202612070001", "address": "芗城区胜利西路 18 号 3 栋 502", "compound_name": "胜利花园",
             "district_code": district, "street_code": None, "grid_code": None, "lon": 117.65, "lat": 24.51,
             "owner_name": "林先生", "contractor": "漳州美居装饰工程有限公司", "starts_on": starts_on,
             "ends_on": ends_on, "expected_waste_m3": 12.5}
    data = {"works": works, **period(date.fromisoformat(starts_on), date.fromisoformat(ends_on)),
            "removal_registered": False}
    return {**data, **overrides}


def start(bus: MessageBus, db: Engine, data: dict[str, Any]) -> Case:
    return Case(bus, db, bus.handle(c.StartCase("decoration_works", data, "seat001")).case_id)


def value(sql: Sql, case_id: int, key: str) -> Any:
    """The newest value of data ``key`` the case's log recorded."""
    for row in sql("SELECT data FROM case_events WHERE case_id = :id AND event_type = 'data_changed'"
                   " ORDER BY seq DESC", id=case_id):
        changes = json.loads(row.data)["changes"]
        if key in changes:
            return changes[key][1]
    return None


def deliver(bus: MessageBus, sql: Sql, case: Case, name: str, payload: dict[str, Any]) -> None:
    """Deliver one of the works' messages as its commands do (into the case's waiting event)."""
    waits = tuple(r.task_id for r in sql("SELECT task_id FROM message_waits WHERE case_id = :id AND name = :n",
                                         id=case.case_id, n=name))
    assert waits, f"the case waits for no {name}"
    bus.handle(c.DeliverMessage(case.case_id, name, {"works_code": "ZX202612070001", **payload}, "dept_350602_d02",
                                waits))


def removal() -> dict[str, Any]:
    return {"permit_code": "HZ-2026-001", "company_code": "ZZ01", "company_name": "漳州顺达渣土运输有限公司",
            "registered_by": "dept_350602_d02", "registered_at": START.isoformat()}


def test_without_removal_the_office_arranges_it_and_only_the_removal_ends_that(bus: MessageBus, db: Engine,
                                                                                sql: Sql, snapshot: Snapshot) -> None:
    case = start(bus, db, works_data())
    task = case.ready()["arrange_waste_removal"]
    assert (task.candidate_group, task.form) == ("350602-D02", "forms/arrange_waste_removal.json")
    assert value(sql, case.case_id, "office_name") == "芗城区城市管理局"
    assert value(sql, case.case_id, "works_state") == "registered"
    assert due(case, "works_started_without_removal") == STARTS_AT == due(case, "works_start")
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:  # the task ends by a registered removal, never by itself
        case.complete("arrange_waste_removal", {"contact_note": "已电话联系业主"}, "dept_350602_d02")
    assert refused.value.field == "removal" and snapshot(case.case_id) == before
    deliver(bus, sql, case, REMOVAL, removal())
    assert case.ready() == {} and value(sql, case.case_id, "removal_registered") is True
    assert set(case.timers()) == {"works_start"}  # the arrangement's 督办 timer went with it
    (arrangement,) = case.tasks("arrange_waste_removal")
    assert arrangement.state == "cancelled"


def test_started_without_removal_is_supervised_until_the_removal_closes_both(bus: MessageBus, db: Engine,
                                                                              sql: Sql, clock: FakeClock) -> None:
    case = start(bus, db, works_data())
    clock.set(STARTS_AT - timedelta(minutes=1))
    assert fire_due(bus) == [] and set(case.ready()) == {"arrange_waste_removal"}
    clock.set(STARTS_AT + timedelta(minutes=1))
    fire_due(bus)
    ready = case.ready()
    assert set(ready) == {"arrange_waste_removal", "supervise_waste_removal", "inspect_works"}
    assert ready["supervise_waste_removal"].candidate_group == "supervisor"
    assert ready["inspect_works"].candidate_group == "collector:350602"
    assert value(sql, case.case_id, "works_state") == "in_progress"
    deliver(bus, sql, case, REMOVAL, removal())
    assert set(case.ready()) == {"inspect_works"}
    assert [t.state for t in case.tasks("supervise_waste_removal")] == ["cancelled"]


def test_supervised_first_the_arrangement_stays_open(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = start(bus, db, works_data())
    clock.set(STARTS_AT)
    fire_due(bus)
    case.complete("supervise_waste_removal", {"supervision_note": "三日内落实清运"}, "supervisor1")
    assert set(case.ready()) == {"arrange_waste_removal", "inspect_works"}


def test_a_removal_given_at_the_start_needs_no_arrangement(bus: MessageBus, db: Engine) -> None:
    case = start(bus, db, works_data(removal_registered=True))
    assert case.ready() == {} and set(case.timers()) == {"works_start"}


def test_two_inspections_then_the_finish(bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock,
                                         snapshot: Snapshot) -> None:
    case = start(bus, db, works_data())
    deliver(bus, sql, case, REMOVAL, removal())
    clock.set(STARTS_AT)
    fire_due(bus)
    assert case.ready()["inspect_works"].form == "forms/inspect_works.json"
    case.complete("inspect_works", HANDLED, "collector001")
    assert case.ready() == {} and due(case, "last_day") == LAST_DAY
    assert value(sql, case.case_id, "last_inspection.result") == "handled"
    clock.set(LAST_DAY + timedelta(hours=9))
    fire_due(bus)
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("inspect_works", {"inspection": {"result": "other"}}, "collector002")
    assert refused.value.field == "inspection.note" and snapshot(case.case_id) == before
    case.complete("inspect_works", PILED, "collector002")
    inspections = value(sql, case.case_id, "inspections")
    assert [(i["round"], i["result"]) for i in inspections] == [(1, "handled"), (2, "piled")]
    assert case.ready() == {} and due(case, "works_end") == ENDS_AT
    clock.set(ENDS_AT + timedelta(hours=10))
    fire_due(bus)
    assert case.ready()["confirm_finish"].candidate_group == "350602-D02"
    case.complete("confirm_finish", {"finish": {"waste_cleared": True, "note": "已清运完毕"}}, "dept_350602_d02")
    assert case.status == "completed" and case.data()["works_state"] == "finished"


def test_the_finish_closes_an_arrangement_still_open(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = start(bus, db, works_data(starts_on="2026-12-08", ends_on="2026-12-08"))
    clock.set(datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # the one day: first and last inspection due at once
    fire_due(bus)
    case.complete("inspect_works", HANDLED, "collector001")
    fire_due(bus)
    case.complete("inspect_works", HANDLED, "collector001")
    clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    fire_due(bus)
    assert set(case.ready()) == {"arrange_waste_removal", "supervise_waste_removal", "confirm_finish"}
    case.complete("confirm_finish", {"finish": {"waste_cleared": False}}, "dept_350602_d02")
    assert case.status == "completed" and case.ready() == {}
    assert {t.state for t in case.tasks("arrange_waste_removal")} == {"cancelled"}


@pytest.mark.parametrize("when", ["registered", "in_progress"])
def test_cancelled_by_the_office(bus: MessageBus, db: Engine, sql: Sql, clock: FakeClock, when: str) -> None:
    case = start(bus, db, works_data())
    if when == "in_progress":
        clock.set(STARTS_AT)
        fire_due(bus)
    with pytest.raises(FormRejected) as refused:
        deliver(bus, sql, case, CANCEL, {"actor": "dept_350602_d02", "reason": " "})
    assert refused.value.field == "reason"
    deliver(bus, sql, case, CANCEL, {"actor": "dept_350602_d02", "reason": "业主取消装修"})
    assert case.status == "completed" and case.ready() == {} and case.timers() == {}
    data = case.data()
    assert (data["works_state"], data["cancel_reason"], data["cancelled_by"]) == (
        "cancelled", "业主取消装修", "dept_350602_d02")


def test_the_works_messages_are_sent_by_their_commands_only(bus: MessageBus, db: Engine) -> None:
    start(bus, db, works_data())
    for name in (REMOVAL, CANCEL):
        with pytest.raises(NotAllowed):
            bus.handle(c.SendMessage(name, {"reason": "x"}, "integration1"))


@pytest.mark.parametrize(("district", "office"), [("350603", "350603-D02"), ("350690", "350690-D02"),
                                                  ("350699", "C03")])
def test_the_office_by_district(bus: MessageBus, db: Engine, district: str, office: str) -> None:
    case = start(bus, db, works_data(district))
    assert case.ready()["arrange_waste_removal"].candidate_group == office


@pytest.mark.parametrize(("data", "field"), [({}, "works"), ({"works": "ZX1"}, "works"),
                                             (works_data(works={"code": "", "district_code": "350602"}),
                                              "works.code"),
                                             (works_data(works={"code": "ZX1"}), "works.district_code"),
                                             (works_data(ends_at="2026-12-01T00:00:00+08:00"), "ends_at")])
def test_a_bad_start_is_refused_naming_the_field(bus: MessageBus, sql: Sql, data: dict[str, Any],
                                                 field: str) -> None:
    with pytest.raises(FormRejected) as refused:
        bus.handle(c.StartCase("decoration_works", data, "seat001"))
    assert refused.value.field == field
    assert sql("SELECT id FROM cases") == []


def test_an_inspection_not_done_in_two_days_is_supervised(bus: MessageBus, db: Engine, sql: Sql,
                                                           clock: FakeClock) -> None:
    case = start(bus, db, works_data())
    deliver(bus, sql, case, REMOVAL, removal())
    clock.set(STARTS_AT)
    fire_due(bus)
    assert due(case, "inspection_overdue") == STARTS_AT + timedelta(days=2)
    clock.set(STARTS_AT + timedelta(days=2) - timedelta(minutes=1))
    assert fire_due(bus) == [] and set(case.ready()) == {"inspect_works"}
    clock.set(STARTS_AT + timedelta(days=2))
    fire_due(bus)
    ready = case.ready()
    assert set(ready) == {"inspect_works", "supervise_inspection"}  # the inspection stays open beside its 督办
    assert (ready["supervise_inspection"].candidate_group, ready["supervise_inspection"].form) == (
        "supervisor", "forms/supervise_works_inspection.json")
    case.complete("supervise_inspection", {"supervision_note": "今日内完成巡查"}, "supervisor1")
    case.complete("inspect_works", HANDLED, "collector001")
    assert case.ready() == {} and due(case, "last_day") == LAST_DAY


def test_the_period_ends_whatever_inspection_is_still_open(bus: MessageBus, db: Engine, sql: Sql,
                                                           clock: FakeClock) -> None:
    case = start(bus, db, works_data())
    deliver(bus, sql, case, REMOVAL, removal())
    clock.set(STARTS_AT)
    fire_due(bus)
    assert due(case, "works_end") == ENDS_AT  # from the start, not after both inspections
    clock.set(ENDS_AT)
    fire_due(bus)  # the first inspection was never done: its 督办 and the finish are due
    assert set(case.ready()) == {"inspect_works", "supervise_inspection", "confirm_finish"}
    case.complete("confirm_finish", {"finish": {"waste_cleared": True}}, "dept_350602_d02")
    assert case.status == "completed" and case.ready() == {} and case.timers() == {}
    assert case.data()["works_state"] == "finished"
    assert {t.state for t in case.tasks("inspect_works")} == {"cancelled"}
