"""Issue 15: the engine knows no lifecycle task id. The lifecycle with every element id renamed (its milestone
properties kept) runs the same cases to the same facts, summaries, KPIs, lights and replay frames."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lifecycle import DISPOSED, NOTIFYING, Case, cst, fire_due, report, send_notifications, start
from renamed import LIFECYCLE, ROOT, renamed_lifecycle, renames
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.grids.index import GridIndex
from city.kpi.ranking import monthly_report
from engine.domain import milestones as m
from engine.domain.audit.frames import frames
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.persistence.db import as_utc, create_db_engine
from engine.persistence.migrate import upgrade_database
from engine.persistence.repositories import audit as audit_store
from engine.service.audit.queries import case_history
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

PARKS = "350602-D05"
ID_FIELDS = ("completed", "active", "overdue")


@dataclass
class Run:
    """One database with one version of the lifecycle, driven by the original BPMN ids (``ids`` translates)."""

    bus: MessageBus
    db: Engine
    clock: FakeClock
    ids: dict[str, str]  # original BPMN id → this version's

    def walk(self, case: Case) -> Walk:
        return Walk(case, self.ids)


@dataclass
class Walk:
    """A case acted on by the original BPMN ids."""

    case: Case
    ids: dict[str, str]

    def ready(self) -> set[str]:
        back = {new: old for old, new in self.ids.items()}
        return {back[bpmn_id] for bpmn_id in self.case.ready()}

    def complete(self, bpmn_id: str, data: dict[str, Any], actor: str) -> None:
        self.case.complete(self.ids.get(bpmn_id, bpmn_id), data, actor)
        if bpmn_id in NOTIFYING:  # the notify steps after it (by the original id), sent as the scheduler would
            send_notifications(self.case.bus)


@pytest.fixture
def original(make_city_bus: Callable[..., MessageBus], db: Engine, clock: FakeClock) -> Run:
    bus = make_city_bus()
    return Run(bus, db, clock, {bpmn_id: bpmn_id for bpmn_id in renames(LIFECYCLE.read_text("utf-8"))})


@pytest.fixture
def renamed(tmp_path: Path, city_grid: GridIndex) -> Iterator[Run]:
    """Its own database, clock and bus, with the renamed lifecycle and the same rules and forms."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'renamed.db'}")
    upgrade_database(engine)
    clock = FakeClock()
    bus = bootstrap(engine, clock, verify_state=True, grid_index=city_grid,  # forms unchecked, as make_city_bus
                    working_time=Settings.from_env({}).working_time(), workflows_dir=None)
    text = LIFECYCLE.read_text("utf-8")
    ids = renames(text)
    bus.handle(DeployProcesses({"case_lifecycle.bpmn": renamed_lifecycle(text, ids), **read_sources([ROOT / "rules"])},
                               "tests", forms_dir=ROOT / "workflows"))
    yield Run(bus, engine, clock, ids)
    engine.dispose()


def to_disposal(run: Run, data: dict[str, Any], dispatch: dict[str, Any] | None = None) -> Walk:
    walk = run.walk(start(run.bus, run.db, data))
    if "verify_report" in walk.ready():
        walk.complete("verify_report", {"verification": {"found": True}}, "collector001")
    walk.complete("file_or_void", {"filing": {"decision": "file"}}, "shiftlead01")
    walk.complete("confirm_dispatch", {"dispatch": dispatch or {}}, "dispatcher01")
    return walk


def check_and_close(walk: Walk, passed: bool = True) -> None:
    walk.complete("check_on_site", {"check": {"passed": passed}}, "collector002")
    if passed:
        walk.complete("close_case", {"closing": {"close_type": "normal"}}, "shiftlead01")


def scenarios(run: Run) -> None:
    """Every path the facts, KPIs and frames read: closed on time, reworked, returned, extended, suspended
    (open and resumed), voided, overdue with supervision, and cases left waiting at each kind of step."""
    run.clock.set(cst(2, 9))
    happy = to_disposal(run, report())
    run.clock.set(cst(2, 10))
    happy.complete("dispose_problem", DISPOSED, "dept01")
    check_and_close(happy)
    rework = to_disposal(run, report(channel="patrol", reporter="collector003"))
    rework.complete("dispose_problem", DISPOSED, "dept01")
    check_and_close(rework, passed=False)
    rework.complete("dispose_problem", DISPOSED, "dept01")
    check_and_close(rework)
    returned = to_disposal(run, report())
    returned.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}}, "dept01")
    returned.complete("review_return", {"return_review": {"approved": True}}, "shiftlead01")
    returned.complete("confirm_dispatch", {"dispatch": {"department": PARKS, "reason": "属园林管养"}}, "dispatcher02")
    returned.complete("dispose_problem", DISPOSED, "parks01")
    check_and_close(returned)
    extended = to_disposal(run, report())
    extended.complete("dispose_problem", {"disposal": {"outcome": "extension", "reason": "垃圾量大",
                                                       "extension_amount": 2}}, "dept01")
    extended.complete("review_extension", {"extension_review": {"approved": True}}, "shiftlead01")
    suspended = to_disposal(run, report())
    suspended.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "待断电"}}, "dept01")
    suspended.complete("review_suspension", {"suspension_review": {"approved": True}}, "shiftlead01")
    resumed = to_disposal(run, report())
    resumed.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "待断电"}}, "dept01")
    resumed.complete("review_suspension", {"suspension_review": {"approved": True}}, "shiftlead01")
    voided = run.walk(start(run.bus, run.db, report(channel="patrol", reporter="collector003")))
    voided.complete("file_or_void", {"filing": {"decision": "void", "void_reason": "invalid"}}, "shiftlead01")
    waiting_check = to_disposal(run, report())
    waiting_check.complete("dispose_problem", DISPOSED, "dept01")
    late = to_disposal(run, report())
    run.clock.set(cst(2, 15))
    resumed.complete("resume_disposal", {}, "shiftlead01")
    run.clock.set(cst(2, 17, 30))
    fire_due(run.bus)
    late.complete("supervise_overdue", {"note": "已电话督办"}, "supervisor01")
    run.clock.set(cst(3, 9))
    resumed.complete("dispose_problem", DISPOSED, "dept01")
    check_and_close(resumed)
    extended.complete("dispose_problem", DISPOSED, "dept01")
    run.clock.set(cst(3, 10))


def rows(run: Run, statement: str) -> list[tuple[Any, ...]]:
    with run.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(statement))]


def lights(run: Run) -> dict[int, str | None]:
    """Each case's light now, from its summary and its ready tasks' milestones (what the case page shows)."""
    ready: dict[int, list[str]] = {}
    for case_id, bpmn_id in rows(run, "SELECT case_id, bpmn_id FROM human_tasks WHERE state = 'ready'"):
        ready.setdefault(case_id, []).append(bpmn_id)
    out = {}
    for case_id, status, version_id, due, warn in rows(run, "SELECT c.id, c.status, c.process_version_id, s.due_at,"
                                                            " s.warn_at FROM cases c JOIN case_summaries s"
                                                            " ON s.case_id = c.id ORDER BY c.id"):
        with run.bus.deps.uow(read_only=True) as uow:
            declared = run.bus.deps.spec(uow, version_id).milestones
        out[case_id] = m.deadline_light(as_utc(due), as_utc(warn), run.clock.now(), ready=ready.get(case_id, []),
                                        milestones=declared, ended=status == "completed")
    return out


def replay_frames(run: Run, case_id: int) -> list[dict[str, Any]]:
    """The case's frames, BPMN ids translated back to the original ones."""
    deps, back = run.bus.deps, {new: old for old, new in run.ids.items()}
    history = case_history(deps, case_id)
    assert history is not None
    with deps.uow(read_only=True) as uow:
        declared = m.merged(*(deps.spec(uow, v).milestones
                              for v in {e["process_version_id"] for e in history["events"]}))
    found = frames(history["events"], completed=history["status"] == "completed", milestones=declared)
    for frame in found:
        frame["bpmn_id"] = back.get(frame["bpmn_id"], frame["bpmn_id"])
        frame["label"] = frame["label"].rpartition(" · ")[0] + f" · {frame['bpmn_id']}" if frame["bpmn_id"] \
            else frame["label"]
        for key in ID_FIELDS:
            frame[key] = sorted(back.get(bpmn_id, bpmn_id) for bpmn_id in frame[key])
        frame["counts"] = dict(sorted((back.get(k, k), v) for k, v in frame["counts"].items()))
        frame.pop("request_id")  # each run's timer firings have ids of their own
    return found


def test_a_renamed_lifecycle_gives_the_same_facts_kpis_lights_and_frames(original: Run, renamed: Run) -> None:
    assert set(renamed.ids.values()).isdisjoint(original.ids)  # every element id changed
    for run in (original, renamed):
        scenarios(run)
    facts = rows(original, "SELECT * FROM case_facts ORDER BY case_no")
    assert len(facts) == 9 and facts == rows(renamed, "SELECT * FROM case_facts ORDER BY case_no")
    doers = rows(original, "SELECT verifier, dispatcher, checker FROM case_facts ORDER BY case_no")
    assert ("collector001", "dispatcher01", "collector002") in doers  # the role doers come from the milestones
    summaries = "SELECT * FROM case_summaries ORDER BY case_id"
    assert rows(original, summaries) == rows(renamed, summaries)
    now = original.clock.now()
    report_of = json.dumps(monthly_report(original.bus.deps, "2026-11", now), sort_keys=True, default=str)
    assert report_of == json.dumps(monthly_report(renamed.bus.deps, "2026-11", now), sort_keys=True, default=str)
    shown = lights(original)
    # case 5 waits to resume (挂账: grey), 8 for its on-site check (the deadline stopped), 9 is overdue
    assert (shown[5], shown[8], shown[9]) == ("grey", None, "red") and shown == lights(renamed)
    with original.bus.deps.uow(read_only=True) as uow:
        case_ids = audit_store.case_ids(uow.store)
    for case_id in case_ids:
        assert replay_frames(original, case_id) == replay_frames(renamed, case_id), case_id
        assert verify_case(renamed.bus.deps, case_id).verified, case_id
