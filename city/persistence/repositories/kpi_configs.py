"""The KPI settings repository: every applied version of config/kpi.yaml."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


class KpiConfigStore:
    """Reads and writes ``kpi_config_versions`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def newest(self) -> tuple[int, str, str] | None:
        """(version, sha256, content) of the newest applied version."""
        row = self._store._execute("SELECT id, sha256, content FROM kpi_config_versions ORDER BY id DESC LIMIT 1"
                                  ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def add(self, sha256: str, content: str, now: datetime, actor: str, comment: str) -> int:
        """Store a new version; returns its number."""
        row = self._store._execute(
            "INSERT INTO kpi_config_versions (sha256, content, applied_at, applied_by, comment)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (sha256, content, self._store.dialect.stamp(now), actor, comment)).fetchone()
        return int(row[0])

    def versions(self) -> list[dict[str, Any]]:
        """Every applied version, newest first (without the content)."""
        rows = self._store._execute("SELECT id, sha256, applied_at, applied_by, comment FROM kpi_config_versions"
                                   " ORDER BY id DESC").fetchall()
        return [{"version": r[0], "sha256": r[1], "applied_at": as_utc_not_null(r[2]).isoformat(),
                 "applied_by": r[3], "comment": r[4]} for r in rows]
