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


def profile_version(store: CaseStore) -> int:
    """The loaded package's version (0: none loaded): what each process polls to see another's load."""
    row = store._execute("SELECT version FROM city_profiles WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def holiday_calendar(store: CaseStore, name: str) -> str | None:
    """The stored holiday table ``name`` (JSON text), or None when no package stored one by that name."""
    row = store._execute("SELECT content FROM holiday_calendars WHERE name = ?", (name,)).fetchone()
    return str(row[0]) if row else None


def package_extras(store: CaseStore) -> dict[tuple[str, str], str]:
    """(kind, code) → JSON of what the loaded package says that no other table keeps."""
    return {(r[0], r[1]): str(r[2]) for r in store._execute("SELECT kind, code, data FROM package_extras").fetchall()}


def package_extra(store: CaseStore, kind: str, code: str) -> str | None:
    """The JSON the loaded package keeps under (``kind``, ``code``), or None."""
    row = store._execute("SELECT data FROM package_extras WHERE kind = ? AND code = ?", (kind, code)).fetchone()
    return None if row is None else str(row[0])


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


def open_task_assignees(store: CaseStore) -> set[str]:
    """The people holding (having claimed) an open task: removing them would orphan it."""
    rows = store._execute("SELECT DISTINCT assignee FROM human_tasks WHERE state = 'ready'"
                          " AND assignee IS NOT NULL").fetchall()
    return {str(r[0]) for r in rows}


def case_fact_count(store: CaseStore) -> int:
    """How many cases have facts (counted by day and month in the city's zone)."""
    return int(store._execute("SELECT count(*) FROM case_facts").fetchone()[0])


def grid_streets(store: CaseStore) -> dict[str, str | None]:
    """Responsibility grid code → its street's code (None: no street)."""
    return {r[0]: r[1] for r in store._execute("SELECT code, street_code FROM resp_grids ORDER BY code").fetchall()}


# kind → (table, key column, the columns a load compares): what the change report of a package load counts
SNAPSHOT = {
    "districts": ("districts", "code", ("name", "geometry")),
    "resp_grids": ("resp_grids", "code", ("name", "district_code", "street_code", "geometry")),
    "unit_grids": ("unit_grids", "code", ("resp_grid_code", "district_code", "geometry")),
    "streets": ("streets", "code", ("name", "district_code", "department_code")),
    "aspects": ("aspects", "code", ("name_zh", "name_en")),
    "subtypes": ("subtypes", "code", ("kind", "major_code", "major_name_zh", "name_zh", "name_en", "aspect_code",
                                      "default_urgency", "limit_amount", "limit_unit", "closing_standard", "video_ai",
                                      "national_code")),
    "departments": ("departments", "code", ("name_zh", "name_en", "level", "district_code")),
    "channels": ("channels", "code", ("name_zh", "name_en", "urgent", "active", "position")),
    "users": ("users", "username", ("display_name", "role", "department_code", "district_code")),
}


def snapshot(store: CaseStore) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Each kind of ``SNAPSHOT`` as stored: key → the compared values (booleans as bool, numbers as float)."""
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    for kind, (table, key, columns) in SNAPSHOT.items():
        rows = store._execute(f"SELECT {key}, {', '.join(columns)} FROM {table}").fetchall()
        out[kind] = {str(r[0]): tuple(_plain(column, value) for column, value in zip(columns, r[1:], strict=True))
                     for r in rows}
    return out


def _plain(column: str, value: Any) -> Any:
    """A stored value as the report compares it (SQLite keeps booleans as 0/1)."""
    if column in ("urgent", "active", "video_ai"):
        return bool(value)
    if column in ("limit_amount", "position"):
        return float(value)
    return value


def users_with_records(store: CaseStore) -> set[str]:
    """People other records point at (API tokens, process drafts): such a person cannot be removed, only disabled."""
    rows = store._execute("SELECT username FROM api_tokens UNION SELECT owner FROM process_drafts").fetchall()
    return {str(r[0]) for r in rows}


def rows(store: CaseStore, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Every row of one of the city's tables (``SNAPSHOT``'s), the given columns, by key."""
    if table not in {t for t, _, _ in SNAPSHOT.values()}:
        raise ValueError(f"not a city table: {table}")
    return [tuple(r) for r in store._execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1").fetchall()]


def components(store: CaseStore) -> list[tuple[Any, ...]]:
    """The component registry as (id, class, owner, state, lon, lat), by id: what a package's components file holds."""
    return [tuple(r) for r in store._execute("SELECT id, subtype_code, owner_code, state, lon, lat FROM components"
                                             " ORDER BY id").fetchall()]
