"""The GPS ingest's repository (渣土运输监管): positions, daily partitions, vehicles' track states and alerts, written
in the command's transaction (``uow.repository(GpsStore)``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engine.persistence.db import is_lock_timeout
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.transport_records import PARTITION_PREFIX

# One advisory lock key for making or dropping gps_positions' partitions: two workers making the same day at once
# would otherwise race inside CREATE TABLE IF NOT EXISTS (the catalogue's unique index refuses the second).
PARTITION_LOCK_KEY = 0x67707370  # "gpsp"
# How long partition DDL waits for a lock: CREATE/DETACH/DROP take gps_positions' exclusive lock, and while one
# waits behind a long read every insert queues behind it — better to give up and try again later.
DDL_LOCK_TIMEOUT = "2s"
POSITION_COLUMNS = ("device_id", "recorded_at", "vehicle_id", "lon", "lat", "speed_kmh", "heading", "received_at")


def _arrays(*types: str) -> str:
    """PostgreSQL parameters, one array per column of the types named, sent binary (psycopg's ``%b``: as text,
    the escaping of every element costs more than the statement itself)."""
    return ", ".join(f"%b::{kind}[]" for kind in types)


def partition_name(day: date) -> str:
    """The PostgreSQL partition of gps_positions holding UTC ``day``."""
    return f"{PARTITION_PREFIX}{day:%Y%m%d}"


def day_start(day: date) -> datetime:
    """Midnight UTC starting ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)


class GpsStore:
    """Writes gps_positions (and its partitions), vehicle_track_states and gps_alerts."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def make_partitions(self, days: Iterable[date], *, skip_busy: bool = False) -> list[date]:
        """Create the partitions of ``days`` that are missing (PostgreSQL), under the partition lock held to the
        end of the transaction; the days made. Each waits at most ``DDL_LOCK_TIMEOUT`` for its locks: past it the
        lock timeout is raised (the ingest: the batch is refused, to be sent again) or, with ``skip_busy`` (the
        upkeep), that day and the later ones are left for the next run and the transaction goes on."""
        wanted = sorted(set(days))
        if not wanted or self._store.dialect.sqlite:
            return []
        made = []
        for day in wanted:
            name = partition_name(day)
            start, end = day_start(day), day_start(day + timedelta(days=1))
            # the bounds are literal: DDL takes no parameters (the day is a date, so nothing else can get in)
            create = (f"CREATE TABLE {name} PARTITION OF gps_positions"
                      f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
            ran = self._briefly(name, [create], skip_busy=skip_busy)
            if ran is None:
                break  # busy: the next days would wait as long again
            if ran:
                made.append(day)
        return made

    def drop_partitions(self, names: Sequence[str]) -> list[str]:
        """Detach and drop whole daily partitions (PostgreSQL), under the partition lock; the names dropped. One
        whose lock stays taken past ``DDL_LOCK_TIMEOUT`` (a long read of the positions) is left, with the ones after
        it, for the next run."""
        dropped = []
        for name in names:
            if not name.startswith(PARTITION_PREFIX) or not name[len(PARTITION_PREFIX):].isdigit():
                raise ValueError(f"{name!r} is no partition of gps_positions")
            ran = self._briefly(name, [f"ALTER TABLE gps_positions DETACH PARTITION {name}", f"DROP TABLE {name}"],
                                skip_busy=True, exists=True)
            if ran is None:
                break  # busy: the others would wait as long again
            if ran:
                dropped.append(name)
        return dropped

    def _briefly(self, name: str, statements: Sequence[str], *, skip_busy: bool, exists: bool = False) -> bool | None:
        """Run partition ``name``'s DDL under the partition lock when the partition exists as ``exists`` says,
        its locks waited for at most ``DDL_LOCK_TIMEOUT`` — DDL on gps_positions takes its exclusive lock, and
        every insert of the ingest would queue behind DDL waiting on a long read — and the transaction's own wait
        put back after. Whether it ran; with ``skip_busy`` a lock timeout undoes it (a savepoint) and gives
        None, without it the timeout is raised."""
        execute = self._store._execute
        # The partition lock is waited for as long as the transaction waits for any lock: its holder is another
        # batch making the same day, whose commit ends the wait, and a wait for it queues nothing behind it.
        execute("SELECT pg_advisory_xact_lock(?)", (PARTITION_LOCK_KEY,))
        if skip_busy:
            execute("SAVEPOINT gps_partition")
        previous = execute("SELECT current_setting('lock_timeout')").fetchone()[0]
        try:
            execute("SELECT set_config('lock_timeout', ?, true)", (DDL_LOCK_TIMEOUT,))
            ran = (execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None) == exists
            for statement in statements if ran else ():
                execute(statement)
        except Exception as exc:
            if not skip_busy or not is_lock_timeout(exc):
                raise
            execute("ROLLBACK TO SAVEPOINT gps_partition")  # the lock_timeout set in it goes too
            execute("RELEASE SAVEPOINT gps_partition")
            return None
        execute("SELECT set_config('lock_timeout', ?, true)", (previous,))
        if skip_busy:
            execute("RELEASE SAVEPOINT gps_partition")
        return ran

    def delete_positions_before(self, cutoff: datetime) -> int:
        """Delete the positions recorded before ``cutoff`` (SQLite's retention); how many."""
        cursor = self._store._execute("DELETE FROM gps_positions WHERE recorded_at < ?",
                                      (self._store.dialect.stamp(cutoff),))
        return max(0, int(cursor.rowcount))

    def insert_positions(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert positions (``POSITION_COLUMNS`` order; times as the dialect stamps them), a device's time already
        stored skipped; how many were new. PostgreSQL gets the batch as one array per column in one statement
        (``unnest``): an ``executemany`` costs a round of the protocol per row, several times the insert itself."""
        if not rows:
            return 0
        if self._store.dialect.sqlite:
            return self.insert_positions_each(rows)
        columns = [list(column) for column in zip(*rows, strict=True)]
        cursor = self._store._execute(
            f"INSERT INTO gps_positions ({', '.join(POSITION_COLUMNS)}) SELECT * FROM unnest("
            f"{_arrays('varchar', 'timestamptz', 'int', 'float8', 'float8', 'float8', 'float8', 'timestamptz')})"
            " ON CONFLICT (device_id, recorded_at) DO NOTHING", columns)
        return max(0, int(cursor.rowcount))

    def insert_positions_each(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """``insert_positions`` as an ``executemany`` of one row each (SQLite's way; the bench's bare baseline)."""
        self._store._executemany(
            f"INSERT INTO gps_positions ({', '.join(POSITION_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (device_id, recorded_at) DO NOTHING", rows)
        return max(0, int(self._store.cur.rowcount))

    def add_blank_states(self, rows: Sequence[tuple[int, datetime, float, float]], now: datetime) -> None:
        """A state row (facts ``null``) for vehicles that have none — (vehicle, first time, lon, lat) — so it can
        be locked; one another transaction made first is kept."""
        stamp = self._store.dialect.stamp
        self._store._executemany(
            "INSERT INTO vehicle_track_states (vehicle_id, last_at, last_lon, last_lat, facts_json, updated_at)"
            " VALUES (?, ?, ?, ?, 'null', ?) ON CONFLICT (vehicle_id) DO NOTHING",
            [(vehicle, stamp(at), lon, lat, stamp(now)) for vehicle, at, lon, lat in rows])

    def save_states(self, rows: Sequence[tuple[int, datetime, float, float, dict[str, Any]]], now: datetime) -> None:
        """The vehicles' new states: (vehicle, last time, lon, lat, facts); on PostgreSQL in one statement."""
        stamp = self._store.dialect.stamp
        values = [(vehicle, stamp(at), lon, lat, json.dumps(facts, separators=(",", ":")))
                  for vehicle, at, lon, lat, facts in rows]
        if not values:
            return
        if self._store.dialect.sqlite:
            self._store._executemany(
                "UPDATE vehicle_track_states SET last_at = ?, last_lon = ?, last_lat = ?, facts_json = ?,"
                " updated_at = ? WHERE vehicle_id = ?", [(*v[1:], stamp(now), v[0]) for v in values])
            return
        self._store._execute(
            "UPDATE vehicle_track_states s SET last_at = u.last_at, last_lon = u.lon, last_lat = u.lat,"
            " facts_json = u.facts, updated_at = ?"
            f" FROM unnest({_arrays('int', 'timestamptz', 'float8', 'float8', 'text')})"
            " AS u(vehicle_id, last_at, lon, lat, facts) WHERE s.vehicle_id = u.vehicle_id",
            [stamp(now), *[list(column) for column in zip(*values, strict=True)]])

    def insert_alert(self, row: dict[str, Any], now: datetime) -> int | None:
        """A new alert (``row``: the columns but id, state, cases and created_at); its id, or None when its
        ``alert_key`` is stored already (another transaction raised it first)."""
        stamp = self._store.dialect.stamp
        found = self._store._execute(
            "INSERT INTO gps_alerts (alert_key, vehicle_id, company_id, permit_id, kind, rule_id, subtype_code,"
            " severity, started_at, last_seen_at, lon, lat, facts_json, track_json, state, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)"
            " ON CONFLICT (alert_key) DO NOTHING RETURNING id",
            (row["alert_key"], row["vehicle_id"], row["company_id"], row["permit_id"], row["kind"], row["rule_id"],
             row["subtype_code"], row["severity"], stamp(row["started_at"]), stamp(row["last_seen_at"]), row["lon"],
             row["lat"], json.dumps(row["facts"], ensure_ascii=False, sort_keys=True),
             json.dumps(row["track"], ensure_ascii=False, separators=(",", ":")), stamp(now))).fetchone()
        return None if found is None else int(found[0])

    def alert_seen(self, rows: Sequence[tuple[int, datetime, dict[str, Any]]]) -> None:
        """Existing alerts seen again: (id, checkpoint time, facts); last_seen_at only moves forward."""
        stamp = self._store.dialect.stamp
        self._store._executemany(
            "UPDATE gps_alerts SET last_seen_at = ?, facts_json = ? WHERE id = ? AND last_seen_at < ?",
            [(stamp(at), json.dumps(facts, ensure_ascii=False, sort_keys=True), alert_id, stamp(at))
             for alert_id, at, facts in rows])

    def set_alert_cases(self, rows: Sequence[tuple[int, int | None, int | None]]) -> None:
        """The cases an alert opened: (alert id, review case id, lifecycle case id)."""
        self._store._executemany("UPDATE gps_alerts SET review_case_id = ?, case_id = ? WHERE id = ?",
                                 [(review, case, alert_id) for alert_id, review, case in rows])
