"""Cut-over after review: concurrent imports of one file, hostile CSV, disabled departments, numbers repeated
across batches (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cutover_support import BASE, DEPARTMENT, case_of, new_bus, sql, write_rows

from city.history.csvfile import MAX_LINE
from city.history.importer import HistoryFileError, import_file
from engine.domain import commands as c
from engine.persistence.db import as_utc
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus


@pytest.fixture
def cut_bus(city: str) -> Iterator[MessageBus]:
    made = new_bus(city)
    yield made
    made.deps.db.dispose()


def test_two_imports_of_one_file_at_once_import_each_case_once(city: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "c.csv", [{**BASE, "case_no": f"CON-{i}", "result": "disposal"} for i in range(12)])
    buses = [new_bus(city), new_bus(city)]
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = import_file(buses[i], path, open_batch=12)
        except Exception as exc:  # the thread's failure is the test's: kept and asserted below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = sql(buses[0], "SELECT COUNT(*) FROM cases WHERE external_id LIKE 'CON-%'")[0][0]
    for made in buses:
        made.deps.db.dispose()
    assert count == 12
    assert sorted((sum(r.open.values()), r.present, r.bad) for r in results) == [(0, 12, 0), (12, 0, 0)], results


def test_a_field_over_the_csv_limit_names_its_line(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "H-1", "result": "filing"},
            {**BASE, "case_no": "H-3", "result": "filing", "description": "x" * 200_000}]
    path = write_rows(tmp_path / "h.csv", rows)
    with pytest.raises(HistoryFileError, match="line 3"):
        import_file(bus, path)


def test_a_line_without_end_is_refused_at_its_limit(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    path = write_rows(tmp_path / "l.csv", [])
    with path.open("a", encoding="utf-8") as out:
        out.write("y" * (MAX_LINE + 10))
    with pytest.raises(HistoryFileError, match="line 2: longer than"):
        import_file(bus, path)


def test_a_control_character_is_a_bad_row_naming_its_column(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "N-1", "result": "filing", "description": "a\x00b<script>"},
            {**BASE, "case_no": "N-2", "result": "filing", "description": "ok\x07"},
            {**BASE, "case_no": "N-3", "result": "filing"}]
    summary = import_file(bus, write_rows(tmp_path / "n.csv", rows))
    assert summary.open == {"filing": 1}
    assert [(line, message.split(":")[0]) for line, message in summary.errors] == [(2, "description"),
                                                                                  (3, "description")]
    assert "U+0000" in summary.errors[0][1]


def test_a_disabled_department_is_refused(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    with bus.deps.db.begin() as conn:
        conn.execute(sa.text("INSERT INTO disabled_entries (kind, key, disabled_at, disabled_by)"
                             " VALUES ('department', :d, :t, 'admin')"),
                     {"d": DEPARTMENT, "t": datetime(2026, 11, 1, tzinfo=UTC)})
    try:
        rows = [{**BASE, "case_no": "DIS-1", "result": "disposal"}]
        summary = import_file(bus, write_rows(tmp_path / "d.csv", rows))
    finally:  # the module's city is shared: the department is enabled again for the other tests
        with bus.deps.db.begin() as conn:
            conn.execute(sa.text("DELETE FROM disabled_entries WHERE kind = 'department' AND key = :d"),
                         {"d": DEPARTMENT})
    assert (summary.open, summary.bad) == ({}, 1)
    assert summary.errors[0][1].startswith("department:")


def test_a_number_repeated_in_a_later_batch_is_named_with_its_first_line(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "REP-1", "result": "filing"}, {**BASE, "case_no": "REP-2", "result": "filing"},
            {**BASE, "case_no": "REP-1", "result": "filing"}]
    summary = import_file(bus, write_rows(tmp_path / "r.csv", rows), open_batch=1)
    assert (summary.open, summary.present) == ({"filing": 2}, 0), summary.errors
    assert summary.errors == [(4, "case_no: REP-1 appears earlier in this file (line 2)")]
    assert case_of(bus, "REP-1")


def test_an_assignee_must_be_an_enabled_user_of_the_tasks_group(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    with bus.deps.db.begin() as conn:
        conn.execute(sa.text("INSERT INTO disabled_entries (kind, key, disabled_at, disabled_by)"
                             " VALUES ('user', 'shiftlead03', :t, 'admin')"), {"t": datetime(2026, 11, 1, tzinfo=UTC)})
    rows = [{**BASE, "case_no": "ASG-1", "result": "filing", "assignee": "nobody_at_all"},
            {**BASE, "case_no": "ASG-2", "result": "disposal", "assignee": "shiftlead01"},  # not of the department
            {**BASE, "case_no": "ASG-3", "result": "filing", "assignee": "shiftlead03"},  # disabled
            {**BASE, "case_no": "ASG-4", "result": "disposal", "assignee": "dept_350602d05_01"}]
    try:
        summary = import_file(bus, write_rows(tmp_path / "a.csv", rows), open_batch=4)
    finally:  # the module's city is shared
        with bus.deps.db.begin() as conn:
            conn.execute(sa.text("DELETE FROM disabled_entries WHERE kind = 'user' AND key = 'shiftlead03'"))
    assert summary.open == {"disposal": 1}  # the batch retried without each refused row
    assert sorted(summary.errors) == [
        (2, "result (filing): assignee: nobody_at_all is no enabled user (unknown or disabled)"),
        (3, f"result (disposal): assignee: shiftlead01 does not work the group {DEPARTMENT} of the waiting task"),
        (4, "result (filing): assignee: shiftlead03 is no enabled user (unknown or disabled)")]
    assert sql(bus, "SELECT external_id FROM cases WHERE external_id LIKE 'ASG-%'") == [("ASG-4",)]


def test_the_import_claims_for_the_assignee_and_the_replay_verifies(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "CLM-1", "result": "filing", "assignee": "shiftlead01"}]
    assert import_file(bus, write_rows(tmp_path / "k.csv", rows)).open == {"filing": 1}
    case_id = case_of(bus, "CLM-1")
    ((actor, kind, data),) = sql(bus, "SELECT actor, actor_kind, data FROM case_events WHERE case_id = :i"
                                      " AND event_type = 'task_claimed'", i=case_id)
    assert (actor, kind, json.loads(data)) == ("import", "system", {"assignee": "shiftlead01"})
    (task,) = sql(bus, "SELECT id, assignee FROM human_tasks WHERE case_id = :i AND state = 'ready'", i=case_id)
    assert task.assignee == "shiftlead01"
    bus.handle(c.CompleteHumanTask(task.id, {"filing": {"decision": "file", "note": "立案"}}, "shiftlead01"))
    verdict = verify_case(bus.deps, case_id)  # the holder the replay knows is the assignee, not import
    assert (verdict.verified, verdict.divergence) == (True, None)


def test_at_disposal_the_step_deadline_is_the_disposal_deadline(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    step_due = "2026-11-04T13:00:00+08:00"  # not BASE's (write_rows leaves that out of disposal rows)
    rows = [{**BASE, "case_no": "SD-1", "result": "disposal", "due_at": "", "step_due_at": step_due},
            {**BASE, "case_no": "SD-2", "result": "disposal", "step_due_at": "2026-11-04T14:00:00+08:00"},
            {**BASE, "case_no": "SD-3", "result": "filing", "due_at": "2026-11-05T18:00:00+08:00"}]
    summary = import_file(bus, write_rows(tmp_path / "s.csv", rows))
    assert summary.open == {"disposal": 1, "filing": 1}
    assert summary.errors == [(3, "step_due_at: at disposal (处置) the step's deadline is due_at; the two differ")]
    (timer,) = sql(bus, "SELECT due_at FROM timers WHERE case_id = :i AND bpmn_id = 'disposal_overdue'"
                        " AND status = 'pending'",
                   i=case_of(bus, "SD-1"))
    assert as_utc(timer.due_at) == datetime.fromisoformat(step_due)
    # before 派遣 a legacy disposal deadline is not the case's: not kept, so the case page does not show it
    ((history,),) = sql(bus, "SELECT history_json FROM imported_cases WHERE legacy_no = 'SD-3'")
    assert "due_at" not in json.loads(history)


def test_role_kpis_count_the_legacy_people_not_the_import(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "KPI-1", "result": "closing", "verifier": "legacy_v", "dispatcher": "legacy_d"}]
    assert import_file(bus, write_rows(tmp_path / "kpi.csv", rows)).open == {"closing": 1}
    ((verifier, dispatcher, checker),) = sql(bus, "SELECT verifier, dispatcher, checker FROM case_facts"
                                                  " WHERE case_id = :i", i=case_of(bus, "KPI-1"))
    assert (verifier, dispatcher, checker) == ("legacy_v", "legacy_d", None)  # no checker named: nobody


def test_the_summary_counts_the_cases_already_overdue(cut_bus: MessageBus, tmp_path: Path) -> None:
    bus = cut_bus
    rows = [{**BASE, "case_no": "OD-1", "result": "disposal", "due_at": "2026-10-30T18:00:00+08:00"},  # passed
            {**BASE, "case_no": "OD-2", "result": "filing", "step_due_at": "2026-10-29T09:00:00+08:00"},  # passed
            {**BASE, "case_no": "OD-3", "result": "check"}]  # its disposal deadline passed, not its step's
    summary = import_file(bus, write_rows(tmp_path / "od.csv", rows))
    assert (summary.open, summary.overdue) == ({"disposal": 1, "filing": 1, "check": 1}, 2)
    assert summary.to_dict()["already_overdue"] == 2
