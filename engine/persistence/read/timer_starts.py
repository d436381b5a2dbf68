"""What the scheduler reads to start processes with timer start events (engine.service.timer_starts)."""

from __future__ import annotations

import json
from datetime import datetime

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


def timer_start_versions(store: CaseStore) -> list[tuple[str, int, datetime, list[str]]]:
    """(process id, version id, deployed at, ``timer:BPMN_ID`` names) of each process whose newest version has
    timer start events; a process whose newest version dropped them is not listed (its timers stop)."""
    rows = store._execute(
        "SELECT v.process_id, v.id, v.deployed_at, v.message_starts FROM process_versions v"
        " JOIN (SELECT process_id, MAX(number) AS newest FROM process_versions GROUP BY process_id) n"
        " ON n.process_id = v.process_id AND n.newest = v.number"
        " WHERE v.message_starts LIKE ? ORDER BY v.process_id", ('%"timer:%',)).fetchall()
    found = []
    for process_id, version_id, deployed_at, starts in rows:
        names = [name for name in json.loads(starts) if name.startswith("timer:")]
        if names:
            found.append((str(process_id), int(version_id), as_utc_not_null(deployed_at), names))
    return found


def last_timer_start(store: CaseStore, channel: str, prefix: str) -> str | None:
    """The greatest external id of the cases started on ``channel`` whose external id begins with ``prefix``."""
    row = store._execute("SELECT MAX(external_id) FROM cases WHERE channel = ? AND SUBSTR(external_id, 1, ?) = ?",
                         (channel, len(prefix), prefix)).fetchone()
    return None if row is None or row[0] is None else str(row[0])
