"""The transport registries as the API, the admin page and the command line list them: each read opens a
read-only unit of work over ``city/persistence/read/transport_registry.py`` and shapes JSON-safe rows (times as
ISO 8601, a permit's validity now: upcoming, valid or expired)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from city.persistence.read import transport_registry as reads
from city.transport.registry_files import REGISTRIES
from engine.persistence.db import iso_utc
from engine.service.deps import Deps


def _iso(value: Any) -> Any:
    """A row's value as JSON takes it: a time as ISO 8601 UTC text, anything else as it is."""
    return iso_utc(value) if isinstance(value, datetime) else value


def validity(permit: dict[str, Any], now: datetime) -> str:
    """Whether the permit's window holds ``now``: upcoming, valid or expired."""
    if now < permit["valid_from"]:
        return "upcoming"
    return "valid" if now <= permit["valid_to"] else "expired"


def _company_rows(rows: dict[str, dict[str, Any]], vehicles: dict[str, dict[str, Any]],
                  permits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    fleet = Counter(v["company_code"] for v in vehicles.values())
    permitted = Counter(p["company_code"] for p in permits.values())
    return [{**{k: _iso(v) for k, v in company.items() if k != "id"}, "vehicles": fleet[company["code"]],
             "permits": permitted[company["code"]]} for company in rows.values()]


def _vehicle_rows(rows: dict[str, dict[str, Any]], permits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    named: dict[str, list[str]] = {}
    for permit in permits.values():
        for plate in permit["plates"]:
            named.setdefault(plate, []).append(permit["code"])
    return [{**{k: _iso(v) for k, v in vehicle.items() if k not in ("id", "company_id")},
             "permits": named.get(vehicle["plate"], [])} for vehicle in rows.values()]


def _site_rows(rows: dict[str, dict[str, Any]], geometry: bool) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in site.items() if k not in ("id", "company_id") and (geometry or k != "geometry")}
            for site in rows.values()]


def _permit_rows(rows: dict[str, dict[str, Any]], now: datetime, geometry: bool) -> list[dict[str, Any]]:
    hidden = {"id", "company_id", "source_site_id", "disposal_site_id", "vehicle_ids"} | (
        set() if geometry else {"corridor"})
    return [{**{k: _iso(v) for k, v in p.items() if k not in hidden}, "hours": list(p["hours"]),
             "plates": list(p["plates"]), "validity": validity(p, now)} for p in rows.values()]


def companies(deps: Deps) -> list[dict[str, Any]]:
    """Every company by code, with how many vehicles and permits it has."""
    with deps.uow(read_only=True) as uow:
        rows = reads.stored_companies(uow.store)
        vehicles = reads.stored_vehicles(uow.store)
        permits = reads.stored_permits(uow.store)
    return _company_rows(rows, vehicles, permits)


def vehicles(deps: Deps, company: str | None = None) -> list[dict[str, Any]]:
    """Every vehicle by plate (of the company with code ``company``, when given), with its company and the codes
    of the permits naming it."""
    with deps.uow(read_only=True) as uow:
        rows = reads.stored_vehicles(uow.store, company)
        permits = reads.stored_permits(uow.store)
    return _vehicle_rows(rows, permits)


def sites(deps: Deps, geometry: bool = True) -> list[dict[str, Any]]:
    """Every site by code (its polygon as GeoJSON when ``geometry``); a depot (停车场) with its company's code and
    name (None for the other kinds)."""
    with deps.uow(read_only=True) as uow:
        rows = reads.stored_sites(uow.store)
    return _site_rows(rows, geometry)


def permits(deps: Deps, geometry: bool = True) -> list[dict[str, Any]]:
    """Every permit by code: company, sites, width, validity window and its state now, hours, state, plates (its
    corridor as a GeoJSON line when ``geometry``)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        rows = reads.stored_permits(uow.store)
    return _permit_rows(rows, now, geometry)


def all_registries(deps: Deps, geometry: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The four registries by name (as ``registry_list`` gives each), read in one transaction, each table once."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        companies_read = reads.stored_companies(uow.store)
        vehicles_read = reads.stored_vehicles(uow.store)
        sites_read = reads.stored_sites(uow.store)
        permits_read = reads.stored_permits(uow.store)
    return {"companies": _company_rows(companies_read, vehicles_read, permits_read),
            "vehicles": _vehicle_rows(vehicles_read, permits_read), "sites": _site_rows(sites_read, geometry),
            "permits": _permit_rows(permits_read, now, geometry)}


def registry_list(deps: Deps, registry: str, company: str | None = None, geometry: bool = True) -> list[dict[str,
                                                                                                          Any]]:
    """One registry's rows by name (``company``: vehicles only)."""
    if registry == "companies":
        return companies(deps)
    if registry == "vehicles":
        return vehicles(deps, company)
    if registry == "sites":
        return sites(deps, geometry)
    if registry == "permits":
        return permits(deps, geometry)
    raise ValueError(f"no registry {registry!r}: {', '.join(REGISTRIES)}")
