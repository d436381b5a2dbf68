"""The transport supervision pages' and API's documents (渣土运输监管; docs/transport.md), shaped from
``city.persistence.read.gps_views`` in one read-only transaction each: the live map's vehicles and their states, a
vehicle's registry facts and permits (corridors buffered to polygons, sites), its track over a period (thinned evenly
to at most ``MAX_TRACK_POINTS``) with the alerts raised on it, the alert list with counts by company and kind, and one
alert with its evidence. Times are ISO 8601 strings (UTC)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy
import shapely
import shapely.errors
from shapely.geometry import mapping

from city.persistence.read import gps_views as rows
from city.persistence.read.gps_views import AlertFilter
from city.transport.geometry import LocalProjection
from engine.domain.errors import NotFound
from engine.persistence.db import iso_utc
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps

MAX_TRACK_POINTS = 20_000
MAX_ALERTS = 500  # the alert list's rows (the counts cover every match)
SILENT_AFTER = timedelta(minutes=10)  # the live map greys a vehicle whose newest position is older
MOVING_KMH = 5.0  # the live map's moving/stopped line (GPS speed jitters around 0–3 km/h when parked)
OPEN_ALERTS_WITHIN = timedelta(hours=24)  # an open alert older than this no longer colours the live map
STATES = ("alert", "moving", "stopped", "silent", "no_position")
KINDS = ("off_route", "suspected_dumping", "out_of_hours", "no_permit", "silent")
ALERT_STATES = ("open", "confirmed", "dismissed")


def _state(row: dict[str, Any], now: datetime) -> str:
    """A vehicle's state on the live map: an open alert first, then silent, moving or stopped."""
    if row["last_at"] is None:
        return "no_position"
    if row["open_alerts"]:
        return "alert"
    if now - row["last_at"] > SILENT_AFTER:
        return "silent"
    return "moving" if (row["speed_kmh"] or 0.0) > MOVING_KMH else "stopped"


def live(deps: Deps) -> dict[str, Any]:
    """Every registered vehicle with its newest position and state, and the counts by state."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        # a vehicle silent longer than SILENT_AFTER shows no speed: only the newest minutes' partitions are probed
        found = rows.live_vehicles(uow.store, now - OPEN_ALERTS_WITHIN, now - SILENT_AFTER)
    vehicles = []
    for row in found:
        state = _state(row, now)
        vehicles.append({"plate": row["plate"], "company_code": row["company_code"],
                         "company_name": row["company_name"], "active": bool(row["active"]), "state": state,
                         "at": iso_utc(row["last_at"]), "lon": row["lon"], "lat": row["lat"],
                         "speed_kmh": row["speed_kmh"],
                         "open_alerts": int(row["open_alerts"] or 0)})
    counts = Counter(v["state"] for v in vehicles)
    return {"at": iso_utc(now), "vehicles": vehicles, "counts": {s: counts.get(s, 0) for s in STATES}}


def corridor_polygon(line: dict[str, Any], width_m: float) -> dict[str, Any] | None:
    """A permit's corridor (GeoJSON LineString, WGS84) buffered ``width_m`` either side, as a GeoJSON Polygon:
    buffered in metres on the facts' projection (``LocalProjection``) about the line's first point, so the map
    draws what the rules check. None for a line that is not one."""
    try:
        coords = line["coordinates"]
        projection = LocalProjection(float(coords[0][0]), float(coords[0][1]))
        geometry = projection.geometry(line)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError):
        return None
    if geometry.geom_type != "LineString" or geometry.is_empty:
        return None

    def to_lonlat(xy: Any) -> Any:
        return numpy.column_stack(projection.to_lonlat(xy[:, 0], xy[:, 1]))

    return dict(mapping(shapely.transform(geometry.buffer(float(width_m)), to_lonlat)))


def _permits(store: CaseStore, vehicle_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The vehicle's permits (corridor polygons added) and the sites they name."""
    permits = rows.vehicle_permits(store, vehicle_id)
    site_rows = rows.sites(store, sorted({p[k] for p in permits for k in ("source_site_id", "disposal_site_id")}))
    shaped = []
    for permit in permits:
        source, disposal = site_rows.get(permit["source_site_id"]), site_rows.get(permit["disposal_site_id"])
        shaped.append({"code": permit["code"], "state": permit["state"], "valid_from": iso_utc(permit["valid_from"]),
                       "valid_to": iso_utc(permit["valid_to"]), "hours": permit["hours"],
                       "corridor_width_m": permit["corridor_width_m"], "corridor": permit["corridor"],
                       "corridor_area": corridor_polygon(permit["corridor"], permit["corridor_width_m"]),
                       "source_site": source["code"] if source else None,
                       "disposal_site": disposal["code"] if disposal else None})
    return shaped, list(site_rows.values())


def _vehicle_or_404(store: CaseStore, plate: str) -> dict[str, Any]:
    found = rows.vehicle(store, plate)
    if found is None:
        raise NotFound(f"vehicle {plate} not found")
    return found


def _public(found: dict[str, Any]) -> dict[str, Any]:
    return {k: (bool(v) if k == "active" else v) for k, v in found.items() if k != "id"}


def vehicle(deps: Deps, plate: str) -> dict[str, Any]:
    """A vehicle's registry facts, its permits (corridors, sites); NotFound for an unknown plate."""
    with deps.uow(read_only=True) as uow:
        found = _vehicle_or_404(uow.store, plate)
        permits, sites = _permits(uow.store, found["id"])
    return {"vehicle": _public(found), "permits": permits, "sites": sites}


def thin(count: int, limit: int) -> list[int]:
    """Indices of at most ``limit`` of ``count`` points, evenly spread, the first and the last kept: the first
    index at or past each multiple of (count-1)/(limit-1) — what ``gps_views.track`` keeps in SQL."""
    if count <= limit:
        return list(range(count))
    if limit < 2:
        return [count - 1][:limit]
    return [-(-i * (count - 1) // (limit - 1)) for i in range(limit)]


def track(deps: Deps, plate: str, since: datetime, until: datetime,
          limit: int = MAX_TRACK_POINTS) -> dict[str, Any]:
    """The vehicle's positions from ``since`` to ``until`` as a GeoJSON LineString feature (``properties``: times,
    speeds; at most ``limit`` points, thinned evenly beyond), its permits and sites, and its alerts raised in the
    period; NotFound for an unknown plate."""
    with deps.uow(read_only=True) as uow:
        found = _vehicle_or_404(uow.store, plate)
        total, kept = rows.track(uow.store, found["id"], since, until, limit)  # thinned in the database
        permits, sites = _permits(uow.store, found["id"])
        raised = rows.alerts(uow.store, AlertFilter(since, until, vehicle_id=found["id"]), MAX_ALERTS)
    times = [iso_utc(datetime.fromtimestamp(p[0] / 1_000_000, UTC)) for p in kept]
    feature = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[p[1], p[2]] for p in kept]},
               "properties": {"times": times, "speeds": [p[3] for p in kept]}}
    return {"vehicle": _public(found), "from": iso_utc(since), "to": iso_utc(until), "total_points": total,
            "points": len(kept), "thinned": len(kept) < total, "track": feature, "permits": permits,
            "sites": sites, "alerts": [_alert_item(a) for a in raised]}


def _alert_item(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k not in ("started_at", "last_seen_at", "created_at")},
            "started_at": iso_utc(row["started_at"]), "last_seen_at": iso_utc(row["last_seen_at"])}


def alert_list(deps: Deps, where: AlertFilter) -> dict[str, Any]:
    """The alerts matching ``where`` (newest first, at most ``MAX_ALERTS``) and their counts by company and by
    kind (every match)."""
    with deps.uow(read_only=True) as uow:
        found = rows.alerts(uow.store, where, MAX_ALERTS)
        counted = rows.alert_counts(uow.store, where)
    by_company: dict[str, dict[str, Any]] = {}
    by_kind: Counter[str] = Counter()
    for code, name, kind, count in counted:
        entry = by_company.setdefault(code, {"company_code": code, "company_name": name, "total": 0, "kinds": {}})
        entry["total"] += count
        entry["kinds"][kind] = count
        by_kind[kind] += count
    return {"filters": {"company": where.company, "kind": where.kind, "state": where.state,
                        "from": iso_utc(where.since), "to": iso_utc(where.until)},
            "total": sum(by_kind.values()), "alerts": [_alert_item(a) for a in found],
            "by_company": list(by_company.values()), "by_kind": dict(sorted(by_kind.items()))}


def alert(deps: Deps, alert_id: int) -> dict[str, Any]:
    """One alert: vehicle, company, permit (with its corridor and sites), facts, track segment and the numbers of
    its review case and lifecycle case; NotFound for an unknown id."""
    with deps.uow(read_only=True) as uow:
        found = rows.alert(uow.store, alert_id)
        if found is None:
            raise NotFound(f"alert {alert_id} not found")
        vehicle_row = rows.vehicle(uow.store, found["plate"])
        permits, sites = _permits(uow.store, vehicle_row["id"]) if vehicle_row else ([], [])
    permit = next((p for p in permits if p["code"] == found["permit_code"]), None)
    item = _alert_item(found)
    item.pop("permit_id", None)
    return {**item, "created_at": iso_utc(found["created_at"]), "permit": permit,
            "sites": [s for s in sites if permit and s["code"] in (permit["source_site"], permit["disposal_site"])]}


def companies(deps: Deps) -> list[tuple[str, str]]:
    """(code, name) of every transport company."""
    with deps.uow(read_only=True) as uow:
        return rows.companies(uow.store)
