"""The transport registries as the GPS ingest and the pages read them: vehicles by device, sites, permits by
vehicle, companies (``registry_snapshot``), and a cheap fingerprint (``registry_version``) that tells a process
when its cached snapshot is stale."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from city.package.extras import TRANSPORT_SETTINGS
from city.persistence.read.package_departments import package_departments
from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class VehicleRow:
    """A registered truck."""

    id: int
    plate: str
    company_id: int
    device_id: str
    active: bool


@dataclass(frozen=True)
class SiteRow:
    """A source (出土点) or disposal (消纳场) site, or a company's depot (停车场: ``company_id`` its company, None
    for the other kinds); ``geometry``: GeoJSON Polygon or MultiPolygon (WGS84)."""

    id: int
    code: str
    name: str
    kind: str
    geometry: dict[str, Any]
    company_id: int | None = None


@dataclass(frozen=True)
class PermitRow:
    """A transport permit (核准); ``corridor``: GeoJSON LineString (WGS84), buffered ``corridor_width_m`` either
    side; ``hours``: ["HH:MM-HH:MM", …] in the city's time zone (a window may pass midnight; empty: any hour)."""

    id: int
    code: str
    company_id: int
    source_site_id: int
    disposal_site_id: int
    corridor: dict[str, Any]
    corridor_width_m: float
    valid_from: datetime
    valid_to: datetime
    hours: tuple[str, ...]
    state: str
    vehicle_ids: tuple[int, ...]


@dataclass(frozen=True)
class CompanyRow:
    """A transport company (运输企业)."""

    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True)
class RegistrySnapshot:
    """Everything the ingest needs, read at once; ``version``: ``registry_version`` when it was read."""

    version: str
    vehicles_by_device: dict[str, VehicleRow] = field(default_factory=dict)
    companies: dict[int, CompanyRow] = field(default_factory=dict)
    sites: dict[int, SiteRow] = field(default_factory=dict)
    permits_by_vehicle: dict[int, tuple[PermitRow, ...]] = field(default_factory=dict)


_TABLES = ("transport_companies", "transport_vehicles", "transport_sites", "transport_permits")
COMPANY_SQL = "SELECT id, code, name, credit_code, contact, phone, active, updated_at FROM transport_companies"
VEHICLE_SQL = ("SELECT v.id, v.plate, v.company_id, c.code, c.name, v.device_id, v.active, v.updated_at"
               " FROM transport_vehicles v JOIN transport_companies c ON c.id = v.company_id")
SITE_SQL = ("SELECT s.id, s.code, s.name, s.kind, s.geometry_json, s.updated_at, s.company_id, c.code, c.name"
            " FROM transport_sites s LEFT JOIN transport_companies c ON c.id = s.company_id")
PERMIT_SQL = ("SELECT p.id, p.code, p.company_id, c.code, c.name, s.code, d.code, p.corridor_json, p.corridor_width_m,"
              " p.valid_from, p.valid_to, p.hours_json, p.state, p.updated_at, p.source_site_id, p.disposal_site_id"
              " FROM transport_permits p JOIN transport_companies c ON c.id = p.company_id"
              " JOIN transport_sites s ON s.id = p.source_site_id JOIN transport_sites d ON d.id = p.disposal_site_id")


def registry_version(store: CaseStore) -> str:
    """One cheap query: each registry table's row count and newest ``updated_at`` (and the permits' vehicle
    count). Every load that writes moves an ``updated_at`` past the newest one, so the text changes with any
    change (``city.transport.registry``)."""
    parts = ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(updated_at) FROM {t})" for t in _TABLES)
    row = store._execute(f"SELECT {parts}, (SELECT COUNT(*) FROM transport_permit_vehicles)").fetchone()
    # the counts as they are, the stamps as UTC text (SQLite returns text, PostgreSQL datetimes)
    parts_read = [as_utc(value) if index % 2 else value for index, value in enumerate(row[:-1])] + [row[-1]]
    return "|".join("" if v is None else v.isoformat() if isinstance(v, datetime) else str(v) for v in parts_read)


def latest_update(store: CaseStore) -> datetime | None:
    """The newest ``updated_at`` of the registry tables (None: all empty)."""
    parts = ", ".join(f"(SELECT MAX(updated_at) FROM {t})" for t in _TABLES)
    found = [as_utc(v) for v in store._execute(f"SELECT {parts}").fetchone()]
    return max((v for v in found if v is not None), default=None)


def stored_companies(store: CaseStore) -> dict[str, dict[str, Any]]:
    """Every company by code."""
    names = ("id", "code", "name", "credit_code", "contact", "phone", "active", "updated_at")
    rows = store._execute(COMPANY_SQL + " ORDER BY code").fetchall()
    return {str(r[1]): {**dict(zip(names, r, strict=True)), "active": bool(r[6]), "updated_at": as_utc(r[7])}
            for r in rows}


def stored_vehicles(store: CaseStore, company: str | None = None) -> dict[str, dict[str, Any]]:
    """Every vehicle (of the company with code ``company``, when given) by plate, with its company's code and name."""
    where, params = (" WHERE c.code = ?", (company,)) if company is not None else ("", ())
    rows = store._execute(VEHICLE_SQL + where + " ORDER BY v.plate", params).fetchall()
    return {str(r[1]): {"id": r[0], "plate": r[1], "company_id": r[2], "company_code": r[3], "company_name": r[4],
                        "device_id": r[5], "active": bool(r[6]), "updated_at": as_utc(r[7])} for r in rows}


def stored_sites(store: CaseStore) -> dict[str, dict[str, Any]]:
    """Every site by code, its polygon decoded; a depot's company (id, code and name; None for the other kinds)."""
    rows = store._execute(SITE_SQL + " ORDER BY s.code").fetchall()
    return {str(r[1]): {"id": r[0], "code": r[1], "name": r[2], "kind": r[3], "geometry": json.loads(r[4]),
                        "updated_at": as_utc(r[5]), "company_id": r[6], "company_code": r[7], "company_name": r[8]}
            for r in rows}


def permit_plates(store: CaseStore) -> dict[int, list[tuple[int, str]]]:
    """Each permit's vehicles: permit id → [(vehicle id, plate)] by plate."""
    rows = store._execute("SELECT pv.permit_id, v.id, v.plate FROM transport_permit_vehicles pv"
                          " JOIN transport_vehicles v ON v.id = pv.vehicle_id ORDER BY v.plate").fetchall()
    found: dict[int, list[tuple[int, str]]] = {}
    for permit_id, vehicle_id, plate in rows:
        found.setdefault(int(permit_id), []).append((int(vehicle_id), str(plate)))
    return found


def stored_permits(store: CaseStore) -> dict[str, dict[str, Any]]:
    """Every permit by code: its company and sites by code (and ids), corridor, terms and plates."""
    plates = permit_plates(store)
    rows = store._execute(PERMIT_SQL + " ORDER BY p.code").fetchall()
    return {str(r[1]): {
        "id": r[0], "code": r[1], "company_id": r[2], "company_code": r[3], "company_name": r[4],
        "source_site": r[5], "disposal_site": r[6], "corridor": json.loads(r[7]), "corridor_width_m": float(r[8]),
        "valid_from": as_utc_not_null(r[9]), "valid_to": as_utc_not_null(r[10]), "hours": tuple(json.loads(r[11])),
        "state": r[12],
        "updated_at": as_utc(r[13]), "source_site_id": r[14], "disposal_site_id": r[15],
        "plates": tuple(p for _, p in plates.get(int(r[0]), [])),
        "vehicle_ids": tuple(sorted(v for v, _ in plates.get(int(r[0]), [])))} for r in rows}


def supervising_departments(store: CaseStore) -> frozenset[str]:
    """The departments supervising construction-waste transport (the city package's ``transport.json``): only their
    members, of all department members, read the registries, tracks and alerts; none when the package names none."""
    return package_departments(store, TRANSPORT_SETTINGS, "supervising_departments")


def registry_snapshot(store: CaseStore) -> RegistrySnapshot:
    """The registries at once, with the version they were read at (one transaction: consistent)."""
    version = registry_version(store)
    companies = {c["id"]: CompanyRow(c["id"], c["code"], c["name"], c["active"])
                 for c in stored_companies(store).values()}
    vehicles = {v["device_id"]: VehicleRow(v["id"], v["plate"], v["company_id"], v["device_id"], v["active"])
                for v in stored_vehicles(store).values()}
    sites = {s["id"]: SiteRow(s["id"], s["code"], s["name"], s["kind"], s["geometry"], s["company_id"])
             for s in stored_sites(store).values()}
    by_vehicle: dict[int, list[PermitRow]] = {}
    for p in stored_permits(store).values():
        permit = PermitRow(p["id"], p["code"], p["company_id"], p["source_site_id"], p["disposal_site_id"],
                           p["corridor"], p["corridor_width_m"], p["valid_from"], p["valid_to"], p["hours"],
                           p["state"], p["vehicle_ids"])
        for vehicle_id in permit.vehicle_ids:
            by_vehicle.setdefault(vehicle_id, []).append(permit)
    return RegistrySnapshot(version, vehicles, companies, sites, {k: tuple(v) for k, v in by_vehicle.items()})
