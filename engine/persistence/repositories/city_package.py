"""The city package repository: writes the city profile, the channels, the streets, each responsibility grid's
street and the subtypes' national codes (migration 0023) in the caller's transaction, so a package load is one unit
of work with the grids and the catalogue (``city.package.loader``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

PROFILE_ID = 1  # the city has one profile row


class CityPackageStore:
    """Writes ``city_profiles``, ``channels``, ``streets`` and ``resp_grids.street_code``."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def save_profile(self, profile: Mapping[str, str], now: datetime, actor: str) -> int:
        """Write the profile (``name``, ``time_zone``, ``locale``, ``calendar``) as the next version; returns it."""
        store = self._store
        row = store._execute("SELECT version FROM city_profiles WHERE id = ?", (PROFILE_ID,)).fetchone()
        version = (int(row[0]) if row else 0) + 1
        values = (profile["name"], profile["time_zone"], profile["locale"], profile["calendar"],
                  store.dialect.stamp(now), actor, version)
        if row:
            store._execute("UPDATE city_profiles SET name = ?, time_zone = ?, locale = ?, calendar = ?, loaded_at = ?,"
                           " loaded_by = ?, version = ? WHERE id = ?", (*values, PROFILE_ID))
        else:
            store._execute("INSERT INTO city_profiles (name, time_zone, locale, calendar, loaded_at, loaded_by,"
                           " version, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*values, PROFILE_ID))
        return version

    def save_holiday_calendar(self, name: str, content: str, sha256: str, now: datetime) -> None:
        """Store (or replace) the holiday table ``name``."""
        store = self._store
        store._execute("DELETE FROM holiday_calendars WHERE name = ?", (name,))
        store._execute("INSERT INTO holiday_calendars (name, content, sha256, loaded_at) VALUES (?, ?, ?, ?)",
                       (name, content, sha256, store.dialect.stamp(now)))

    def replace_extras(self, extras: Sequence[tuple[str, str, str]]) -> None:
        """Replace every ``package_extras`` row with ``extras`` (kind, code, JSON)."""
        self._store._execute("DELETE FROM package_extras")
        for kind, code, data in extras:
            self._store._execute("INSERT INTO package_extras (kind, code, data) VALUES (?, ?, ?)", (kind, code, data))

    def replace_channels(self, channels: Sequence[Mapping[str, Any]]) -> None:
        """Replace every channel (``code``, ``name_zh``, ``name_en``, ``urgent``, ``active``); listed order is kept."""
        self._store._execute("DELETE FROM channels")
        self._store._executemany(
            "INSERT INTO channels (code, name_zh, name_en, urgent, active, position) VALUES (?, ?, ?, ?, ?, ?)",
            [(c["code"], c["name_zh"], c["name_en"], bool(c.get("urgent")), bool(c.get("active", True)), position)
             for position, c in enumerate(channels, start=1)])

    def replace_streets(self, streets: Sequence[Mapping[str, Any]]) -> None:
        """Replace every street (``code``, ``name``, ``district``, ``department`` or None)."""
        self._store._execute("UPDATE resp_grids SET street_code = NULL WHERE street_code IS NOT NULL")
        self._store._execute("DELETE FROM streets")
        self._store._executemany(
            "INSERT INTO streets (code, name, district_code, department_code) VALUES (?, ?, ?, ?)",
            [(s["code"], s["name"], s["district"], s.get("department")) for s in streets])

    def set_national_codes(self, codes: Mapping[str, str | None]) -> None:
        """Set each named subtype's national code (subtype code → national code or None)."""
        self._store._executemany("UPDATE subtypes SET national_code = ? WHERE code = ?",
                                 [(national, code) for code, national in codes.items()])

    def set_grid_streets(self, streets: Mapping[str, str | None]) -> None:
        """Set each named responsibility grid's street (grid code → street code or None)."""
        self._store._executemany("UPDATE resp_grids SET street_code = ? WHERE code = ?",
                                 [(street, grid) for grid, street in streets.items()])

    def sync(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
             insert_only: Sequence[str] = ()) -> None:
        """Make ``table`` hold exactly ``rows`` (keyed by the first column): rows no longer given are deleted, the
        others inserted or updated in place, so rows other tables point at (a user's API tokens) stay. Columns of
        ``insert_only`` are written for new rows only (a person's password hash)."""
        key, store = columns[0], self._store
        wanted = {row[0] for row in rows}
        gone = [(k,) for (k,) in store._execute(f"SELECT {key} FROM {table}").fetchall() if k not in wanted]
        store._executemany(f"DELETE FROM {table} WHERE {key} = ?", gone)
        updated = ", ".join(f"{c} = excluded.{c}" for c in columns[1:] if c not in insert_only)
        store._executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                           f" ON CONFLICT ({key}) DO UPDATE SET {updated}", rows)
