"""What the GPS ingest and its upkeep read inside their transaction: vehicles' track states (locked for the batch),
alerts by key, a vehicle's track between two times, positions stored with other coordinates than a batch's, and
gps_positions' daily partitions (PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.transport_records import PARTITION_PREFIX


@dataclass(frozen=True)
class TrackState:
    """A vehicle's stored state: its newest checked position and its running facts (None: never checked)."""

    vehicle_id: int
    last_at: datetime
    last_lon: float
    last_lat: float
    facts: dict[str, Any] | None


def _state(row: Any) -> TrackState:
    facts = json.loads(row[4])
    return TrackState(int(row[0]), as_utc_not_null(row[1]), float(row[2]), float(row[3]),
                      facts if isinstance(facts, dict) else None)


_STATE_SQL = "SELECT vehicle_id, last_at, last_lon, last_lat, facts_json FROM vehicle_track_states"


def locked_states(store: CaseStore, vehicle_ids: Sequence[int]) -> dict[int, TrackState]:
    """The states of ``vehicle_ids`` that exist, locked to the end of the transaction (PostgreSQL: FOR UPDATE in
    vehicle order, so two batches naming the same vehicles never deadlock; SQLite's write lock is held already)."""
    wanted = sorted(set(vehicle_ids))
    if not wanted:
        return {}
    rows = store._execute(f"{_STATE_SQL} WHERE vehicle_id IN ({', '.join('?' * len(wanted))})"
                          f" ORDER BY vehicle_id{store.dialect.for_update}", wanted).fetchall()
    return {int(r[0]): _state(r) for r in rows}


def all_states(store: CaseStore) -> list[TrackState]:
    """Every vehicle's state (the silent check), by vehicle."""
    return [_state(r) for r in store._execute(f"{_STATE_SQL} ORDER BY vehicle_id").fetchall()]


def alerts_by_key(store: CaseStore, keys: Sequence[str]) -> dict[str, int]:
    """The stored alerts among ``keys``: key → id."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = store._execute(f"SELECT alert_key, id FROM gps_alerts WHERE alert_key IN ({', '.join('?' * len(wanted))})",
                          wanted).fetchall()
    return {str(k): int(i) for k, i in rows}


def track_points(store: CaseStore, vehicle_id: int, start: datetime, end: datetime) -> list[tuple[datetime, float,
                                                                                                   float]]:
    """The vehicle's positions from ``start`` to ``end`` (both included), in time order: (time, lon, lat)."""
    stamp = store.dialect.stamp
    rows = store._execute("SELECT recorded_at, lon, lat FROM gps_positions WHERE vehicle_id = ? AND recorded_at >= ?"
                          " AND recorded_at <= ? ORDER BY recorded_at", (vehicle_id, stamp(start), stamp(end)))
    return [(as_utc_not_null(t), float(lon), float(lat)) for t, lon, lat in rows.fetchall()]


CONFLICT_CHUNK = 200  # SQLite: positions per statement (4 parameters each, well under its parameter limit)


def moved_positions(store: CaseStore, positions: Sequence[tuple[str, Any, float, float]]) -> list[tuple[str, Any]]:
    """Of ``positions`` — (device, time as the dialect stamps it, lon, lat) — those whose device and time are stored
    with other coordinates: (device, time). PostgreSQL gets them as one array per column in one statement."""
    if not positions:
        return []
    if not store.dialect.sqlite:
        columns = [list(column) for column in zip(*positions, strict=True)]
        rows = store._execute(
            "SELECT k.d, k.t FROM unnest(%b::varchar[], %b::timestamptz[], %b::float8[], %b::float8[])"
            " AS k(d, t, lon, lat) JOIN gps_positions g ON g.device_id = k.d AND g.recorded_at = k.t"
            " WHERE g.lon <> k.lon OR g.lat <> k.lat", columns).fetchall()
        return [(str(d), t) for d, t in rows]
    found: list[tuple[str, Any]] = []
    for start in range(0, len(positions), CONFLICT_CHUNK):
        chunk = positions[start:start + CONFLICT_CHUNK]
        rows = store._execute(
            f"WITH k(d, t, lon, lat) AS (VALUES {', '.join(['(?, ?, ?, ?)'] * len(chunk))})"
            " SELECT k.d, k.t FROM k JOIN gps_positions g ON g.device_id = k.d AND g.recorded_at = k.t"
            " WHERE g.lon <> k.lon OR g.lat <> k.lat", [v for row in chunk for v in row]).fetchall()
        found += [(str(d), t) for d, t in rows]
    return found


def missing_partitions(store: CaseStore, names: Sequence[str]) -> list[str]:
    """Which of the partition ``names`` do not exist (PostgreSQL; in the connection's schema)."""
    return [n for n in names if store._execute("SELECT to_regclass(?)", (n,)).fetchone()[0] is None]


def partitions(store: CaseStore) -> list[str]:
    """gps_positions' daily partitions (PostgreSQL), by name (so by day)."""
    rows = store._execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                          " WHERE i.inhparent = 'gps_positions'::regclass ORDER BY c.relname").fetchall()
    return [str(r[0]) for r in rows if str(r[0]).startswith(PARTITION_PREFIX)]
