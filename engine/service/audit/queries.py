"""Read side of the audit replay: finding cases to audit, and one case's history with its process version.

Counters and evaluations are JSON text in ``case_summaries``; the counter filters (overdue, reworked,
returned) are applied in Python over the rows the portable SQL filters leave, which is plenty for
the few thousand cases an auditor searches (no JSON functions that differ between SQLite and
PostgreSQL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.bpmn.foreign import is_bpmn_file
from engine.domain.audit.frames import frames
from engine.domain.city_zone import city_zone
from engine.domain.milestones import merged
from engine.persistence.db import as_utc
from engine.persistence.read import audit as audit_reads
from engine.persistence.read import cases as case_reads
from engine.persistence.repositories.versions import version_sources
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps

HIDDEN_EVENT_COLUMNS = {"case_id"}


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor asks for; ``since``/``until`` are start dates in the city's zone, both included."""

    department: str | None = None
    subtype: str | None = None
    process: str | None = None  # a process id: the cases of every process are found
    overdue: bool = False
    reworked: bool = False
    returned: bool = False
    since: date | None = None
    until: date | None = None
    page: int = 1
    per_page: int = 50


def _city_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=city_zone())


def _counter(case: dict[str, Any], name: str) -> int:
    value = (case["counters"] or {}).get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def matches(case: dict[str, Any], flt: AuditFilter) -> bool:
    """True when the case passes the counter filters (overdue, reworked, returned)."""
    if flt.overdue and not (_counter(case, "overdue") > 0 or (case["evaluation"] or {}).get("on_time") is False):
        return False
    if flt.reworked and _counter(case, "reworks") <= 0:
        return False
    return not (flt.returned and _counter(case, "returns") <= 0)


def _row(case: dict[str, Any]) -> dict[str, Any]:
    for key in ("counters", "evaluation"):
        loaded = json.loads(case[key]) if case[key] else None
        case[key] = loaded if isinstance(loaded, dict) else None
    for key in ("due_at", "started_at", "completed_at"):
        moment = as_utc(case[key])
        case[key] = moment.isoformat() if moment else None
    return case


def audit_cases(deps: Deps, flt: AuditFilter) -> dict[str, Any]:
    """The cases matching ``flt``, newest first, one page of them: ``{cases, total, page, per_page, pages}``."""
    since = _city_midnight(flt.since) if flt.since is not None else None
    until = _city_midnight(flt.until + timedelta(days=1)) if flt.until is not None else None
    with deps.uow(read_only=True) as uow:
        rows = audit_reads.audit_rows(uow.store, department=flt.department, subtype=flt.subtype, started_from=since,
                                      started_before=until, process_id=flt.process)
    found = [case for case in map(_row, rows) if matches(case, flt)]
    start = (flt.page - 1) * flt.per_page
    return {"cases": found[start:start + flt.per_page], "total": len(found), "page": flt.page,
            "per_page": flt.per_page, "pages": max(1, -(-len(found) // flt.per_page))}


def _events(uow: UnitOfWork, case_id: int) -> list[dict[str, Any]]:
    """The case's event rows in order, with every stored column (newer ones such as ``actor_kind`` included)."""
    events = []
    for stored in case_reads.all_event_columns(uow.store, case_id):
        row = {k: v for k, v in stored.items() if k not in HIDDEN_EVENT_COLUMNS}
        moment = as_utc(row["occurred_at"])
        row["occurred_at"] = moment.isoformat() if moment else None
        row["data"] = json.loads(row["data"]) if row["data"] else {}
        row["actor_kind"] = row.get("actor_kind") or "person"  # rows from before kinds were recorded
        events.append(row)
    return events


def _bpmn(files: dict[str, str], process_id: str) -> str | None:
    """The BPMN file of a version that defines ``process_id`` (else its first BPMN file)."""
    bpmn = [text for name, text in sorted(files.items()) if is_bpmn_file(name)]
    return next((text for text in bpmn if f'id="{process_id}"' in text), bpmn[0] if bpmn else None)


def _version(uow: UnitOfWork, version_id: int) -> dict[str, Any] | None:
    row = version_sources(uow.store, version_id)
    if row is None:
        return None
    return {"version_id": row[0], "process_id": row[1], "version": row[2], "sha256": row[3],
            "bpmn": _bpmn(row[4], row[1])}


def _history(uow: UnitOfWork, case_id: int) -> dict[str, Any] | None:
    case = case_reads.status_and_version(uow.store, case_id)
    if case is None:
        return None
    events = _events(uow, case_id)
    process = _version(uow, case[1])
    others = sorted({e["process_version_id"] for e in events} - {case[1]})
    versions = {str(v): found for v in others if (found := _version(uow, v)) is not None}
    return {"case_id": case_id, "status": case[0], "process": process, "versions": versions, "events": events}


def case_history(uow_or_deps: UnitOfWork | Deps, case_id: int) -> dict[str, Any] | None:
    """The case's audit events in seq order and the BPMN of the process version it runs on; None when there is
    no such case. ``versions`` holds the other versions its events name (a case migrated to a new version).

    ``{case_id, status, process: {version_id, process_id, version, sha256, bpmn}, versions, events}``
    """
    if isinstance(uow_or_deps, UnitOfWork):
        return _history(uow_or_deps, case_id)
    with uow_or_deps.uow(read_only=True) as uow:
        return _history(uow, case_id)


def replay(deps: Deps, case_id: int) -> dict[str, Any] | None:
    """The case's history with one replay frame per event (see ``engine.domain.audit.frames``); None when absent."""
    history = case_history(deps, case_id)
    if history is None:
        return None
    with deps.uow(read_only=True) as uow:  # a migrated case: the milestones of every version its events name
        declared = merged(*(deps.spec(uow, v).milestones
                            for v in sorted({e["process_version_id"] for e in history["events"]})))
    history["frames"] = frames(history["events"], completed=history["status"] == "completed", milestones=declared)
    return history
