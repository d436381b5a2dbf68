"""FEEL expressions (``=…``, as Camunda 8 writes them) in BPMN models: the Camunda-8-style model
tests/fixtures/foreign_models/gridcase_zeebe_fine_review.bpmn (FEEL gateway conditions, a FEEL timeDate boundary
timer and a FEEL timeDuration timer) on every path, hot and restored from the rows at every command
(``each_bus``), with the clock moved, never slept; every case replays (conftest)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import GridcaseError, ProcessInvalid
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "foreign_models"
MODEL = "gridcase_zeebe_fine_review.bpmn"


def deploy(bus: MessageBus, **replace: str) -> None:
    files = read_sources([CORPUS / MODEL])
    for old, new in replace.items():
        assert old in files[MODEL], old
        files[MODEL] = files[MODEL].replace(old, new)
    bus.handle(c.DeployProcesses(files, "tests"))


def ready(sql: Sql, case_id: int) -> dict[str, str]:
    rows = sql("SELECT id, bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=case_id)
    return {r.bpmn_id: r.id for r in rows}


def status(sql: Sql, case_id: int) -> str:
    return str(sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status)


def timers(sql: Sql, case_id: int) -> list[tuple[str, str, Any]]:
    rows = sql("SELECT bpmn_id, status, due_at FROM timers WHERE case_id = :id ORDER BY id", id=case_id)
    return [(r.bpmn_id, r.status, as_utc(r.due_at)) for r in rows]


def start(bus: MessageBus, clock: FakeClock, **data: Any) -> int:
    data.setdefault("filed_at", clock.now().replace(tzinfo=None).isoformat())
    return int(bus.handle(c.StartCase("zeebe_fine_review", data, "clerk")).case_id)


def test_a_large_fine_goes_to_the_senior_reviewer(each_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    deploy(each_bus)
    case_id = start(each_bus, clock, amount=1500)
    assert list(ready(sql, case_id)) == ["senior_review"]
    # =date and time(filed_at) + duration("PT4H"): filed_at has no zone, so it is read as UTC
    assert timers(sql, case_id) == [("senior_overdue", "pending", clock.now() + timedelta(hours=4))]
    each_bus.handle(c.CompleteHumanTask(ready(sql, case_id)["senior_review"], {}, "senior"))
    assert status(sql, case_id) == "completed"


def test_the_feel_deadline_escalates_a_late_senior_review(each_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    deploy(each_bus)
    case_id = start(each_bus, clock, amount=1000.5, filed_at="2026-11-02T06:00:00+08:00")  # 22:00 UTC the day before
    assert timers(sql, case_id) == [("senior_overdue", "pending", clock.now().replace(hour=2, minute=0))]
    scheduler = TimerScheduler(each_bus)
    clock.advance(minutes=89)
    assert scheduler.fire_due() == []
    clock.advance(minutes=1)
    assert scheduler.fire_due() == ["fired"]
    assert list(ready(sql, case_id)) == ["escalated_review"]
    each_bus.handle(c.CompleteHumanTask(ready(sql, case_id)["escalated_review"], {}, "lead"))
    assert status(sql, case_id) == "completed"


def test_a_small_fine_waits_its_grace_days_from_a_feel_duration(each_bus: MessageBus, sql: Sql,
                                                                clock: FakeClock) -> None:
    deploy(each_bus)
    case_id = start(each_bus, clock, amount=1000, grace_days=3)
    each_bus.handle(c.CompleteHumanTask(ready(sql, case_id)["clerk_review"], {}, "clerk"))
    # =duration("P" + string(grace_days) + "D")
    assert timers(sql, case_id) == [("grace_period", "pending", clock.now() + timedelta(days=3))]
    scheduler = TimerScheduler(each_bus)
    clock.advance(days=3, seconds=-1)
    assert scheduler.fire_due() == []
    assert status(sql, case_id) == "running"
    clock.advance(seconds=1)
    assert scheduler.fire_due() == ["fired"]
    assert status(sql, case_id) == "completed"


@pytest.mark.parametrize("data", [{}, {"amount": None}, {"amount": "many"}, {"amount": -5}])
def test_a_condition_that_is_null_is_false_so_the_default_flow_runs(each_bus: MessageBus, sql: Sql,
                                                                     clock: FakeClock, data: dict[str, Any]) -> None:
    deploy(each_bus)
    case_id = start(each_bus, clock, **data)  # amount > 1000 is null (no amount, not a number) or false
    assert list(ready(sql, case_id)) == ["check_amount"]
    each_bus.handle(c.CompleteHumanTask(ready(sql, case_id)["check_amount"], {}, "clerk"))
    assert status(sql, case_id) == "completed"


def test_a_feel_duration_timer_given_no_duration_fails_the_step_naming_the_timer(each_bus: MessageBus, sql: Sql,
                                                                                 clock: FakeClock) -> None:
    deploy(each_bus)
    case_id = start(each_bus, clock, amount=10, grace_days="three")  # "P" + string("three") + "D" is no duration
    with pytest.raises(GridcaseError, match="grace_period"):
        each_bus.handle(c.CompleteHumanTask(ready(sql, case_id)["clerk_review"], {}, "clerk"))
    assert list(ready(sql, case_id)) == ["clerk_review"]  # nothing written


@pytest.mark.parametrize(("old", "new", "element", "column"), [
    ("=amount &gt; 1000", "=amount &gt; (1000", "to_senior", 16),
    ('duration("PT4H")', 'duration("PT4H"', "senior_overdue", 43),
    ('+ string(grace_days) + "D")', '+ string(grace_days) + )', "grace_period", 38),
])
def test_a_feel_syntax_error_is_refused_at_deploy_naming_element_and_position(
        bus: MessageBus, old: str, new: str, element: str, column: int) -> None:
    with pytest.raises(ProcessInvalid) as refused:
        deploy(bus, **{old: new})
    assert element in str(refused.value)
    assert f"column {column}" in str(refused.value)


PLACES = Path(__file__).resolve().parents[1] / "fixtures" / "feel_bpmn"


@pytest.fixture
def places(each_bus: MessageBus) -> MessageBus:
    """The bus with feel_places deployed (candidate groups, loop cardinality and completion condition, httpBody)."""
    each_bus.handle(c.DeployProcesses(read_sources([PLACES]), "tests"))
    return each_bus


def groups(sql: Sql, case_id: int) -> list[tuple[str, str | None]]:
    rows = sql("SELECT bpmn_id, candidate_group FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=case_id)
    return [(r.bpmn_id, r.candidate_group) for r in rows]


@pytest.mark.parametrize(("priority", "group"), [("high", "centre"), ("low", "district:350602"),
                                                 (None, "district:350602")])  # null = "high" is false: else
def test_a_feel_candidate_group_chooses_the_queue(places: MessageBus, sql: Sql, priority: str | None,
                                                  group: str) -> None:
    case_id = places.handle(c.StartCase("feel_places", {"priority": priority, "district": "350602", "sites": []},
                                        "clerk")).case_id
    assert groups(sql, case_id) == [("assess", group)]


@pytest.mark.parametrize(("data", "words"), [
    ({"priority": "both", "district": "7"}, "2 groups"),  # a task has one group (its queue)
    ({"priority": "low"}, "gave null"),  # "district:" + null: a missing variable leaves no one's queue
    ({"priority": "low", "district": 7}, "gave null"),  # a string and a number do not add up
])
def test_a_feel_candidate_group_that_is_no_group_fails_the_step_naming_the_task(places: MessageBus, sql: Sql,
                                                                                 data: dict[str, Any],
                                                                                 words: str) -> None:
    with pytest.raises(GridcaseError, match=rf"assess.*{words}"):
        places.handle(c.StartCase("feel_places", {**data, "sites": []}, "clerk"))
    assert sql("SELECT id FROM cases") == []  # nothing written


def complete_inspections(bus: MessageBus, sql: Sql, case_id: int, found: list[bool]) -> list[str | None]:
    """Complete the ready inspection once per entry of ``found``; the group of each inspection offered."""
    offered = []
    for value in found:
        ((bpmn_id, group),) = groups(sql, case_id)
        assert bpmn_id == "inspect"
        offered.append(group)
        bus.handle(c.CompleteHumanTask(ready(sql, case_id)["inspect"], {"found": value}, "inspector"))
    return offered


@pytest.mark.parametrize(("sites", "found", "inspections"), [
    (["a", "b"], [False, False, False], 3),  # =count(sites) + 1 rounds, none found: every round runs
    (["a", "b"], [False, True], 2),  # =found = true ends the loop early
    ([], [False], 1),
])
def test_feel_loop_cardinality_and_completion_condition(places: MessageBus, sql: Sql, sites: list[str],
                                                        found: list[bool], inspections: int) -> None:
    case_id = places.handle(c.StartCase("feel_places", {"priority": "low", "district": "1", "sites": sites},
                                        "clerk")).case_id
    places.handle(c.CompleteHumanTask(ready(sql, case_id)["assess"], {}, "clerk"))
    offered = complete_inspections(places, sql, case_id, found)
    assert offered == ["inspectors"] * inspections  # =["inspectors"]: a one-group list
    assert status(sql, case_id) == "completed"


def test_a_feel_http_body_is_prepared_as_json_and_python_conditions_still_run(places: MessageBus, sql: Sql,
                                                                            clock: FakeClock) -> None:
    case_id = places.handle(c.StartCase("feel_places", {"priority": "high", "district": "9", "sites": ["x"]},
                                        "clerk")).case_id
    places.handle(c.CompleteHumanTask(ready(sql, case_id)["assess"], {}, "clerk"))
    complete_inspections(places, sql, case_id, [True])  # priority == "high" (Python): the report is sent
    (row,) = sql("SELECT connector_call FROM jobs WHERE case_id = :id", id=case_id)
    body = json.loads(row.connector_call)["body"]
    assert body == {"district": "9", "sites": 1, "share": 1 / 3, "at": body["at"]}
    assert isinstance(body["sites"], int)  # integral numbers come back as int, others as float
    assert datetime.fromisoformat(body["at"].replace("Z", "+00:00")) == clock.now()  # now() reads the case's clock


def test_without_the_mark_expressions_stay_python(places: MessageBus, sql: Sql) -> None:
    case_id = places.handle(c.StartCase("feel_places", {"priority": "low", "district": "1", "sites": []},
                                        "clerk")).case_id
    places.handle(c.CompleteHumanTask(ready(sql, case_id)["assess"], {}, "clerk"))
    complete_inspections(places, sql, case_id, [False])
    assert status(sql, case_id) == "completed"  # priority == "high" is False in Python: the default flow
    assert sql("SELECT id FROM jobs WHERE case_id = :id", id=case_id) == []


def test_a_candidate_group_written_in_python_before_feel_still_chooses_the_queue(each_bus: MessageBus,
                                                                                 sql: Sql) -> None:
    # Versions deployed before FEEL wrote ="…" + report["district"] (Python); FEEL reads it as a filter (null)
    files = read_sources([PLACES])
    name = next(iter(files))
    feel_text = ('=if priority = &quot;high&quot; then &quot;centre&quot; else if priority = &quot;both&quot; then '
                 '[&quot;centre&quot;, &quot;district&quot;] else &quot;district:&quot; + district')
    assert feel_text in files[name]
    files[name] = files[name].replace(feel_text, '=&quot;district:&quot; + report[&quot;district&quot;]')
    each_bus.handle(c.DeployProcesses(files, "tests"))
    case_id = each_bus.handle(c.StartCase("feel_places", {"report": {"district": "350602"}, "sites": []},
                                          "clerk")).case_id
    assert groups(sql, case_id) == [("assess", "district:350602")]
    with pytest.raises(GridcaseError, match=r"assess.*gave null"):  # neither FEEL nor Python gives a group
        each_bus.handle(c.StartCase("feel_places", {"report": {}, "sites": []}, "clerk"))
