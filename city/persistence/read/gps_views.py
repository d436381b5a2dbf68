"""What the transport supervision pages and API read (渣土运输监管; docs/transport.md): every vehicle with its newest
position and open alerts (the live map), a vehicle and its permits with their corridors and sites, a vehicle's
positions over a period (playback; ``ix_gps_positions_vehicle_id_recorded_at``, on PostgreSQL the period also prunes
the daily partitions), alerts by company, kind, state and period with their counts, and one alert with its evidence
and cases. Shaping (states, thinning, corridor polygons) is ``city.transport.views``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from city.persistence.read.kpi_times import epoch_us
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

LIVE_COLUMNS = ("id", "plate", "device_id", "active", "company_code", "company_name", "last_at", "lon", "lat",
                "speed_kmh", "open_alerts")
ALERT_COLUMNS = ("id", "kind", "severity", "state", "rule_id", "subtype_code", "started_at", "last_seen_at", "lon",
                 "lat", "plate", "company_code", "company_name", "permit_code", "review_case_no", "case_no")
PERMIT_COLUMNS = ("id", "code", "state", "valid_from", "valid_to", "hours_json", "corridor_json", "corridor_width_m",
                  "source_site_id", "disposal_site_id")
_TIMES = {"last_at", "started_at", "last_seen_at", "valid_from", "valid_to", "created_at"}


@dataclass(frozen=True)
class AlertFilter:
    """The alert list's filters: company code, kind, state, vehicle (None: any) and the period ``since``..``until``
    (the episode's start)."""

    since: datetime
    until: datetime
    company: str | None = None
    kind: str | None = None
    state: str | None = None
    vehicle_id: int | None = None


def _row(columns: tuple[str, ...], values: Any) -> dict[str, Any]:
    return {name: as_utc(value) if name in _TIMES else value for name, value in zip(columns, values, strict=True)}


def live_vehicles(store: CaseStore, alerts_since: datetime, positions_since: datetime) -> list[dict[str, Any]]:
    """Every registered vehicle with its company, its newest checked position (``vehicle_track_states``), that
    position's speed when it is newer than ``positions_since`` and the number of its open alerts raised since
    ``alerts_since``. The speed is a correlated lookup on ``(vehicle_id, recorded_at)`` per vehicle: a join let
    PostgreSQL hash a whole day of positions (measured: a seq scan of every row since ``positions_since``)."""
    rows = store._execute(
        "SELECT v.id, v.plate, v.device_id, v.active, c.code, c.name, s.last_at, s.last_lon, s.last_lat,"
        " (SELECT MAX(p.speed_kmh) FROM gps_positions p WHERE p.vehicle_id = v.id AND p.recorded_at = s.last_at"
        "  AND p.recorded_at >= ?),"
        " (SELECT COUNT(*) FROM gps_alerts a WHERE a.vehicle_id = v.id AND a.state = 'open' AND a.started_at >= ?)"
        " FROM transport_vehicles v JOIN transport_companies c ON c.id = v.company_id"
        " LEFT JOIN vehicle_track_states s ON s.vehicle_id = v.id ORDER BY v.plate",
        (store.dialect.stamp(positions_since), store.dialect.stamp(alerts_since))).fetchall()
    return [_row(LIVE_COLUMNS, r) for r in rows]


def vehicle(store: CaseStore, plate: str) -> dict[str, Any] | None:
    """The vehicle with ``plate``, its company's code, name, contact and phone; None for an unknown plate."""
    row = store._execute(
        "SELECT v.id, v.plate, v.device_id, v.active, c.code, c.name, c.contact, c.phone, c.credit_code"
        " FROM transport_vehicles v JOIN transport_companies c ON c.id = v.company_id WHERE v.plate = ?",
        (plate,)).fetchone()
    if row is None:
        return None
    return dict(zip(("id", "plate", "device_id", "active", "company_code", "company_name", "company_contact",
                     "company_phone", "company_credit_code"), row, strict=True))


def vehicle_permits(store: CaseStore, vehicle_id: int) -> list[dict[str, Any]]:
    """The permits naming the vehicle (any state, newest validity first), corridor and hours decoded."""
    rows = store._execute(
        f"SELECT {', '.join('p.' + c for c in PERMIT_COLUMNS)} FROM transport_permits p"
        " JOIN transport_permit_vehicles pv ON pv.permit_id = p.id WHERE pv.vehicle_id = ?"
        " ORDER BY p.valid_from DESC, p.id", (vehicle_id,)).fetchall()
    out = []
    for values in rows:
        found = _row(PERMIT_COLUMNS, values)
        found["hours"] = json.loads(found.pop("hours_json") or "[]")
        found["corridor"] = json.loads(found.pop("corridor_json") or "{}")
        out.append(found)
    return out


def sites(store: CaseStore, site_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Site id → {id, code, name, kind, geometry} for the given sites."""
    if not site_ids:
        return {}
    rows = store._execute(f"SELECT id, code, name, kind, geometry_json FROM transport_sites WHERE id IN"
                          f" ({', '.join('?' * len(site_ids))})", site_ids).fetchall()
    return {int(r[0]): {"id": int(r[0]), "code": r[1], "name": r[2], "kind": r[3], "geometry": json.loads(r[4])}
            for r in rows}


def track(store: CaseStore, vehicle_id: int, since: datetime, until: datetime,
          limit: int) -> tuple[int, list[tuple[Any, ...]]]:
    """How many positions the vehicle has from ``since`` to ``until`` (both included), and at most ``limit`` of them
    in time order, thinned evenly in the database (``city.transport.views.thin``'s rows: the first and the last
    kept) — a month of a 1 Hz device is millions of rows, and only the cap ever leaves the database: (epoch µs,
    lon, lat, speed_kmh, heading) tuples."""
    where = "vehicle_id = ? AND recorded_at >= ? AND recorded_at <= ?"
    params: list[Any] = [vehicle_id, store.dialect.stamp(since), store.dialect.stamp(until)]
    total = int(store._execute(f"SELECT COUNT(*) FROM gps_positions WHERE {where}", params).fetchone()[0])
    # a playback reads tens of thousands of positions: integers, not timestamps with their zone
    columns = f"{epoch_us(store, 'recorded_at')}, lon, lat, speed_kmh, heading"
    if total <= limit:
        sql = f"SELECT {columns} FROM gps_positions WHERE {where} ORDER BY recorded_at"
    elif limit < 2:  # no even spread of one point: the newest
        sql, params = f"SELECT {columns} FROM gps_positions WHERE {where} ORDER BY recorded_at DESC LIMIT ?", [
            *params, limit]
    else:
        # row n (from 0) of the period's N is kept when it is the first at or past a multiple of (N-1)/(limit-1):
        # (n*(limit-1)) mod (N-1) < limit-1, in integers on both databases ("%" is the driver's placeholder mark)
        kept = "(t.rn * CAST(? AS BIGINT)) - ((t.rn * CAST(? AS BIGINT)) / CAST(? AS BIGINT)) * CAST(? AS BIGINT)"
        sql = (f"SELECT {columns} FROM (SELECT recorded_at, lon, lat, speed_kmh, heading,"
               f" ROW_NUMBER() OVER (ORDER BY recorded_at) - 1 AS rn FROM gps_positions WHERE {where}) t"
               f" WHERE {kept} < ? ORDER BY t.recorded_at LIMIT ?")
        step, span = limit - 1, total - 1
        params = [*params, step, step, span, span, step, limit]  # LIMIT: rows arriving since the count
    return total, [tuple(r) for r in store._execute(sql, params).fetchall()]


def _alert_where(store: CaseStore, where: AlertFilter) -> tuple[str, list[Any]]:
    clauses, params = ["a.started_at >= ?", "a.started_at <= ?"], [store.dialect.stamp(where.since),
                                                                   store.dialect.stamp(where.until)]
    for column, value in (("c.code", where.company), ("a.kind", where.kind), ("a.state", where.state),
                          ("a.vehicle_id", where.vehicle_id)):
        if value is not None and value != "":
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params


_ALERT_FROM = (" FROM gps_alerts a JOIN transport_vehicles v ON v.id = a.vehicle_id"
               " JOIN transport_companies c ON c.id = a.company_id"
               " LEFT JOIN transport_permits p ON p.id = a.permit_id"
               " LEFT JOIN case_summaries rs ON rs.case_id = a.review_case_id"
               " LEFT JOIN case_summaries cs ON cs.case_id = a.case_id")
_ALERT_SELECT = ("SELECT a.id, a.kind, a.severity, a.state, a.rule_id, a.subtype_code, a.started_at, a.last_seen_at,"
                 " a.lon, a.lat, v.plate, c.code, c.name, p.code, rs.case_no, cs.case_no")


def alerts(store: CaseStore, where: AlertFilter, limit: int) -> list[dict[str, Any]]:
    """The alerts matching ``where``, newest episode first, at most ``limit``."""
    clause, params = _alert_where(store, where)
    rows = store._execute(f"{_ALERT_SELECT}{_ALERT_FROM} WHERE {clause} ORDER BY a.started_at DESC, a.id DESC"
                          " LIMIT ?", [*params, limit]).fetchall()
    return [_row(ALERT_COLUMNS, r) for r in rows]


def alert_counts(store: CaseStore, where: AlertFilter) -> list[tuple[str, str, str, int]]:
    """(company code, company name, kind, count) of the alerts matching ``where``."""
    clause, params = _alert_where(store, where)
    rows = store._execute(
        "SELECT c.code, c.name, a.kind, COUNT(*) FROM gps_alerts a JOIN transport_companies c ON c.id = a.company_id"
        f" WHERE {clause} GROUP BY c.code, c.name, a.kind ORDER BY c.code, a.kind", params).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def alert(store: CaseStore, alert_id: int) -> dict[str, Any] | None:
    """One alert with its vehicle, company, permit, cases' numbers, facts and track segment (decoded); or None."""
    row = store._execute(f"{_ALERT_SELECT}, a.facts_json, a.track_json, a.created_at, a.permit_id{_ALERT_FROM}"
                         " WHERE a.id = ?", (alert_id,)).fetchone()
    if row is None:
        return None
    found = _row(ALERT_COLUMNS, row[:len(ALERT_COLUMNS)])
    found["facts"] = json.loads(row[-4] or "{}")
    found["track"] = json.loads(row[-3] or "null")
    found["created_at"] = as_utc(row[-2])
    found["permit_id"] = row[-1]
    return found


def companies(store: CaseStore) -> list[tuple[str, str]]:
    """(code, name) of every transport company, by code (the alert filter's choices)."""
    return [(str(r[0]), str(r[1])) for r in store._execute(
        "SELECT code, name FROM transport_companies ORDER BY code").fetchall()]
