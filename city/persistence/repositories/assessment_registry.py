"""The assessment registries' repository (考评登记): property companies, assessed objects and checklist versions,
inserted and updated by code (an object by scheme and code) in the load's transaction
(``uow.repository(AssessmentRegistryStore)``). Nothing is deleted: ``active`` retires a row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

# One advisory lock key for assessment registry loads (PostgreSQL): a load checks the stored rows, then writes.
REGISTRY_LOCK_KEY = 0x61726567  # "areg"
_OBJECT_FIELDS = ("name", "kind", "address", "district_code", "street_code", "grid_code", "lon", "lat",
                  "polygon_json", "min_lon", "min_lat", "max_lon", "max_lat", "company_id", "department_code",
                  "active")


def geojson_text(value: Any) -> str | None:
    """A geometry as stored: compact JSON, keys sorted (None stays None)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AssessmentRegistryStore:
    """Writes property_companies, assessed_objects and assessment_checklists."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def lock_loads(self) -> None:
        """Hold other assessment registry loads off until this transaction ends (PostgreSQL advisory lock; SQLite's
        write transaction already holds the one writer lock)."""
        if not self._store.dialect.sqlite:
            self._store._execute("SELECT pg_advisory_xact_lock(?)", (REGISTRY_LOCK_KEY,))

    def insert_companies(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New companies (``rows``: code, name, contact_name, contact_phone, active)."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "INSERT INTO property_companies (name, contact_name, contact_phone, active, updated_at, code)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(r["name"], r["contact_name"], r["contact_phone"], r["active"], stamp, r["code"]) for r in rows])

    def update_companies(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored companies changed by the load, matched by code."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "UPDATE property_companies SET name = ?, contact_name = ?, contact_phone = ?, active = ?, updated_at = ?"
            " WHERE code = ?",
            [(r["name"], r["contact_name"], r["contact_phone"], r["active"], stamp, r["code"]) for r in rows])

    def insert_objects(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New objects (``rows``: scheme, code and ``_OBJECT_FIELDS``)."""
        stamp = self._store.dialect.stamp(at)
        columns = ", ".join(_OBJECT_FIELDS)
        marks = ", ".join("?" for _ in range(len(_OBJECT_FIELDS) + 3))
        self._store._executemany(
            f"INSERT INTO assessed_objects ({columns}, updated_at, scheme, code) VALUES ({marks})",
            [(*(r[f] for f in _OBJECT_FIELDS), stamp, r["scheme"], r["code"]) for r in rows])

    def update_objects(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored objects changed by the load, matched by scheme and code."""
        stamp = self._store.dialect.stamp(at)
        sets = ", ".join(f"{f} = ?" for f in _OBJECT_FIELDS)
        self._store._executemany(
            f"UPDATE assessed_objects SET {sets}, updated_at = ? WHERE scheme = ? AND code = ?",
            [(*(r[f] for f in _OBJECT_FIELDS), stamp, r["scheme"], r["code"]) for r in rows])

    def set_object_active(self, object_id: int, active: bool, at: datetime) -> None:
        """Take an object out of the coming rounds or back in."""
        self._store._execute("UPDATE assessed_objects SET active = ?, updated_at = ? WHERE id = ?",
                             (active, self._store.dialect.stamp(at), object_id))

    def add_checklist(self, scheme: str, version: int, items: list[dict[str, Any]], actor: str,
                      at: datetime) -> None:
        """A scheme's next checklist version."""
        self._store._execute(
            "INSERT INTO assessment_checklists (scheme, version, items_json, loaded_by, loaded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (scheme, version, json.dumps(items, ensure_ascii=False, sort_keys=True), actor,
             self._store.dialect.stamp(at)))
