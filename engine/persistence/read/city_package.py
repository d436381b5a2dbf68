"""The city package as loaded: the profile, the channels, the streets and each responsibility grid's street."""

from __future__ import annotations

from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

CHANNEL_COLUMNS = ("code", "name_zh", "name_en", "urgent", "active")
STREET_COLUMNS = ("code", "name", "district_code", "department_code")


def profile(store: CaseStore) -> dict[str, Any] | None:
    """The profile row (``name``, ``time_zone``, ``locale``, ``calendar``, ``loaded_at``, ``loaded_by``,
    ``version``), or None when no package was ever loaded."""
    row = store._execute("SELECT name, time_zone, locale, calendar, loaded_at, loaded_by, version"
                         " FROM city_profiles WHERE id = 1").fetchone()
    if row is None:
        return None
    return {"name": row[0], "time_zone": row[1], "locale": row[2], "calendar": row[3], "loaded_at": as_utc(row[4]),
            "loaded_by": row[5], "version": int(row[6])}


def channels(store: CaseStore) -> list[dict[str, Any]]:
    """Every channel (``CHANNEL_COLUMNS``, active or not), in their listed order (empty: no package loaded)."""
    rows = store._execute(f"SELECT {', '.join(CHANNEL_COLUMNS)} FROM channels ORDER BY position, code").fetchall()
    return [{"code": r[0], "name_zh": r[1], "name_en": r[2], "urgent": bool(r[3]), "active": bool(r[4])}
            for r in rows]


def streets(store: CaseStore) -> list[dict[str, Any]]:
    """The streets (``STREET_COLUMNS``), in code order."""
    rows = store._execute(f"SELECT {', '.join(STREET_COLUMNS)} FROM streets ORDER BY code").fetchall()
    return [dict(zip(STREET_COLUMNS, row, strict=True)) for row in rows]


def national_codes(store: CaseStore) -> dict[str, str | None]:
    """Subtype code → its national code (None: none)."""
    return {r[0]: r[1] for r in store._execute("SELECT code, national_code FROM subtypes ORDER BY code").fetchall()}


def open_task_groups(store: CaseStore) -> set[str]:
    """The candidate groups of open (ready) human tasks: a department among them still has work."""
    rows = store._execute("SELECT DISTINCT candidate_group FROM human_tasks WHERE state = 'ready'"
                          " AND candidate_group IS NOT NULL").fetchall()
    return {str(r[0]) for r in rows}


def grid_streets(store: CaseStore) -> dict[str, str | None]:
    """Responsibility grid code → its street's code (None: no street)."""
    return {r[0]: r[1] for r in store._execute("SELECT code, street_code FROM resp_grids ORDER BY code").fetchall()}
