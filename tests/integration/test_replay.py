"""Audit replay on SQLite and PostgreSQL (issue 6): lifecycle cases worked by the demo city's people — rework
(返工), return (回退), extension (延期), suspension (挂账), timers fired by the scheduler, voiding, a migrated
case — re-run to the identical events; tampering with the stored log is detected, each kind on its own case,
with the divergence naming the event and field.

A row edited in place breaks its hash, so the chain names the event (field ``hash``). A history rewritten and
re-hashed consistently from the start passes the chain: then a checkpoint that saw the real head catches it,
or, when none has yet, the re-run names the first event and field that the recorded inputs do not produce.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import replay_support as rs
from replay_support import DEPT, DEPT_2, DISPOSED, PARKS_DEPT, Case, close, cst, later, start, to_disposal

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.audit.chain import Divergence
from engine.domain.clock import FakeClock
from engine.domain.errors import NotFound
from engine.service.audit.checkpoints import verify_checkpoints
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.migration import migrate_cases
from web.settings import Settings

MIGRATE = Path(__file__).resolve().parents[1] / "fixtures" / "migrate"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(cst(2, 9))


@pytest.fixture
def bus(city: str, clock: FakeClock) -> Iterator[MessageBus]:
    """The engine over the module's seeded city (lifecycle deployed), every step checked against a reload."""
    bus = bootstrap(city, clock, verify_state=True, working_time=Settings.from_env({}).working_time())
    yield bus
    bus.deps.db.dispose()


def verdict(case: Case) -> Divergence | None:
    result = verify_case(case.bus.deps, case.case_id)
    assert result.events == len(case.events())
    return result.divergence


# ---- every path verifies ------------------------------------------------------------------------------

def reworked(case: Case) -> set[str]:
    to_disposal(case)
    case.claim("dispose_problem", DEPT)
    case.claim("dispose_problem", DEPT, give_back=True)
    case.claim("dispose_problem", DEPT_2)
    case.complete("dispose_problem", DISPOSED, DEPT_2, 40)
    case.complete("check_on_site", {"check": {"passed": False, "note": "地面仍有残留"}}, "collector001")
    case.complete("dispose_problem", DISPOSED, DEPT, 20)
    close(case)
    return {"task_claimed", "task_unclaimed", "case_closed"}


def returned(case: Case) -> set[str]:
    to_disposal(case)
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}}, DEPT)
    case.complete("review_return", {"return_review": {"approved": True}}, "shiftlead01")  # 回退审批
    case.complete("confirm_dispatch", {"dispatch": {"department": "350602-D05", "reason": "属园林管养"}},
                  "dispatcher01")
    case.complete("dispose_problem", DISPOSED, PARKS_DEPT, 30)
    close(case)
    return {"deadline_moved", "case_closed"}


def extended(case: Case) -> set[str]:
    to_disposal(case)
    case.complete("dispose_problem", {"disposal": {"outcome": "extension", "reason": "垃圾量大，需调派车辆",
                                                   "extension_amount": 2}}, DEPT)
    case.complete("review_extension", {"extension_review": {"approved": True}}, "shiftlead01")
    case.complete("dispose_problem", DISPOSED, DEPT, 90)
    close(case)
    return {"extension_granted", "deadline_moved", "case_closed"}


def suspended(case: Case) -> set[str]:
    to_disposal(case)
    case.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "待供电部门断电后清理"}}, DEPT)
    case.complete("review_suspension", {"suspension_review": {"approved": True}}, "shiftlead01")
    case.clock.set(cst(3, 9))
    assert case.fire_due() == 0  # nothing runs out while suspended
    case.complete("resume_disposal", {}, "shiftlead01")
    case.complete("dispose_problem", DISPOSED, DEPT, 30)
    close(case)
    return {"case_suspended", "case_resumed", "deadline_moved", "case_closed"}


def overdue(case: Case) -> set[str]:
    to_disposal(case)
    for moment in (cst(2, 11, 6), cst(2, 11, 30)):  # dispatched 09:30: the 80 % warning, then the deadline
        case.clock.set(moment)
        assert case.fire_due() == 1
    case.complete("acknowledge_warning", {"note": "已安排车辆"}, DEPT)
    case.complete("supervise_overdue", {"note": "已电话督办"}, "supervisor01")
    case.complete("dispose_problem", DISPOSED, DEPT)
    close(case, "overdue")
    fired = [e for e in case.events() if e.event_type == "timer_fired"]
    assert len(fired) == 2
    assert {(e.actor, e.actor_kind, e.command) for e in fired} == {("scheduler", "scheduler", "fire_timer")}
    return {"timer_fired", "timer_cancelled", "case_closed"}


def voided(case: Case) -> set[str]:
    case.complete("verify_report", {"verification": {"found": False, "note": "现场无垃圾"}}, "collector002")
    case.complete("file_or_void", {"filing": {"decision": "void", "void_reason": "invalid"}}, "shiftlead01")
    return {"case_voided"}


@pytest.mark.parametrize("path", [reworked, returned, extended, suspended, overdue, voided])
def test_every_lifecycle_path_replays_to_the_identical_events(bus: MessageBus, clock: FakeClock,
                                                              path: Callable[[Case], set[str]]) -> None:
    case = start(bus, clock)
    expected = path(case)
    assert case.status == "completed"
    kinds = {e.event_type for e in case.events()}
    assert expected <= kinds, expected - kinds
    assert len({e.actor for e in case.events()}) >= 3  # several people (and the scheduler) acted
    assert verdict(case) is None


def test_an_open_case_replays_too(bus: MessageBus, clock: FakeClock) -> None:
    case = to_disposal(start(bus, clock))
    case.claim("dispose_problem", DEPT)
    assert case.status == "running" and verdict(case) is None


def test_a_migrated_case_replays_on_both_versions(bus: MessageBus, clock: FakeClock) -> None:
    def version(number: int) -> None:
        text = (MIGRATE / f"migrate_demo_v{number}.bpmn").read_text(encoding="utf-8")
        bus.handle(c.DeployProcesses({"migrate_demo.bpmn": text}, "designer01"))

    version(1)
    case = Case(bus, clock, bus.handle(c.StartCase("migrate_demo", {"report": "pit"}, "seat01")).case_id)
    version(2)
    clock.advance(minutes=5)
    (moved,) = [p for p in migrate_cases(bus, "migrate_demo", 2, "designer01") if p.case_id == case.case_id]
    assert moved.outcome == "migrated"
    for task in ("task_a", "task_b", "task_c"):
        case.complete(task, {}, "worker01")
    assert case.status == "completed"
    assert len({e.process_version_id for e in case.events()}) == 2
    assert verdict(case) is None


# ---- tampering: a row edited in place -------------------------------------------------------------------

def closed_case(bus: MessageBus, clock: FakeClock) -> Case:
    """A reworked, claimed and closed case: the log that is then tampered with."""
    case = start(bus, clock)
    reworked(case)
    assert verdict(case) is None
    return case


EDITS: list[tuple[str, str, Callable[[Case, int], dict[str, object]]]] = [
    ("data", "case_started", lambda case, s: {"data": case.events()[s - 1].data.replace("路边暴露垃圾", "路边垃圾")}),
    ("data", "task_completed", lambda case, s: {"data": json.dumps({"check": {"passed": True}})}),
    ("time", "task_completed", lambda case, s: {"occurred_at": later(case.events()[s - 1].occurred_at)}),
    ("time", "case_completed", lambda case, s: {"occurred_at": later(case.events()[s - 1].occurred_at, -60)}),
    ("actor", "task_completed", lambda case, s: {"actor": "mallory"}),
    ("actor", "data_changed", lambda case, s: {"actor": "shiftlead02"}),
    ("actor_kind", "task_claimed", lambda case, s: {"actor_kind": "api_client"}),
    ("actor_kind", "timer_waiting", lambda case, s: {"actor_kind": "scheduler"}),
    ("event_type", "task_ready", lambda case, s: {"event_type": "task_cancelled"}),
    ("event_type", "case_closed", lambda case, s: {"event_type": "case_voided"}),
]


@pytest.mark.parametrize(("what", "row", "edit"), EDITS, ids=[f"{w}-{r}" for w, r, _ in EDITS])
def test_a_row_edited_in_place_is_named_by_its_broken_hash(bus: MessageBus, clock: FakeClock, what: str, row: str,
                                                          edit: Callable[[Case, int], dict[str, object]]) -> None:
    case = closed_case(bus, clock)
    seq = case.seq(row, "check_on_site" if row == "task_completed" else None)
    rs.update_event(case, seq, **edit(case, seq))
    found = verdict(case)
    assert found is not None, what
    assert (found.seq, found.field) == (seq, "hash"), found.describe()
    assert found.found == case.events()[seq - 1].hash != found.expected


def test_a_deleted_event_is_named_by_the_gap(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    seq = case.seq("task_ready", "check_on_site")
    rs.execute(case.db, ("DELETE FROM case_events WHERE case_id = ? AND seq = ?", (case.case_id, seq)))
    found = verdict(case)
    assert found is not None
    assert (found.seq, found.field, found.expected, found.found) == (seq + 1, "seq", seq, seq + 1)


def test_a_deleted_last_event_is_caught_by_the_case_head(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    last = case.events()[-1]
    rs.execute(case.db, ("DELETE FROM case_events WHERE case_id = ? AND seq = ?", (case.case_id, last.seq)))
    found = verdict(case)
    assert found is not None
    assert (found.seq, found.field) == (None, "cases.last_event_seq/last_event_hash")
    assert found.found == (last.seq, last.hash)


def test_a_reordered_pair_of_events_is_detected(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    seq = case.seq("task_completed", "check_on_site")
    rs.execute(case.db, *((f"UPDATE case_events SET seq = {new} WHERE case_id = ? AND seq = {old}", (case.case_id,))
                       for old, new in ((seq, -1), (seq + 1, seq), (-1, seq + 1))))
    found = verdict(case)
    assert found is not None
    assert (found.seq, found.field) == (seq, "prev_hash"), found.describe()


# ---- tampering: a history rewritten and re-hashed from the start ----------------------------------------

def test_a_consistently_rehashed_form_value_is_caught_by_the_re_run(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    events = case.events()
    seq = case.seq("task_completed", "dispose_problem")
    events[seq - 1] = replace(events[seq - 1], data=events[seq - 1].data.replace("已清运", "未清运"))
    rs.forge(case, events)
    changed = next(e.seq for e in case.events()[seq:] if e.event_type == "data_changed")
    found = verdict(case)
    assert found is not None
    assert (found.seq, found.event_type, found.field) == (changed, "data_changed", "data.changes.disposal.result")
    assert (found.expected[1], found.found[1]) == ("未清运", "已清运")  # what the recorded input gives vs the log


def test_after_a_checkpoint_a_rehashed_history_is_caught_by_the_checkpoint(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    written = bus.handle(c.WriteAuditCheckpoint())
    events = case.events()
    seq = case.seq("task_completed", "dispose_problem", nth=1)
    events[seq - 1] = replace(events[seq - 1], data=events[seq - 1].data.replace("已清运", "未清运"))
    rs.forge(case, events)
    found = verdict(case)
    assert found is not None
    assert (found.seq, found.field) == (len(events), f"audit_checkpoints[{written.checkpoint_id}]")
    mine = [p for p in verify_checkpoints(bus.deps) if p.field == f"case {case.case_id}"]
    assert [(p.seq, p.found) for p in mine] == [(len(events), case.events()[-1].hash)]


REWRITES: list[tuple[str, str, str, Callable[[Case, int], dict[str, object]]]] = [
    ("actor", "task_completed", "actor", lambda case, s: {"actor": "mallory"}),  # who completed a claimed task
    ("actor", "task_ready", "actor", lambda case, s: {"actor": "shiftlead02"}),
    ("time", "task_ready", "occurred_at", lambda case, s: {"occurred_at": later(case.events()[s - 1].occurred_at)}),
    ("actor_kind", "task_ready", "actor_kind", lambda case, s: {"actor_kind": "api_client"}),
    ("event_type", "task_ready", "event_type", lambda case, s: {"event_type": "task_cancelled"}),
]


@pytest.mark.parametrize(("what", "row", "field", "edit"), REWRITES, ids=[w + "-" + r for w, r, _, _ in REWRITES])
def test_a_rehashed_edit_is_named_by_the_re_run(bus: MessageBus, clock: FakeClock, what: str, row: str, field: str,
                                                edit: Callable[[Case, int], dict[str, object]]) -> None:
    case = closed_case(bus, clock)
    seq = case.seq(row, "dispose_problem", nth=0 if row == "task_completed" else 1)
    events = case.events()
    events[seq - 1] = replace(events[seq - 1], **edit(case, seq))
    rs.forge(case, events)
    found = verdict(case)
    assert found is not None, what
    assert (found.seq, found.field) == (seq, field), found.describe()


def test_rehashed_deletions_and_swaps_are_caught_by_the_re_run(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    original = case.events()
    seq = case.seq("task_ready", "check_on_site")  # inside the disposal's step, data_changed follows
    rs.forge(case, [*original[:seq - 1], *original[seq:]])
    dropped = verdict(case)
    assert dropped is not None and (dropped.seq, dropped.field) == (seq, "event_type"), dropped
    swapped = [*original[:seq - 1], original[seq], original[seq - 1], *original[seq + 1:]]
    rs.forge(case, swapped)
    reordered = verdict(case)
    assert reordered is not None and (reordered.seq, reordered.field) == (seq, "event_type"), reordered


def test_a_deleted_case_history_is_caught_by_the_checkpoints(bus: MessageBus, clock: FakeClock) -> None:
    case = closed_case(bus, clock)
    head = case.events()[-1]
    written = bus.handle(c.WriteAuditCheckpoint())
    assert written.checkpoint_id is not None and written.cases >= 1
    assert [p for p in verify_checkpoints(bus.deps) if p.field == f"case {case.case_id}"] == []
    rs.delete_history(case)
    with pytest.raises(NotFound):
        verify_case(bus.deps, case.case_id)
    (problem,) = [p for p in verify_checkpoints(bus.deps) if p.field == f"case {case.case_id}"]
    assert (problem.seq, problem.expected, problem.found) == (head.seq, head.hash, None)
    assert "history deleted or rewritten" in problem.reason
