"""What law enforcement's command and step hook read (智慧执法, city/enforcement): the case to transfer (its facts,
status and ready tasks), whether it has an enforcement case still open, and an enforcement case's row."""

from __future__ import annotations

from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.enforcement_records import STAGES
from engine.persistence.repositories.cases import CaseStore

OPEN_STAGES = STAGES[:6]  # all but closed and refused
ORIGIN_COLUMNS = ("case_id", "case_no", "subtype", "district", "lon", "lat", "result", "description", "status")


def origin_case(store: CaseStore, case_no: str) -> dict[str, Any] | None:
    """The live case numbered ``case_no``: its facts (subtype, district, point, result), description and status."""
    row = store._execute(
        "SELECT f.case_id, f.case_no, f.subtype, f.district, f.lon, f.lat, f.result, s.description, c.status"
        " FROM case_facts f JOIN cases c ON c.id = f.case_id LEFT JOIN case_summaries s ON s.case_id = f.case_id"
        " WHERE f.case_no = ? AND f.source = 'live'", (case_no,)).fetchone()
    return None if row is None else dict(zip(ORIGIN_COLUMNS, row, strict=True))


def ready_tasks(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The case's ready human tasks: BPMN id, candidate group and process version."""
    rows = store._execute("SELECT bpmn_id, candidate_group, process_version_id FROM human_tasks"
                          " WHERE case_id = ? AND state = 'ready' ORDER BY created_at, id", (case_id,)).fetchall()
    return [{"bpmn_id": r[0], "candidate_group": r[1], "process_version_id": int(r[2])} for r in rows]


def open_enforcement(store: CaseStore, origin_case_id: int) -> dict[str, Any] | None:
    """The enforcement case transferred from ``origin_case_id`` that is not over yet (id, case id, stage), or None."""
    marks = ", ".join("?" for _ in OPEN_STAGES)
    row = store._execute(f"SELECT id, case_id, stage FROM enforcement_cases WHERE origin_case_id = ?"
                         f" AND stage IN ({marks}) ORDER BY id LIMIT 1", (origin_case_id, *OPEN_STAGES)).fetchone()
    return None if row is None else {"id": int(row[0]), "case_id": int(row[1]), "stage": row[2]}


def enforcement_of_case(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """The row of enforcement case ``case_id`` (its process case's id): id, origin, team, stage, number."""
    row = store._execute("SELECT id, origin_case_id, team, stage, number FROM enforcement_cases WHERE case_id = ?",
                         (case_id,)).fetchone()
    if row is None:
        return None
    return {"id": int(row[0]), "origin_case_id": None if row[1] is None else int(row[1]), "team": row[2],
            "stage": row[3], "number": row[4]}


def last_completer(store: CaseStore, case_id: int, bpmn_id: str) -> str | None:
    """Who completed the case's task ``bpmn_id`` last (its newest ``task_completed`` event), or None."""
    row = store._execute("SELECT actor FROM case_events WHERE case_id = ? AND event_type = 'task_completed'"
                         " AND bpmn_id = ? ORDER BY seq DESC LIMIT 1", (case_id, bpmn_id)).fetchone()
    return None if row is None else str(row[0])


def last_number(store: CaseStore, prefix: str) -> str | None:
    """The highest 文书号 starting with ``prefix`` (one team's numbers of one year), or None."""
    row = store._execute("SELECT MAX(number) FROM enforcement_cases WHERE number LIKE ?", (prefix + "%",)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def enforcements_of(store: CaseStore, origin_case_id: int) -> list[dict[str, Any]]:
    """The enforcement cases transferred from ``origin_case_id``, oldest first: id, case number, 文书号, team, stage."""
    rows = store._execute(
        "SELECT e.id, s.case_no, e.number, e.team, e.stage, e.transferred_at FROM enforcement_cases e"
        " LEFT JOIN case_summaries s ON s.case_id = e.case_id WHERE e.origin_case_id = ? ORDER BY e.id",
        (origin_case_id,)).fetchall()
    return [{"id": int(r[0]), "case_no": r[1], "number": r[2], "team": r[3], "stage": r[4],
             "transferred_at": as_utc(r[5])} for r in rows]


def case_state(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """A live case's result (open, closed, voided) and process status, or None."""
    row = store._execute("SELECT f.result, c.status FROM case_facts f JOIN cases c ON c.id = f.case_id"
                         " WHERE f.case_id = ? AND f.source = 'live'", (case_id,)).fetchone()
    return None if row is None else {"result": row[0], "status": row[1]}
