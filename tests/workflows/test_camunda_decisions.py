"""Camunda business rule tasks (``camunda:decisionRef`` + ``resultVariable`` + ``mapDecisionResult``) run the named
DMN decision as SpiffWorkflow's ``calledDecisionId`` does, with the result mapped as Camunda documents it, and
the JUEL gateway after them computes with the results (tests/fixtures/foreign_models/gridcase_camunda_stall_fee.*).
Each path runs hot and restored from the rows at every command (``each_bus``), and replays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixture_types import Sql, TaskData

from engine.domain import commands as c
from engine.domain.errors import GridcaseError, ProcessInvalid
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "foreign_models"
MODEL = ("gridcase_camunda_stall_fee.bpmn", "gridcase_camunda_stall_fee.dmn")


def deploy(bus: MessageBus, **replace: str) -> None:
    files = read_sources([CORPUS / name for name in MODEL])
    for old, new in replace.items():
        files[MODEL[0]] = files[MODEL[0]].replace(old, new)
    bus.handle(c.DeployProcesses(files, "tests"))


def human(sql: Sql, case_id: int) -> dict[str, str]:
    return {r.bpmn_id: r.state for r in sql("SELECT bpmn_id, state FROM human_tasks WHERE case_id = :id", id=case_id)}


def status(sql: Sql, case_id: int) -> str:
    return str(sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status)


@pytest.mark.parametrize(("application", "expected"), [
    ({"area": 6, "food": True, "discount": 0}, {
        "fee": 50, "checks": ["hygiene", "fire safety"], "check_rows": [{"check": "hygiene"}, {"check": "fire safety"}],
        "terms": {"days": 30, "hours": "17:00-22:00"}}),
    ({"area": 10, "food": False, "discount": 100}, {
        "fee": 50, "checks": ["footway width"], "check_rows": [{"check": "footway width"}],
        "terms": {"days": 90, "hours": "08:00-20:00"}}),
])
def test_each_mapping_keeps_the_result_camunda_would(each_bus: MessageBus, sql: Sql, task_data: TaskData,
                                                     application: dict[str, Any], expected: dict[str, Any]) -> None:
    deploy(each_bus)
    ref = each_bus.handle(c.StartCase("stall_permit_fee", application, "clerk"))
    assert human(sql, ref.case_id) == {"review_fee": "ready"}  # 50 * 30 - 0 and 50 * 90 - 100 are over 1000
    data = task_data(ref.case_id, "review_fee")[0]
    assert {key: data[key] for key in expected} == expected
    assert data["stall_checks_rules"]  # the matched rules, as for calledDecisionId
    assert "days" not in data and "check" not in data  # outputs go to the result variable only
    each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "bob"))
    assert status(sql, ref.case_id) == "completed"


def test_no_match_and_a_small_total(each_bus: MessageBus, sql: Sql, task_data: TaskData) -> None:
    deploy(each_bus)
    ref = each_bus.handle(c.StartCase("stall_permit_fee", {"area": 2, "food": False, "discount": 1000}, "clerk"))
    assert status(sql, ref.case_id) == "completed"  # 20 * 90 - 1000 is not over 1000: no review
    [data] = task_data(ref.case_id, "permit_issued")
    assert data["checks"] == [] and data["check_rows"] == [] and data["fee"] == 20


def test_without_a_result_variable_nothing_is_kept(each_bus: MessageBus, sql: Sql, task_data: TaskData) -> None:
    deploy(each_bus, **{' camunda:resultVariable="checks"': ""})
    ref = each_bus.handle(c.StartCase("stall_permit_fee", {"area": 6, "food": True, "discount": 0}, "clerk"))
    data = task_data(ref.case_id, "review_fee")[0]
    assert "checks" not in data and data["check_rows"] == [{"check": "hygiene"}, {"check": "fire safety"}]


def test_single_entry_of_several_matched_rules_fails_the_step(bus: MessageBus, sql: Sql) -> None:
    deploy(bus, **{'camunda:mapDecisionResult="collectEntries"': 'camunda:mapDecisionResult="singleEntry"'})
    with pytest.raises(GridcaseError, match=r"matched 2 rules, but mapDecisionResult singleEntry takes at most one"):
        bus.handle(c.StartCase("stall_permit_fee", {"area": 6, "food": True, "discount": 0}, "clerk"))
    assert sql("SELECT id FROM cases WHERE process_id = 'stall_permit_fee'") == []


def test_an_unknown_decision_is_refused_naming_task_and_decision(bus: MessageBus, sql: Sql) -> None:
    before = sql("SELECT id FROM process_versions")
    with pytest.raises(ProcessInvalid) as refused:
        deploy(bus, **{'camunda:decisionRef="stall_terms"': 'camunda:decisionRef="stall_permit_terms"'})
    assert "set_terms" in refused.value.message and "'stall_permit_terms'" in refused.value.message
    assert sql("SELECT id FROM process_versions") == before


def test_a_decision_chosen_at_run_time_is_refused(bus: MessageBus) -> None:
    with pytest.raises(ProcessInvalid, match=r"set_terms.*chosen at run time"):
        deploy(bus, **{'camunda:decisionRef="stall_terms"': 'camunda:decisionRef="${termsDecision}"'})
