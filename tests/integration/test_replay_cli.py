"""``gridcase replay`` through the installed command line, on a city simulated for three days by ``gridcase demo
simulate`` (SQLite and PostgreSQL): verify one case or all of them (exit 0 verified, 1 not verified with the first
divergence, 2 nothing to verify), checkpoints, and an export verified from the file alone without any database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import seeded
from sqlalchemy.engine import Engine

from engine.domain.events import canonical_json

GRIDCASE = Path(sys.executable).with_name("gridcase")
ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if k != "GRIDCASE_DATABASE_URL"} | {"GRIDCASE_LOG_LEVEL": "WARNING"}


def gridcase(url: str | None, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    database = ["--database-url", url] if url else []
    return subprocess.run([str(GRIDCASE), *database, *args], capture_output=True, text=True, timeout=300, env=ENV,
                          cwd=cwd, check=False)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """Three simulated days of reports worked through the lifecycle by simulated people, timers included, on a copy
    of the seeded city (tests/city_template.py)."""
    for url, engine in seeded(request.param, tmp_path_factory):
        simulated = gridcase(url, "demo", "simulate", "--days", "3", "--start", "2026-11-02", "--seed", "7",
                             "--per-day", "12", "--json")
        assert simulated.returncode == 0, simulated.stderr
        assert json.loads(simulated.stdout)["closed"] > 0
        yield url, engine


def rows(engine: Engine, statement: str, **params: Any) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def write(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def closed_case(engine: Engine) -> tuple[str, int, int]:
    """(case number, case id, number of events) of the first closed case."""
    (row,) = rows(engine, "SELECT s.case_no, s.case_id, c.last_event_seq FROM case_summaries s"
                          " JOIN cases c ON c.id = s.case_id WHERE c.status = 'completed' ORDER BY s.case_id LIMIT 1")
    return row.case_no, row.case_id, row.last_event_seq


def test_a_case_verifies(city: tuple[str, Engine]) -> None:
    url, engine = city
    number, _, events = closed_case(engine)
    done = gridcase(url, "replay", "verify", number)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(rf"verified: {number} \({events} events, \d+ ms\)\n", done.stdout), done.stdout
    as_json = json.loads(gridcase(url, "replay", "verify", number, "--json").stdout)
    assert (as_json["case_no"], as_json["verified"], as_json["events"], as_json["divergence"]) == (
        number, True, events, None)


@pytest.mark.parametrize(("args", "message"), [
    (("20261102999999",), "no case 20261102999999"),
    (("20261201000001",), "no case 20261201000001"),  # case 1 exists, but was not reported on 1 December
    (("12345",), "'12345' is not a case number"),
    ((), "give exactly one of CASE_NO, --all or --file"),
    (("--all", "--file", __file__), "give exactly one of CASE_NO, --all or --file (got --all, --file)"),
    (("--file", "no-such.json"), "File 'no-such.json' does not exist"),
    (("20261102000001", "--since", "2026-11-02"), "--since goes with --all"),
])
def test_nothing_to_verify_is_a_usage_error(city: tuple[str, Engine], args: tuple[str, ...], message: str) -> None:
    done = gridcase(city[0], "replay", "verify", *args)
    assert done.returncode == 2 and message in done.stderr, (done.returncode, done.stdout, done.stderr)


def test_all_cases_verify_with_a_progress_bar_and_checkpoints_anchor_them(city: tuple[str, Engine]) -> None:
    url, engine = city
    cases = len(rows(engine, "SELECT id FROM cases"))
    events = rows(engine, "SELECT COUNT(*) AS n FROM case_events")[0].n
    every = gridcase(url, "replay", "verify", "--all")
    assert every.returncode == 0, every.stdout + every.stderr
    assert f"verifying {cases} cases" in every.stderr
    assert every.stdout.startswith(f"verified {cases} of {cases} cases ({events} events, ")
    assert "not verified: 0" in every.stdout

    before = rows(engine, "SELECT MAX(id) AS id FROM audit_checkpoints")[0].id or 0
    written = gridcase(url, "replay", "checkpoint")
    match = re.fullmatch(rf"checkpoint {before + 1}: (\d+) case heads, sha256 ([0-9a-f]{{64}})\n", written.stdout)
    assert match, written.stdout + written.stderr
    again = gridcase(url, "replay", "checkpoint")
    assert again.stdout == f"no case changed since checkpoint {before + 1} (sha256 {match[2]})\n"

    summary = json.loads(gridcase(url, "replay", "verify", "--all", "--json").stdout)
    assert (summary["cases"], summary["verified"], summary["not_verified"], summary["ok"]) == (cases, cases, 0, True)
    assert summary["checkpoints"] == {"newest": before + 1, "hash": match[2], "problems": []}
    started = rows(engine, "SELECT case_no FROM case_summaries")
    late = [r for r in started if r.case_no >= "20261104"]
    since = json.loads(gridcase(url, "replay", "verify", "--all", "--since", "2026-11-04", "--json").stdout)
    assert 0 < since["cases"] == len(late) < cases


def test_tampering_is_reported_by_verify_and_by_the_batch(city: tuple[str, Engine]) -> None:
    url, engine = city
    number, case_id, _ = closed_case(engine)
    gridcase(url, "replay", "checkpoint")
    (event,) = rows(engine, "SELECT seq, event_type, actor FROM case_events WHERE case_id = :id AND seq = 4",
                    id=case_id)
    write(engine, "UPDATE case_events SET actor = 'mallory' WHERE case_id = :id AND seq = 4", id=case_id)
    try:
        one = gridcase(url, "replay", "verify", number)
        assert one.returncode == 1
        lines = one.stdout.splitlines()
        assert lines[0] == f"NOT VERIFIED: {number}"
        assert lines[1].startswith(f"  event 4 ({event.event_type}): the stored hash differs"), lines
        assert "hash: expected '" in lines[1]
        every = gridcase(url, "replay", "verify", "--all")
        assert every.returncode == 1 and "not verified: 1" in every.stdout
        assert f"NOT VERIFIED: {number}: event 4 ({event.event_type})" in every.stdout
    finally:
        write(engine, "UPDATE case_events SET actor = :actor WHERE case_id = :id AND seq = 4", id=case_id,
             actor=event.actor)
    assert gridcase(url, "replay", "verify", number).returncode == 0


def test_a_deleted_history_is_a_checkpoint_problem(city: tuple[str, Engine]) -> None:
    url, engine = city
    number, case_id, head = closed_case(engine)
    gridcase(url, "replay", "checkpoint")
    saved = [dict(r._mapping) for r in rows(engine, "SELECT * FROM case_events WHERE case_id = :id", id=case_id)]
    write(engine, "DELETE FROM case_events WHERE case_id = :id", id=case_id)
    write(engine, "UPDATE cases SET last_event_seq = 0, last_event_hash = :h WHERE id = :id", h="0" * 64, id=case_id)
    try:
        every = gridcase(url, "replay", "verify", "--all")
        assert every.returncode == 1
        assert f"NOT VERIFIED: {number}: case: a case's record begins with case_started" in every.stdout
        assert f"CHECKPOINT PROBLEM: event {head}: audit_checkpoints[" in every.stdout
        assert f"the log no longer has it (history deleted or rewritten) — case {case_id}:" in every.stdout
    finally:
        columns = list(saved[0])
        with engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO case_events ({', '.join(columns)}) VALUES"
                                 f" ({', '.join(':' + c for c in columns)})"), saved)
            last = max(saved, key=lambda r: r["seq"])
            conn.execute(sa.text("UPDATE cases SET last_event_seq = :s, last_event_hash = :h WHERE id = :id"),
                         {"s": last["seq"], "h": last["hash"], "id": case_id})
    assert gridcase(url, "replay", "verify", "--all").returncode == 0


def test_an_export_verifies_from_the_file_alone(city: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = city
    number, _, events = closed_case(engine)
    exported = gridcase(url, "replay", "export", number, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"wrote {number}.audit.json ({events} events); verified at export\n"
    path = tmp_path / f"{number}.audit.json"
    text = path.read_text(encoding="utf-8")
    assert re.search("[\u4e00-\u9fff]", text) and not re.search(r"\\u[4-9]", text)  # Chinese as written
    assert text.startswith('{\n "format": "gridcase-case-export"')  # indent 1

    nowhere, default = tmp_path / "no-such-folder" / "gridcase.db", ROOT / "var" / "gridcase.db"
    had_default = default.exists()
    for database in (f"sqlite:///{nowhere}", "postgresql://nobody@127.0.0.1:9/none", None):
        done = gridcase(database, "replay", "verify", "--file", str(path), cwd=tmp_path)
        assert done.returncode == 0, (database, done.stdout, done.stderr)
        assert done.stdout.startswith(f"verified: {number} ({events} events, ")
    assert not nowhere.parent.exists() and default.exists() == had_default  # no database was created


def test_an_edited_export_is_not_verified(city: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = city
    number, _, _ = closed_case(engine)
    path = tmp_path / "case.json"
    assert gridcase(url, "replay", "export", number, "-o", str(path)).returncode == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    completed = next(e for e in document["events"] if e["event_type"] == "task_completed")
    data = json.loads(completed["data"])
    data["edited"] = True
    completed["data"] = canonical_json(data)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    edited = gridcase(None, "replay", "verify", "--file", str(path))
    assert edited.returncode == 1
    assert edited.stdout.splitlines()[0] == f"NOT VERIFIED: {number}" and len(edited.stdout.splitlines()) == 2
    assert f"event {completed['seq']} (task_completed): the stored hash differs" in edited.stdout  # the edit named

    # The file's own digest catches a change the record's checks do not cover (here: a note in the case part).
    completed["data"] = canonical_json({k: v for k, v in data.items() if k != "edited"})
    document["case"]["note"] = "edited"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    noted = gridcase(None, "replay", "verify", "--file", str(path))
    assert noted.returncode == 1
    assert "case: the file was changed after it was exported — sha256" in noted.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("this is not JSON", "not JSON (Expecting value at line 1 column 1)"),
    ('{"format": "gridcase-case-export", "format_version": 1, "case": {}}', "not a gridcase case export"),
    ("[1, 2, 3]", "format must be 'gridcase-case-export'"),
])
def test_a_file_that_is_no_export_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    done = gridcase(None, "replay", "verify", "--file", str(path))
    assert done.returncode == 2 and message in done.stderr and str(path) in done.stderr, done.stderr
