"""The transport registries' repository (渣土运输登记): companies, vehicles, sites, permits and the vehicles each
permit names, inserted and updated by code (plate for vehicles) in the load's transaction
(``uow.repository(TransportRegistryStore)``). Nothing is deleted: a file retires a row by ``active``/``state``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

# One advisory lock key for registry loads (PostgreSQL): a load checks the stored rows, then writes; two at once could
# each pass the checks ("a permit's plates are its company's") against rows the other is changing.
REGISTRY_LOCK_KEY = 0x74726567  # "treg"


def geojson_text(value: Any) -> str:
    """A geometry as stored: compact JSON, keys sorted (the same geometry, the same text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class TransportRegistryStore:
    """Writes transport_companies, transport_vehicles, transport_sites, transport_permits and
    transport_permit_vehicles; every written row is stamped ``updated_at`` with the load's time."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def lock_loads(self) -> None:
        """Wait for any other registry load to end, and hold the loads off until this transaction ends: the load's
        checks then read rows no other load is changing. PostgreSQL: a transaction-scoped advisory lock; SQLite: the
        write transaction (BEGIN IMMEDIATE) already holds the database's one writer lock."""
        if not self._store.dialect.sqlite:
            self._store._execute("SELECT pg_advisory_xact_lock(?)", (REGISTRY_LOCK_KEY,))

    def insert_companies(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New companies (``rows``: code, name, credit_code, contact, phone, active)."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "INSERT INTO transport_companies (code, name, credit_code, contact, phone, active, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r["code"], r["name"], r["credit_code"], r["contact"], r["phone"], r["active"], stamp) for r in rows])

    def update_companies(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored companies changed by the load, matched by code."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "UPDATE transport_companies SET name = ?, credit_code = ?, contact = ?, phone = ?, active = ?,"
            " updated_at = ? WHERE code = ?",
            [(r["name"], r["credit_code"], r["contact"], r["phone"], r["active"], stamp, r["code"]) for r in rows])

    def park_devices(self, vehicle_ids: Sequence[int]) -> None:
        """Give vehicles whose device changes a placeholder device first, so that a load swapping two vehicles'
        devices never holds one device on two rows between its updates (the column is unique)."""
        self._store._executemany("UPDATE transport_vehicles SET device_id = ? WHERE id = ?",
                                 [(f"~moving~{vehicle_id}", vehicle_id) for vehicle_id in vehicle_ids])

    def insert_vehicles(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New vehicles (``rows``: plate, company_id, device_id, active)."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "INSERT INTO transport_vehicles (plate, company_id, device_id, active, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(r["plate"], r["company_id"], r["device_id"], r["active"], stamp) for r in rows])

    def update_vehicles(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored vehicles changed by the load, matched by plate."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "UPDATE transport_vehicles SET company_id = ?, device_id = ?, active = ?, updated_at = ? WHERE plate = ?",
            [(r["company_id"], r["device_id"], r["active"], stamp, r["plate"]) for r in rows])

    def insert_sites(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New sites (``rows``: code, name, kind, geometry, company_id — a depot's company, else None)."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "INSERT INTO transport_sites (code, name, kind, geometry_json, company_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(r["code"], r["name"], r["kind"], geojson_text(r["geometry"]), r["company_id"], stamp) for r in rows])

    def update_sites(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored sites changed by the load, matched by code."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "UPDATE transport_sites SET name = ?, kind = ?, geometry_json = ?, company_id = ?, updated_at = ?"
            " WHERE code = ?",
            [(r["name"], r["kind"], geojson_text(r["geometry"]), r["company_id"], stamp, r["code"]) for r in rows])

    def _permit_values(self, r: dict[str, Any], stamp: Any) -> tuple[Any, ...]:
        dialect = self._store.dialect
        return (r["company_id"], r["source_site_id"], r["disposal_site_id"], geojson_text(r["corridor"]),
                r["corridor_width_m"], dialect.stamp(r["valid_from"]), dialect.stamp(r["valid_to"]),
                json.dumps(list(r["hours"])), r["state"], stamp, r["code"])

    def insert_permits(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """New permits (``rows``: code, company_id, source_site_id, disposal_site_id, corridor, corridor_width_m,
        valid_from, valid_to, hours, state)."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "INSERT INTO transport_permits (company_id, source_site_id, disposal_site_id, corridor_json,"
            " corridor_width_m, valid_from, valid_to, hours_json, state, updated_at, code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [self._permit_values(r, stamp) for r in rows])

    def update_permits(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        """Stored permits changed by the load (their terms or their vehicles), matched by code."""
        stamp = self._store.dialect.stamp(at)
        self._store._executemany(
            "UPDATE transport_permits SET company_id = ?, source_site_id = ?, disposal_site_id = ?, corridor_json = ?,"
            " corridor_width_m = ?, valid_from = ?, valid_to = ?, hours_json = ?, state = ?, updated_at = ?"
            " WHERE code = ?", [self._permit_values(r, stamp) for r in rows])

    def replace_permit_vehicles(self, vehicles: dict[int, Sequence[int]]) -> None:
        """Each permit's vehicles (permit id → vehicle ids) in place of those it named before."""
        self._store._executemany("DELETE FROM transport_permit_vehicles WHERE permit_id = ?",
                                 [(permit_id,) for permit_id in vehicles])
        self._store._executemany("INSERT INTO transport_permit_vehicles (permit_id, vehicle_id) VALUES (?, ?)",
                                 [(permit_id, vehicle_id) for permit_id, ids in vehicles.items()
                                  for vehicle_id in sorted(set(ids))])
