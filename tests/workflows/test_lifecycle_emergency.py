"""The lifecycle under a declared emergency (应急规则): registration asks ``emergency_at``; the emergency table
(rules/emergency_dispatch.dmn) files (立案) and dispatches (派遣) hazards by rule with a limit in natural hours, leaves
other problems on the usual steps (limit in natural hours too); the signal ``emergency_declared`` reaches cases
waiting for 派遣 or 处置, and those of the named kinds inside the area tell their department (urgent).

``emergency_at``'s answer is injected as the tests inject helpers (kept with the step, so the replay after each
test answers from the record); the city bus runs hot and cold (restored from rows at every step)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fixture_types import Sql, TaskData
from lifecycle import DISPOSED, Case, approve_return, close, cst, fire_due, report, send_notifications, start
from sqlalchemy.engine import Engine

from engine.bpmn.environment import kept
from engine.domain.clock import FakeClock
from engine.domain.event_commands import ThrowSignal
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus

TYPHOON = {"id": 7, "kind": "typhoon", "level": "II", "signal_kinds": ["0906", "0907", "06"]}
FALLEN_TREE = "0906"  # 树木倒伏: a typhoon hazard in the emergency table
AREA = {"districts": ["350602"], "streets": []}


def under(bus: MessageBus, emergency: dict[str, Any] | None) -> list[tuple[float, float]]:
    """Make ``emergency_at`` answer ``emergency`` for every point (as the city's helper would inside the area);
    the points asked, in order."""
    asked: list[tuple[float, float]] = []

    def emergency_at(lon: float, lat: float) -> dict[str, Any] | None:
        asked.append((lon, lat))
        return emergency

    bus.deps.script_helpers["emergency_at"] = kept("emergency_at", emergency_at)
    return asked


def current(task_data: TaskData, case: Case, spec: str = "dispose_problem") -> dict[str, Any]:
    return task_data(case.case_id, spec)[-1]


def test_a_hazard_under_a_typhoon_is_filed_and_dispatched_by_rule(city_bus: MessageBus, db: Engine,
                                                                   clock: FakeClock, task_data: TaskData,
                                                                   sql: Sql) -> None:
    asked = under(city_bus, TYPHOON)
    clock.set(cst(7, 22))  # a Saturday night: working time would not run until Monday
    case = start(city_bus, db, report(subtype=FALLEN_TREE, description="台风吹倒行道树"))
    assert asked == [(117.65, 24.51)]
    assert set(case.ready()) == {"dispose_problem"}  # no 核实, no 立案 task, no 派遣 task
    for skipped in ("verify_report", "file_or_void", "confirm_dispatch"):
        assert case.tasks(skipped) == []
    data = current(task_data, case)
    assert data["emergency"] == TYPHOON
    rules = data["emergency_rules"]
    assert rules["auto_file"] and rules["auto_dispatch"] and rules["limit_hours"] == 2 and rules["emergency_id"] == 7
    assert data["filing"]["decision"] == "file" and data["filing"]["actor"] == "engine"
    assert data["filing"]["by_rule"] == "emergency_dispatch" and "自动立案" in data["filing"]["reason"]
    assert data["dispatch"]["actor"] == "engine" and data["department"] == data["disposal_unit"] is not None
    assert (data["limit_amount"], data["limit_unit"]) == (2, "natural_hours")
    assert as_utc(case.timers()["disposal_overdue"].due_at) == cst(8, 0)  # two natural hours, at night
    (facts,) = sql("SELECT dispatched_at, filed_at, department, dispatcher FROM case_facts WHERE case_id = :id",
                   id=case.case_id)
    assert facts.dispatched_at is not None and facts.filed_at is not None and facts.department == data["department"]
    assert facts.dispatcher is None  # nobody dispatched it: the engine did, by rule
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert evaluation["result"] != "voided"


def test_the_natural_hours_deadline_fires_overnight(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    under(city_bus, dict(TYPHOON, level="IV"))
    clock.set(cst(7, 22))
    case = start(city_bus, db, report(subtype=FALLEN_TREE, description="台风吹倒行道树"))
    assert as_utc(case.timers()["disposal_overdue"].due_at) == cst(8, 2)  # level IV: four natural hours
    clock.set(cst(8, 2, 1))
    fire_due(city_bus)
    assert "supervise_overdue" in case.ready()  # 督办 on Sunday night: natural hours know no weekend
    clock.set(cst(8, 6, 1))  # the second escalation four natural hours later
    fire_due(city_bus)
    assert "supervise_escalation" in case.ready()


def test_other_problems_keep_their_steps_with_natural_hours(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                            task_data: TaskData) -> None:
    under(city_bus, TYPHOON)
    clock.set(cst(7, 22))
    case = start(city_bus, db, report())  # 暴露垃圾: not a hazard
    assert set(case.ready()) == {"verify_report"}
    case.complete("verify_report", {"verification": {"found": True}})
    case.complete("file_or_void", {"filing": {"decision": "file"}})
    assert set(case.ready()) == {"confirm_dispatch"}
    suggested = current(task_data, case, "confirm_dispatch")
    assert (suggested["limit_amount"], suggested["limit_unit"]) == (24, "natural_hours")
    assert suggested["dispatch_automatically"] is False
    case.complete("confirm_dispatch", {"dispatch": {}})
    assert as_utc(case.timers()["disposal_overdue"].due_at) == cst(8, 22)


def test_without_an_emergency_the_lifecycle_is_unchanged(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                         task_data: TaskData) -> None:
    asked = under(city_bus, None)
    clock.set(cst(2, 9))
    case = start(city_bus, db, report())  # 暴露垃圾, limited in working time by the responsibility rules
    assert asked and set(case.ready()) == {"verify_report"}
    case.complete("verify_report", {"verification": {"found": True}})
    case.complete("file_or_void", {"filing": {"decision": "file"}})
    data = current(task_data, case, "confirm_dispatch")
    assert data["emergency"] is None and data["emergency_rules"] is None
    assert data["limit_unit"].startswith("working_") and data["dispatch_automatically"] is False


def test_outside_the_grids_nobody_is_asked(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    asked = under(city_bus, TYPHOON)
    case = start(city_bus, db, report(subtype=FALLEN_TREE, location={"lon": 118.5, "lat": 25.0}))
    assert asked == [] and set(case.ready()) == {"file_or_void"}  # voided as out of scope by the shift lead


def test_a_returned_case_goes_to_the_dispatcher(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    under(city_bus, TYPHOON)
    clock.set(cst(7, 22))
    case = start(city_bus, db, report(subtype=FALLEN_TREE, description="台风吹倒行道树"))
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    approve_return(case)
    send_notifications(city_bus)
    assert set(case.ready()) == {"confirm_dispatch"}  # by rule only in the first round


def notifications(sql: Sql, case: Case) -> list[tuple[str, str, dict[str, Any]]]:
    rows = sql("SELECT recipient, urgency, data FROM notifications WHERE case_id = :id AND kind = 'supervision'"
               " ORDER BY id", id=case.case_id)
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


def declared(bus: MessageBus, kinds: list[str], area: dict[str, Any] | None = None) -> None:
    """The emergency process's declaration, as its signal reaches the waiting cases."""
    bus.handle(ThrowSignal("emergency_declared", {"id": 9, "kind": "typhoon", "level": "I", "area": area or AREA,
                                                  "signal_kinds": kinds}, "case:9"))


def test_the_declaration_tells_the_departments_of_named_cases_in_disposal(city_bus: MessageBus, db: Engine,
                                                                          clock: FakeClock, sql: Sql) -> None:
    under(city_bus, None)
    clock.set(cst(2, 9))
    named = start(city_bus, db, report(subtype=FALLEN_TREE, description="行道树倾斜"))
    named.complete("verify_report", {"verification": {"found": True}})
    named.complete("file_or_void", {"filing": {"decision": "file"}})
    named.complete("confirm_dispatch", {"dispatch": {}})
    other = start(city_bus, db, report())  # 暴露垃圾, waiting for 核实: no boundary there
    clock.advance(timedelta(minutes=5))
    declared(city_bus, [FALLEN_TREE])
    send_notifications(city_bus)
    ((to, urgency, data),) = notifications(sql, named)
    assert to != "dispatcher" and urgency == "urgent" and data["emergency"]["emergency_id"] == 9
    assert data["task_name"] == "处置 Disposal"
    assert notifications(sql, other) == []
    assert set(named.ready()) == {"dispose_problem"}  # non-interrupting: the department still disposes
    declared(city_bus, [FALLEN_TREE])  # a second declaration is heard again
    send_notifications(city_bus)
    assert len(notifications(sql, named)) == 2
    named.complete("dispose_problem", DISPOSED)
    close(named)


def test_the_declaration_reaches_cases_waiting_for_dispatch(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                            sql: Sql) -> None:
    under(city_bus, None)
    clock.set(cst(2, 9))
    waiting = []
    for subtype in (FALLEN_TREE, "0601", FALLEN_TREE):
        case = start(city_bus, db, report(subtype=subtype, description="待派遣"))
        case.complete("verify_report", {"verification": {"found": True}})
        case.complete("file_or_void", {"filing": {"decision": "file"}})
        waiting.append(case)
    declared(city_bus, ["09"], area={"districts": ["350603"], "streets": []})  # another district: nobody
    send_notifications(city_bus)
    assert [notifications(sql, case) for case in waiting] == [[], [], []]
    declared(city_bus, ["09"])  # major class 09 (突发事件) in 350602: the trees only
    send_notifications(city_bus)
    told = [notifications(sql, case) for case in waiting]
    assert [sorted(to for to, _, _ in t) for t in told] == [["350602-D05", "dispatcher"], [],
                                                             ["350602-D05", "dispatcher"]]
    _, urgency, data = told[0][0]
    assert urgency == "urgent" and data["task_name"] == "派遣 Dispatch"
    assert all(set(case.ready()) == {"confirm_dispatch"} for case in waiting)
    waiting[0].complete("confirm_dispatch", {"dispatch": {}})
    assert set(waiting[0].ready()) == {"dispose_problem"}
