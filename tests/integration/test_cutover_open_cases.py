"""Cut-over: open cases of a legacy export imported into the live lifecycle, at their step, with their legacy
deadlines and assignees (``gridcase import cases``, city/cutover), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cutover_support import BASE, CST, DEPARTMENT, NOW, write_rows

from city.bootstrap import bootstrap
from city.history.importer import ImportSummary, import_file
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from web.settings import Settings

WAITS = {"reported": "verify_report", "filing": "file_or_void", "dispatch": "confirm_dispatch",
         "disposal": "dispose_problem", "check": "check_on_site", "closing": "close_case"}
# DEPARTMENT (350602-D05) is not the rules' department for 0601 at the test point: the legacy one is kept
_write = write_rows


@pytest.fixture
def live(city: str) -> Iterator[tuple[MessageBus, FakeClock]]:
    clock = FakeClock(NOW)
    bus = bootstrap(city, clock, working_time=Settings.from_env({"GRIDCASE_DATABASE_URL": city}).working_time())
    yield bus, clock
    bus.deps.db.dispose()


def _sql(bus: MessageBus, statement: str, **params: Any) -> list[Any]:
    with bus.deps.db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def _case(bus: MessageBus, legacy_no: str) -> int:
    (row,) = _sql(bus, "SELECT id FROM cases WHERE channel = 'legacy' AND external_id = :no", no=legacy_no)
    return int(row.id)


def _ready(bus: MessageBus, case_id: int) -> dict[str, Any]:
    rows = _sql(bus, "SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=case_id)
    return {r.bpmn_id: r for r in rows}


def _import(bus: MessageBus, path: Path, **options: Any) -> ImportSummary:
    return import_file(bus, path, **options)


def test_open_rows_wait_at_their_steps_with_legacy_deadlines(live: tuple[MessageBus, FakeClock],
                                                              tmp_path: Path) -> None:
    bus, _ = live
    rows = [{**BASE, "case_no": f"OPEN-{step}", "result": step} for step in WAITS]
    rows[1]["assignee"] = "shiftlead01"  # the filing task, claimed in the legacy system
    summary = _import(bus, _write(tmp_path / "open.csv", rows))
    assert (summary.open, summary.bad, summary.errors) == (dict.fromkeys(WAITS, 1), 0, [])
    for step, bpmn_id in WAITS.items():
        case_id = _case(bus, f"OPEN-{step}")
        assert set(_ready(bus, case_id)) == {bpmn_id}, step
    filing = _ready(bus, _case(bus, "OPEN-filing"))["file_or_void"]
    assert (filing.assignee, as_utc(filing.due_at)) == ("shiftlead01", datetime(2026, 11, 4, 12, tzinfo=CST))
    disposal = _case(bus, "OPEN-disposal")
    assert _ready(bus, disposal)["dispose_problem"].candidate_group == DEPARTMENT
    timers = {r.bpmn_id: as_utc(r.due_at) for r in _sql(bus, "SELECT bpmn_id, due_at FROM timers WHERE case_id = :id"
                                                              " AND status = 'pending'", id=disposal)}
    assert timers["disposal_overdue"] == datetime(2026, 11, 5, 18, tzinfo=CST)  # the legacy deadline, kept
    assert timers["disposal_warning"] == datetime(2026, 11, 4, 2, 12, tzinfo=CST)  # 80 % of the legacy limit (199 h)
    events = _sql(bus, "SELECT actor, actor_kind, command, occurred_at, data FROM case_events"
                       " WHERE case_id = :id AND command IS NOT NULL ORDER BY seq", id=disposal)
    assert [(e.actor, e.actor_kind) for e in events] == [("import", "system")] * 4
    assert [as_utc(e.occurred_at) for e in events] == [datetime(2026, 10, 28, h, m, tzinfo=CST)
                                                       for h, m in ((9, 0), (10, 0), (10, 30), (11, 0))]
    assert json.loads(events[0].data)["imported"]["dispatched_at"] == "2026-10-28T11:00:00+08:00"
    (kept,) = _sql(bus, "SELECT legacy_no, step, history_json FROM imported_cases WHERE case_id = :id", id=disposal)
    assert (kept.legacy_no, kept.step, json.loads(kept.history_json)["department"]) == \
        ("OPEN-disposal", "disposal", DEPARTMENT)
    told = _sql(bus, "SELECT DISTINCT recipient FROM notifications WHERE case_id = :id", id=_case(bus, "OPEN-check"))
    assert [r.recipient for r in told] == ["collector:350602"]  # the 核查 group only, not the steps done before
    for step in WAITS:  # the audit replay re-runs the imported steps (the legacy deadline is in their data)
        verdict = verify_case(bus.deps, _case(bus, f"OPEN-{step}"))
        assert (verdict.verified, verdict.divergence) == (True, None), step


def test_the_department_disposes_an_imported_case_and_it_closes(live: tuple[MessageBus, FakeClock],
                                                                tmp_path: Path) -> None:
    bus, clock = live
    _import(bus, _write(tmp_path / "one.csv", [{**BASE, "case_no": "OPEN-RUN", "result": "disposal"}]))
    case_id = _case(bus, "OPEN-RUN")
    clock.advance(timedelta(hours=1))
    for bpmn_id, data in (("dispose_problem", {"disposal": {"outcome": "disposed", "result": "已清运"}}),
                          ("check_on_site", {"check": {"passed": True}}),
                          ("close_case", {"closing": {"close_type": "normal"}})):
        bus.handle(c.CompleteHumanTask(_ready(bus, case_id)[bpmn_id].id, data, "tester"))
    ((status,),) = _sql(bus, "SELECT status FROM cases WHERE id = :id", id=case_id)
    assert status == "completed"
    (facts,) = _sql(bus, "SELECT result, department, reported_at, dispatched_at, due_at FROM case_facts"
                         " WHERE case_id = :id", id=case_id)
    assert (facts.result, facts.department) == ("closed", DEPARTMENT)
    assert as_utc(facts.reported_at) == datetime(2026, 10, 28, 9, tzinfo=CST)  # the legacy report time
    assert as_utc(facts.due_at) == datetime(2026, 11, 5, 18, tzinfo=CST)


def test_a_second_import_adds_nothing(live: tuple[MessageBus, FakeClock], tmp_path: Path) -> None:
    bus, _ = live
    path = _write(tmp_path / "twice.csv", [{**BASE, "case_no": f"TWICE-{step}", "result": step} for step in WAITS])
    first = _import(bus, path)
    before = _sql(bus, "SELECT COUNT(*) FROM case_events")[0][0]
    second = _import(bus, path)
    assert (sum(first.open.values()), second.open, second.present, second.bad) == (6, {}, 6, 0)
    assert _sql(bus, "SELECT COUNT(*) FROM case_events")[0][0] == before


def test_bad_rows_are_named_by_line_and_column(live: tuple[MessageBus, FakeClock], tmp_path: Path) -> None:
    bus, _ = live
    rows = [{**BASE, "case_no": "BAD-1", "result": "approval"},
            {**BASE, "case_no": "BAD-2", "result": "disposal", "due_at": "2026-10-27T09:00:00+08:00"},
            {**BASE, "case_no": "BAD-3", "result": "disposal", "department": "350602-D99"},
            {**BASE, "case_no": "BAD-4", "result": "filing", "lon": "118.5", "lat": "25.0"},
            {**BASE, "case_no": "BAD-5", "result": "check", "disposed_at": "2026-10-28T10:59:00+08:00"},
            {**BASE, "case_no": "BAD-7", "result": "disposal", "due_at": "2026-10-28T10:00:00+08:00"},
            {**BASE, "case_no": "GOOD-8", "result": "filing"}]
    summary = _import(bus, _write(tmp_path / "bad.csv", rows))
    assert summary.open == {"filing": 1}
    assert summary.errors == [
        (2, "result: 'approval' is not closed, voided or an open case's step (reported, filing, dispatch, disposal,"
            " check, closing)"),
        (3, "due_at: the deadline is before reported_at"),
        (4, "department: unknown department '350602-D99'"),
        (5, "lon, lat: the point (118.5, 25.0) is outside every grid"),
        (6, "disposed_at: before dispatched_at"),
        (7, "due_at: the disposal deadline is not after dispatched_at")]
    assert _sql(bus, "SELECT external_id FROM cases WHERE external_id LIKE 'BAD-%'") == []


def test_a_row_the_lifecycle_refuses_leaves_its_batch_retried_without_it(live: tuple[MessageBus, FakeClock],
                                                                         tmp_path: Path) -> None:
    bus, _ = live
    # grids given, so nothing locates the point first: the lifecycle finds it outside the city and refuses 立案
    outside = {**BASE, "case_no": "ALL-2", "result": "dispatch", "lon": "118.5", "lat": "25.0",
               "unit_grid": "3506020090064", "resp_grid": "350602009", "district": "350602"}
    rows = [{**BASE, "case_no": "ALL-1", "result": "disposal"}, outside,
            {**BASE, "case_no": "ALL-3", "result": "check"}, {**BASE, "case_no": "ALL-4", "result": "check"}]
    summary = _import(bus, _write(tmp_path / "batch.csv", rows), open_batch=3)
    assert summary.open == {"disposal": 1, "check": 2}  # the batch again without line 3, then line 5's
    assert [line for line, _ in summary.errors] == [3]
    assert summary.errors[0][1].startswith("result (dispatch): filing.decision: the location is outside")
    assert [r.external_id for r in _sql(bus, "SELECT external_id FROM cases WHERE external_id LIKE 'ALL-%'"
                                             " ORDER BY external_id")] == ["ALL-1", "ALL-3", "ALL-4"]


def test_the_case_shows_its_legacy_summary(city: str, live: tuple[MessageBus, FakeClock], tmp_path: Path) -> None:
    from api_support import Api
    from flask import render_template

    from city.history.cases import case_by_no

    bus, clock = live
    _import(bus, _write(tmp_path / "page.csv", [{**BASE, "case_no": "PAGE-1", "result": "check"}]))
    ((number,),) = _sql(bus, "SELECT case_no FROM case_summaries WHERE case_id = :id", id=_case(bus, "PAGE-1"))
    case = case_by_no(bus.deps, number, clock.now())
    assert case is not None and case["imported"]["legacy_no"] == "PAGE-1"
    assert case["imported"]["history"]["disposed_at"] == "2026-10-29T15:00:00+08:00"
    api = Api(city, tmp_path)
    try:
        with api.app.test_request_context("/"):
            html = render_template("_case_import_summary.html", case=case)
        shown = api.get(f"/cases/{number}", "shiftlead01")
        assert shown.status_code == 200, shown.get_json()
        imported = shown.get_json()["imported"]  # the API says it too
        assert (imported["legacy_no"], imported["step"]) == ("PAGE-1", "check")
        assert imported["history"]["disposed_at"] == "2026-10-29T15:00:00+08:00"
        other = api.new_case()
        assert api.get(f"/cases/{other}", "shiftlead01").get_json()["imported"] is None
    finally:
        api.close()
    assert "导入自原系统" in html and "imported from the legacy system" in html and "PAGE-1" in html
    assert 'class="legacy-disposed_at">2026-10-29 15:00' in html  # the city's local time


def test_history_and_open_cases_never_share_a_legacy_number(live: tuple[MessageBus, FakeClock],
                                                            tmp_path: Path) -> None:
    bus, _ = live
    _import(bus, _write(tmp_path / "open.csv", [{**BASE, "case_no": "BOTH-1", "result": "filing"}]))
    closed = {**BASE, "result": "closed", "closed_at": "2026-10-30T09:00:00+08:00", "step_due_at": ""}
    first = _import(bus, _write(tmp_path / "closed.csv", [{**closed, "case_no": "BOTH-1"},
                                                          {**closed, "case_no": "BOTH-2"}]))
    assert (first.imported, first.errors) == (1, [(2, "case_no: BOTH-1 is a live case; history cannot replace it")])
    second = _import(bus, _write(tmp_path / "reopened.csv", [{**BASE, "case_no": "BOTH-2", "result": "check"}]))
    assert (second.open, second.errors) == ({}, [(2, "case_no: BOTH-2 is imported history (ended); an open case"
                                                     " cannot replace it")])


def test_the_command_line_prints_the_open_cases_by_step(city: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    rows = [{**BASE, "case_no": f"CLI-{step}", "result": step} for step in ("filing", "disposal", "disposal")]
    rows[2]["case_no"] = "CLI-x"
    rows.append({**BASE, "case_no": "CLI-bad", "result": "approval"})
    path = _write(tmp_path / "cli.csv", rows)
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", city, "import", "cases", str(path)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "4 rows: 0 imported, 0 already present, 1 bad" in done.stdout
    # the child's clock is the real one: the legacy deadlines have passed (the count is tested in-process)
    assert "open cases into the lifecycle: 3 (filing 1, disposal 2; already overdue 3); closed history: 0" \
        in done.stdout
    assert "line 5: result: 'approval' is not closed, voided or an open case's step" in done.stdout
