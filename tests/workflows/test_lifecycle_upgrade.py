"""Upgrading the deployed lifecycle: cases started on the version before issue 19 (no 回退审批, no 协办, no notify
steps) still complete after this version is deployed, whether they stay on their version or are migrated where the
version migration finds it safe; element ids of the old version were kept, none renamed."""

from __future__ import annotations

import re
from pathlib import Path

from fixture_types import Problems
from lifecycle import DISPOSED, Case, close, cst, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.migration import migrate_cases

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "tests" / "fixtures" / "lifecycle" / "case_lifecycle_before_issue19.bpmn"


def deploy(bus: MessageBus, text: str) -> None:
    bus.handle(DeployProcesses({"case_lifecycle.bpmn": text, **read_sources([ROOT / "rules"])}, "tests"))


def version_of(case: Case) -> int:
    (row,) = case._rows("SELECT v.number FROM cases c JOIN process_versions v ON v.id = c.process_version_id"
                        " WHERE c.id = :id")
    return int(row.number)


NODE_IDS = re.compile(r'<bpmn:(?:userTask|scriptTask|businessRuleTask|subProcess|startEvent|endEvent|boundaryEvent|'
                      r'exclusiveGateway)\b[^>]*\bid="([^"]+)"')


def ids(text: str) -> set[str]:
    """The ids of the model's tasks, events, subprocesses and gateways."""
    return set(NODE_IDS.findall(text))


def test_no_element_id_of_the_old_version_was_renamed() -> None:
    old, new = ids(BEFORE.read_text("utf-8")), ids((ROOT / "workflows" / "case_lifecycle.bpmn").read_text("utf-8"))
    assert old and old - new == set()


def test_old_cases_complete_after_the_new_version_is_deployed(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                               chain_problems: Problems) -> None:
    clock.set(cst(2, 9))
    deploy(city_bus, BEFORE.read_text("utf-8"))
    returned, reworked, waiting = (to_disposal(city_bus, db) for _ in range(3))
    old = version_of(returned)
    deploy(city_bus, (ROOT / "workflows" / "case_lifecycle.bpmn").read_text("utf-8"))
    fresh = start(city_bus, db, report())
    assert version_of(fresh) > old and version_of(returned) == old
    # On the old version a return still goes straight back to the dispatcher, a rework to the department.
    returned.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    assert set(returned.ready()) == {"confirm_dispatch"}
    returned.complete("confirm_dispatch", {"dispatch": {}})
    returned.complete("dispose_problem", DISPOSED)
    assert close(returned)["returns"] == 1
    reworked.complete("dispose_problem", DISPOSED)
    reworked.complete("check_on_site", {"check": {"passed": False, "note": "仍有残留"}})
    reworked.complete("dispose_problem", DISPOSED)
    assert close(reworked)["reworks"] == 1
    # The version migration refuses to move a case whose completed steps the new version changed (their scripts and
    # properties did): the case stays on its version, where a return still needs no approval, and completes there.
    (plan,) = [p for p in migrate_cases(city_bus, "case_lifecycle", version_of(fresh), "designer01")
               if p.case_id == waiting.case_id]
    assert not plan.migrated and "completed task record_dispatch changed (script)" in plan.reasons
    waiting.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    assert version_of(waiting) == old and set(waiting.ready()) == {"confirm_dispatch"}
    waiting.complete("confirm_dispatch", {"dispatch": {}})
    waiting.complete("dispose_problem", DISPOSED)
    evaluation = close(waiting)
    assert evaluation["returns"] == 1 and evaluation.get("co_handling", []) == []
    assert [chain_problems(c.case_id) for c in (returned, reworked, waiting)] == [[], [], []]
