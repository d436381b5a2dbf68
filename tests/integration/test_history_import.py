"""``gridcase import cases`` and ``gridcase demo history`` on SQLite and PostgreSQL, and a history case's pages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api

from city.bootstrap import bootstrap
from city.facts.model import CaseFacts
from city.history import importer as history
from city.history.importer import COLUMNS, import_file
from city.persistence.repositories import facts as fact_store
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.persistence.uow import command_scope

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"reported_at": "2024-03-05T09:30:00+08:00", "channel": "hotline", "subtype": "0601", "district": "350602",
        "resp_grid": "350602009", "unit_grid": "3506020090064", "lon": "117.645", "lat": "24.517",
        "department": "350602-D02", "reporter": "citizen-1", "verifier": "collector016", "dispatcher": "dispatcher05",
        "checker": "collector025", "verified_at": "2024-03-05T10:00:00+08:00", "filed_at": "2024-03-05T10:30:00+08:00",
        "dispatched_at": "2024-03-05T11:00:00+08:00", "disposed_at": "2024-03-05T15:00:00+08:00",
        "checked_at": "2024-03-05T16:00:00+08:00", "closed_at": "2024-03-05T17:00:00+08:00",
        "due_at": "2024-03-06T11:00:00+08:00", "result": "closed", "close_type": "normal", "closed_on_time": "true",
        "reworks": "1", "returns": "0"}


def _gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _import(url: str, path: Path, *args: str) -> dict[str, Any]:
    done = _gridcase(url, "import", "cases", str(path), "--json", *args)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _rows(url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))
    finally:
        engine.dispose()


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path)
    yield client
    client.close()


def test_a_good_file_imports_once_with_its_counts(city: str, tmp_path: Path) -> None:
    rows = [{**GOOD, "case_no": f"HGOOD{i}", "subtype": ("0601", "0602", "0601")[i]} for i in range(3)]
    path = _write(tmp_path / "good.csv", rows)
    first = _import(city, path)
    assert (first["imported"], first["already_present"], first["bad_rows"]) == (3, 0, 0)
    facts = _rows(city, "SELECT case_no, source, month, day, reworks, verifier, closed_on_time FROM case_facts"
                        " WHERE case_no LIKE 'HGOOD%' ORDER BY case_no")
    assert [(f.source, f.month, f.day, f.reworks, f.verifier, bool(f.closed_on_time)) for f in facts] == \
        [("history", "2024-03", "2024-03-05", 1, "collector016", True)] * 3
    counts = _rows(city, "SELECT subtype, cases FROM case_fact_counts WHERE month = '2024-03' AND channel = 'hotline'"
                         " AND unit_grid = '3506020090064' ORDER BY subtype")
    assert [(c.subtype, c.cases) for c in counts] == [("0601", 2), ("0602", 1)]
    again = _import(city, path, "--batch", "2")
    assert (again["imported"], again["already_present"], again["bad_rows"]) == (0, 3, 0)
    assert _rows(city, "SELECT SUM(cases) AS n FROM case_fact_counts WHERE month = '2024-03'")[0].n == 3


def test_bad_rows_are_reported_with_their_lines_and_skipped(city: str, tmp_path: Path) -> None:
    bus = bootstrap(city)
    live = CaseFacts(reported_at=datetime(2026, 11, 2, 1, tzinfo=UTC), subtype="0601")
    with command_scope(), bus.deps.uow() as uow:
        upsert_facts(uow.store, [FactRow("HLIVE1", live, source="live")], datetime.now(UTC))
    bus.deps.db.dispose()
    rows = [{**GOOD, "case_no": "HBAD1"},  # line 2: good
            {**GOOD, "case_no": "HBAD2", "reported_at": "2024-13-05T09:30:00+08:00"},  # 3
            {**GOOD, "case_no": "HBAD3", "subtype": "9999"},  # 4
            {**GOOD, "case_no": ""},  # 5
            {**GOOD, "case_no": "HBAD1"},  # 6: twice in the file
            {**GOOD, "case_no": "HLIVE1"},  # 7: a live case
            {**GOOD, "case_no": "HBAD4", "closed_at": "2024-03-05T17:00:00"},  # 8: no offset
            {**GOOD, "case_no": "HBAD5", "result": "open"},  # 9
            {**GOOD, "case_no": "HBAD6", "lat": "124.5"},  # 10
            {**GOOD, "case_no": "HBAD7", "reworks": "-1"},  # 11
            {**GOOD, "case_no": "HBAD8", "channel": "telegram"},  # 12
            {**GOOD, "case_no": "HBAD9"}]  # 13: good
    result = _import(city, _write(tmp_path / "bad.csv", rows))
    assert (result["imported"], result["already_present"], result["bad_rows"]) == (2, 0, 10)
    errors = {e["line"]: e["message"] for e in result["errors"]}
    assert sorted(errors) == list(range(3, 13))
    for line, words in {3: "reported_at", 4: "unknown subtype '9999'", 5: "case_no: missing", 6: "line 2",
                        7: "live case", 8: "no UTC offset", 9: "result", 10: "lat", 11: "reworks",
                        12: "unknown channel"}.items():
        assert words in errors[line], (line, errors[line])
    assert [r.case_no for r in _rows(city, "SELECT case_no FROM case_facts WHERE case_no LIKE 'HBAD%'"
                                           " ORDER BY case_no")] == ["HBAD1", "HBAD9"]
    assert _rows(city, "SELECT source FROM case_facts WHERE case_no = 'HLIVE1'")[0].source == "live"
    # a number repeated in a later batch of the same file is also refused (not counted as present)
    repeated = _import(city, _write(tmp_path / "repeat.csv", [{**GOOD, "case_no": "HREP1"}] * 2), "--batch", "1")
    assert (repeated["imported"], repeated["already_present"], repeated["bad_rows"]) == (1, 0, 1)
    assert "earlier in this file" in repeated["errors"][0]["message"]


def test_the_department_that_returned_a_case_is_imported(city: str, tmp_path: Path) -> None:
    returned = {**GOOD, "returns": "1", "wrong_dispatches": "1", "returned_by": "350602-D05"}
    rows = [{**returned, "case_no": "HRET1"}, {**GOOD, "case_no": "HRET2"},
            {**returned, "case_no": "HRET3", "returned_by": "D" * 31}]  # line 4: wider than the column
    result = _import(city, _write(tmp_path / "returned.csv", rows))
    assert (result["imported"], result["bad_rows"]) == (2, 1)
    assert result["errors"] == [{"line": 4, "message": "returned_by: longer than 30 characters"}]
    facts = _rows(city, "SELECT case_no, department, returned_by, returns FROM case_facts WHERE case_no LIKE 'HRET%'"
                        " ORDER BY case_no")
    assert [tuple(f) for f in facts] == [("HRET1", "350602-D02", "350602-D05", 1), ("HRET2", "350602-D02", None, 0)]


def test_the_printed_summary_lists_the_first_twenty_bad_rows_and_counts_all(city: str, tmp_path: Path) -> None:
    rows = [{**GOOD, "case_no": f"HMANY{i}", "lon": "east"} for i in range(25)]
    done = _gridcase(city, "import", "cases", str(_write(tmp_path / "many.csv", rows)))
    assert done.returncode == 0, done.stderr
    assert "25 rows: 0 imported, 0 already present, 25 bad" in done.stdout
    assert len(re.findall(r"^  line \d+: lon: 'east' is not a number$", done.stdout, re.M)) == 20
    assert "… and 5 more bad rows" in done.stdout


def test_a_file_that_cannot_be_read_exits_non_zero(city: str, tmp_path: Path) -> None:
    missing = _gridcase(city, "import", "cases", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "nope.csv" in missing.stderr
    header = _write(tmp_path / "header.csv", [{"case_no": "X"}], ("case_no", "reported", "result"))
    wrong = _gridcase(city, "import", "cases", str(header))
    assert wrong.returncode == 1 and "unknown column(s) reported" in wrong.stderr and "reported_at" in wrong.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"case_no,reported_at,result\n\xff\xfe,x,y\n")
    assert "line 2: not UTF-8" in _gridcase(city, "import", "cases", str(binary)).stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    assert _gridcase(city, "import", "cases", str(empty)).returncode == 1


def test_a_failing_batch_writes_nothing_of_it(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = fact_store.upsert_facts, []

    def second_fails(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        written = real(*args, **kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return written

    monkeypatch.setattr(fact_store, "upsert_facts", second_fails)
    path = _write(tmp_path / "atomic.csv", [{**GOOD, "case_no": f"HATOM{i}", "reported_at": GOOD["reported_at"]
                                             .replace("2024-03", "2019-0" + str(i + 1))} for i in range(4)])
    bus = bootstrap(city)
    with pytest.raises(RuntimeError):
        import_file(bus, path, batch=2)
    bus.deps.db.dispose()
    assert [r.case_no for r in _rows(city, "SELECT case_no FROM case_facts WHERE case_no LIKE 'HATOM%'"
                                           " ORDER BY case_no")] == ["HATOM0", "HATOM1"]
    counted = _rows(city, "SELECT month, SUM(cases) AS n FROM case_fact_counts WHERE month < '2020' GROUP BY month"
                          " ORDER BY month")
    assert [(c.month, c.n) for c in counted] == [("2019-01", 1), ("2019-02", 1)]


def test_statistics_are_refreshed_as_the_facts_double_during_an_import(city: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real, seen = history.refresh_statistics, []

    def counting(bus: Any, **options: Any) -> None:
        real(bus, **options)
        seen.append(_rows(city, "SELECT COUNT(*) AS n FROM case_facts WHERE case_no LIKE 'HSTAT%'")[0].n)

    monkeypatch.setattr(history, "refresh_statistics", counting)
    path = _write(tmp_path / "stats.csv", [{**GOOD, "case_no": f"HSTAT{i}"} for i in range(9)])
    bus = bootstrap(city)
    try:
        assert import_file(bus, path, batch=2).imported == 9
    finally:
        bus.deps.db.dispose()
    assert seen == [2, 4, 8, 9]
    if city.startswith("postgresql"):  # the last refresh also vacuums (index-only scans skip the new pages)
        vacuumed = _rows(city, "SELECT last_vacuum FROM pg_stat_user_tables WHERE relid = 'case_facts'::regclass")
        assert vacuumed[0].last_vacuum is not None


def test_the_demo_history_imports_whole_with_a_realistic_mix(city: str, tmp_path: Path) -> None:
    out = tmp_path / "demo.csv"
    made = _gridcase(city, "demo", "history", "--cases", "600", "--out", str(out), "--start", "2018-01",
                     "--months", "12", "--seed", "3")
    assert made.returncode == 0, made.stderr
    result = _import(city, out)
    assert (result["imported"], result["bad_rows"]) == (600, 0)
    facts = _rows(city, "SELECT result, closed_on_time, district, channel, due_at, dispatched_at FROM case_facts"
                        " WHERE month LIKE '2018-%'")
    closed = [f for f in facts if f.result == "closed"]
    assert len(facts) == 600 and 0.85 < len(closed) / 600 < 0.96
    assert 0.7 < sum(bool(f.closed_on_time) for f in closed) / len(closed) < 0.95
    assert {f.district for f in facts} == {"350602", "350603", "350690"}
    assert len({f.channel for f in facts}) >= 6 and all(f.due_at is not None for f in closed)
    by_grid = _rows(city, "SELECT unit_grid, month, COUNT(*) AS n FROM case_facts WHERE month LIKE '2018-%'"
                          " GROUP BY unit_grid, month")
    counted = _rows(city, "SELECT unit_grid, month, SUM(cases) AS n FROM case_fact_counts WHERE month LIKE '2018-%'"
                          " GROUP BY unit_grid, month")
    assert sorted(map(tuple, by_grid)) == sorted(map(tuple, counted))
    assert made.stdout.strip() == f"600 cases written to {out}"
    returned = _rows(city, "SELECT f.district, f.department, f.returned_by, f.returns, d.district_code, d.level"
                           " FROM case_facts f LEFT JOIN departments d ON d.code = f.returned_by"
                           " WHERE f.month LIKE '2018-%' AND (f.returns > 0 OR f.returned_by IS NOT NULL)")
    assert returned and all(r.returns == 1 and r.returned_by not in (None, r.department) for r in returned)
    # another department answering for the case's district: the district's own or a city-level one
    assert all(r.level is not None and r.district_code in (None, r.district) for r in returned), returned
    again = tmp_path / "again.csv"
    _gridcase(city, "demo", "history", "--cases", "600", "--out", str(again), "--start", "2018-01", "--months", "12",
              "--seed", "3")
    assert again.read_bytes() == out.read_bytes()  # the same seed, the same file


def test_a_history_case_shows_read_only_in_the_api_and_on_its_page(api: Api, city: str, tmp_path: Path) -> None:
    _import(city, _write(tmp_path / "page.csv", [{**GOOD, "case_no": "HPAGE1", "returns": "1",
                                                  "returned_by": "350602-D05"}]))
    case = api.get("/cases/HPAGE1", "seat01")
    assert case.status_code == 200, case.json
    body = case.json
    assert (body["status"], body["department"], body["evaluation"]["source"], body["tasks"]) == \
        ("completed", "350602-D02", "history", [])
    assert body["evaluation"]["closed_at"] == "2024-03-05T09:00:00+00:00" and body["counters"]["reworks"] == 1
    assert (body["evaluation"]["returned_by"], body["counters"]["returns"]) == ("350602-D05", 1)
    events = api.get("/cases/HPAGE1/events", "seat01")
    assert (events.status_code, events.json["events"]) == (200, [])
    assert api.get("/cases/HNOPE1", "seat01").status_code == 404
    browser = api.app.test_client()
    login = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    browser.post("/login", data={"username": "seat01", "password": "gridcase-demo", "csrf_token": token})
    page = browser.get("/cases/HPAGE1")
    assert page.status_code == 200, page.text[:500]
    assert "HPAGE1" in page.text and "collector016" in page.text and "case-diagram" not in page.text
    assert "回退单位: <code>350602-D05</code>" in page.text
