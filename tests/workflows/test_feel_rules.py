"""Business rule tasks run FEEL decision tables (DMN 1.3 semantics), stored with the process version."""

from __future__ import annotations

import json

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.errors import ScriptRejected
from engine.service.bus import MessageBus


def _start(bus: MessageBus, subtype: str, district: str, urgency: str) -> c.Command:
    report = {"subtype": subtype, "district": district, "urgency": urgency}
    return bus.handle(c.StartCase("triage", {"report": report}, "seat"))


@pytest.mark.parametrize(("subtype", "district", "urgency", "department", "limit"), [
    ("0601", "350602", "urgent", "xiangcheng_sanitation", 2),  # needs the required decision's level 1
    ("0601", "350602", "normal", "xiangcheng_sanitation", 4),  # level 2 falls in [2..3]
    ("0601", "350603", "urgent", "district_sanitation", 4),  # not("350602")
])
def test_the_decision_routes_the_case(each_bus: MessageBus, sql: Sql, subtype: str, district: str, urgency: str,
                                      department: str, limit: int) -> None:
    ref = _start(each_bus, subtype, district, urgency)
    (task,) = sql("SELECT candidate_group FROM human_tasks WHERE id = :id", id=ref.ready_tasks[0])
    assert task.candidate_group == department
    rows = sql("SELECT d.data FROM workflow_tasks t JOIN task_data d ON d.case_id = t.case_id"
               " AND d.hash = t.data_hash WHERE t.case_id = :id AND t.spec_name = 'dispose_problem'", id=ref.case_id)
    data = json.loads(rows[0].data)
    assert (data["department"], data["limit_hours"]) == (department, limit)


def test_a_unique_table_with_two_matches_refuses_the_step_naming_the_rules(bus: MessageBus, sql: Sql) -> None:
    with pytest.raises(ScriptRejected, match=r"manhole_overlap_a.*manhole_overlap_b"):
        _start(bus, "0107", "350603", "normal")
    assert sql("SELECT COUNT(*) AS n FROM cases")[0].n == 0  # nothing half-written


def test_the_rules_are_pinned_in_the_process_version(bus: MessageBus, sql: Sql) -> None:
    (version,) = sql("SELECT sources, spec_json FROM process_versions WHERE process_id = 'triage'")
    assert sorted(json.loads(version.sources)) == ["triage.bpmn", "triage_rules.dmn"]
    assert '"decision_id":"disposal_route"' in version.spec_json
