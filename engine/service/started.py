"""Read side of 我发起的 (my started cases): the live cases an account started, whichever process and entry point
(the API, the start page, ``gridcase case start --as``, a report, a message)."""

from __future__ import annotations

from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.read import starts as start_reads
from engine.service.deps import Deps

LIMIT = 100


def started_cases(deps: Deps, username: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The cases ``username`` started, newest first (at most ``limit``), times as ISO text."""
    with deps.uow(read_only=True) as uow:
        rows = start_reads.started_cases(uow.store, username, limit)
    for row in rows:
        for key in ("started_at", "completed_at"):
            moment = as_utc(row[key])
            row[key] = moment.isoformat() if moment else None
    return rows
