"""LoadTransportRegistry (载入渣土运输登记): check the registry files, then insert or update companies, vehicles,
sites and permits by code (plate for vehicles) in one unit of work.

Every file is read and checked first (``city.transport.registry_files``), then the references between them and the
rows already stored; one problem refuses the whole load (``FieldsRejected`` naming file, row and field) and nothing is
written. A row that matches its stored twin is left alone (its ``updated_at`` too), so loading the same files again
changes nothing — not even ``registry_version``, which the ingest's cached snapshot watches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from shapely.geometry import shape
from shapely.ops import unary_union

from city.persistence.read import transport_registry as reads
from city.persistence.repositories.transport_registry import TransportRegistryStore
from city.registry_loads import Counts, fields_equal, refuse_non_admins, split_rows, write_time
from city.transport.commands import LoadTransportRegistry
from city.transport.registry_checks import Stored, check_references, read_files
from city.transport.registry_files import RegistryFiles
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand
from engine.domain.forms import FieldsRejected
from engine.persistence.db import is_unique_violation
from engine.persistence.read.city import grid_rows
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

CITY_MARGIN_DEG = 0.3  # sites and corridors within ~30 km of the city's districts
LOADING = "load the transport registries"  # what only an admin may do


def city_box(districts: list[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    """The box the registry's geometry must lie in: the districts' bounds and a margin (None: no city loaded)."""
    if not districts:
        return None
    west, south, east, north = unary_union([shape(d) for d in districts]).bounds
    return (west - CITY_MARGIN_DEG, south - CITY_MARGIN_DEG, east + CITY_MARGIN_DEG, north + CITY_MARGIN_DEG)


@contextmanager
def _one_load_at_a_time() -> Iterator[None]:
    """Two loads at once adding the same code: the later one's insert breaks a unique key and is refused 409
    (nothing written) rather than a 500; sent again, it sees the other's rows."""
    try:
        yield
    except GridcaseError:
        raise
    except Exception as exc:
        if is_unique_violation(exc):
            raise ConcurrencyConflict("the registries were changed at the same time; retry", field="files") from exc
        raise


Rows = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class StoredTables:
    """The four registries as stored when the load began, each read once (``reads.stored_*``): the references'
    checks and the writes both work from them."""

    companies: Rows
    vehicles: Rows
    sites: Rows
    permits: Rows


def stored_tables(store: CaseStore) -> StoredTables:
    """Each registry table read once."""
    return StoredTables(reads.stored_companies(store), reads.stored_vehicles(store), reads.stored_sites(store),
                        reads.stored_permits(store))


def _companies(repo: TransportRegistryStore, store: CaseStore, rows: list[dict[str, Any]], stored: Rows,
               at: datetime) -> tuple[Counts, Rows]:
    """The counts, and the companies as they are now (read again only when some were inserted: their ids)."""
    new, changed, counts = split_rows(rows, stored, itemgetter("code"),
                                  fields_equal("name", "credit_code", "contact", "phone", "active"))
    repo.insert_companies(new, at)
    repo.update_companies(changed, at)
    return counts, reads.stored_companies(store) if new else stored


def _vehicles(repo: TransportRegistryStore, store: CaseStore, rows: list[dict[str, Any]], stored: Rows,
              company_ids: dict[str, int], at: datetime) -> tuple[Counts, Rows]:
    """The counts, and the vehicles as they are now (read again only when some were inserted: their ids)."""
    rows = [{**r, "company_id": company_ids[r["company_code"]]} for r in rows]
    new, changed, counts = split_rows(rows, stored, itemgetter("plate"),
                                      fields_equal("company_id", "device_id", "active"))
    repo.park_devices([stored[r["plate"]]["id"] for r in changed
                       if r["device_id"] != stored[r["plate"]]["device_id"]])
    repo.update_vehicles(changed, at)
    repo.insert_vehicles(new, at)
    return counts, reads.stored_vehicles(store) if new else stored


def _sites(repo: TransportRegistryStore, store: CaseStore, rows: list[dict[str, Any]], stored: Rows,
           company_ids: dict[str, int], at: datetime) -> tuple[Counts, Rows]:
    """The counts, and the sites as they are now (read again only when some were inserted: their ids)."""
    rows = [{**r, "company_id": company_ids[r["company_code"]] if r["company_code"] else None} for r in rows]
    new, changed, counts = split_rows(rows, stored, itemgetter("code"),
                                      fields_equal("name", "kind", "geometry", "company_id"))
    repo.insert_sites(new, at)
    repo.update_sites(changed, at)
    return counts, reads.stored_sites(store) if new else stored


def _permits(repo: TransportRegistryStore, store: CaseStore, rows: list[dict[str, Any]], stored: Rows,
             ids: dict[str, dict[str, int]], at: datetime) -> Counts:
    """``ids``: the companies', sites' and vehicles' ids by code (plate), the load's new ones among them."""
    company_ids, site_ids, vehicle_ids = ids["companies"], ids["sites"], ids["vehicles"]
    rows = [{**r, "company_id": company_ids[r["company_code"]], "source_site_id": site_ids[r["source_site"]],
             "disposal_site_id": site_ids[r["disposal_site"]],
             "vehicle_ids": tuple(sorted({vehicle_ids[p] for p in r["plates"]}))} for r in rows]
    new, changed, counts = split_rows(rows, stored, itemgetter("code"), fields_equal(
        "company_id", "source_site_id", "disposal_site_id", "corridor", "corridor_width_m", "valid_from",
        "valid_to", "hours", "state", "vehicle_ids"))
    repo.insert_permits(new, at)
    repo.update_permits(changed, at)
    permit_ids = {code: p["id"] for code, p in (reads.stored_permits(store) if new else stored).items()}
    repo.replace_permit_vehicles({permit_ids[r["code"]]: r["vehicle_ids"] for r in [*new, *changed]})
    return counts


def _ids(rows: Rows) -> dict[str, int]:
    return {key: row["id"] for key, row in rows.items()}


def _apply(uow: UnitOfWork, parsed: RegistryFiles, tables: StoredTables, now: datetime) -> dict[str, Counts]:
    store = uow.store
    at = write_time(now, reads.latest_update(store))
    repo = uow.repository(TransportRegistryStore)
    companies, company_rows = _companies(repo, store, parsed.companies, tables.companies, at)
    company_ids = _ids(company_rows)
    vehicles, vehicle_rows = _vehicles(repo, store, parsed.vehicles, tables.vehicles, company_ids, at)
    sites, site_rows = _sites(repo, store, parsed.sites, tables.sites, company_ids, at)
    permits = _permits(repo, store, parsed.permits, tables.permits,
                       {"companies": company_ids, "sites": _ids(site_rows), "vehicles": _ids(vehicle_rows)}, at)
    return {"companies": companies, "vehicles": vehicles, "sites": sites, "permits": permits}


def _stored(tables: StoredTables) -> Stored:
    """The stored rows as the load's references need them."""
    return Stored(frozenset(tables.companies),
                  {plate: (v["company_code"], v["device_id"]) for plate, v in tables.vehicles.items()},
                  {code: s["kind"] for code, s in tables.sites.items()},
                  {code: (p["company_code"], p["source_site"], p["disposal_site"], p["plates"])
                   for code, p in tables.permits.items()})


def load_transport_registry(cmd: LoadTransportRegistry, ctx: HandlerContext) -> dict[str, Counts]:
    """Check every file (422 naming each problem's file, row and field; nothing written), then insert or update
    each registry's rows in one unit of work: ``{companies|vehicles|sites|permits: {inserted, updated,
    unchanged}}``."""
    deps = ctx.deps
    check_text(cmd.actor, "actor")
    if not cmd.files:
        raise InvalidCommand("name at least one file: companies.csv, vehicles.csv, sites.geojson, permits.geojson",
                             field="files")
    with deps.uow(read_only=True) as uow:  # the files are read outside the write transaction: it waits for none
        refuse_non_admins(uow, cmd.actor, LOADING)
        box = city_box([json.loads(row[-1]) for row in grid_rows(uow.store, "district")])
    parsed, problems = read_files(dict(cmd.files), box)
    with _one_load_at_a_time(), deps.uow() as uow:
        uow.repository(TransportRegistryStore).lock_loads()  # first: the checks below read what no other load writes
        refuse_non_admins(uow, cmd.actor, LOADING)
        tables = stored_tables(uow.store)
        check_references(parsed, _stored(tables), problems)
        if problems.count:
            raise FieldsRejected(problems.fields(), f"the registry files have {problems.count} problem(s);"
                                                    " nothing was loaded")
        return _apply(uow, parsed, tables, deps.clock.now())
