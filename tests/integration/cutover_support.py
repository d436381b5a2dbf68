"""Shared helpers of the cut-over tests: a legacy export's open rows, a bus on the test database, SQL reads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from city.bootstrap import bootstrap
from city.history.importer import ALL_COLUMNS
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=CST)  # the import's time (Monday)
DEPARTMENT = "350602-D05"
BASE = {"channel": "hotline", "subtype": "0601", "lon": "117.65", "lat": "24.51", "description": "路边暴露垃圾",
        "reported_at": "2026-10-28T09:00:00+08:00", "verified_at": "2026-10-28T10:00:00+08:00",
        "filed_at": "2026-10-28T10:30:00+08:00", "dispatched_at": "2026-10-28T11:00:00+08:00",
        "disposed_at": "2026-10-29T15:00:00+08:00", "checked_at": "2026-10-29T16:00:00+08:00",
        "department": DEPARTMENT, "due_at": "2026-11-05T18:00:00+08:00", "step_due_at": "2026-11-04T12:00:00+08:00"}


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A CSV file in gridcase's columns holding ``rows``."""
    # at 处置 the step's deadline is due_at: BASE's step_due_at (the other steps') is left out of disposal rows
    rows = [{**row, "step_due_at": ""} if row.get("result") == "disposal" and row.get("step_due_at") ==
            BASE["step_due_at"] else row for row in rows]
    lines = [",".join(ALL_COLUMNS)] + [",".join(row.get(name, "") for name in ALL_COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def new_bus(url: str, clock: FakeClock | None = None) -> MessageBus:
    """A bus on ``url`` at the import's time."""
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url})
    return bootstrap(url, clock or FakeClock(NOW), working_time=settings.working_time())


def sql(bus: MessageBus, statement: str, **params: Any) -> list[Any]:
    """The rows of one read."""
    with bus.deps.db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def case_of(bus: MessageBus, legacy_no: str) -> int:
    """The id of the case imported for ``legacy_no``."""
    (row,) = sql(bus, "SELECT id FROM cases WHERE channel = 'legacy' AND external_id = :no", no=legacy_no)
    return int(row.id)
