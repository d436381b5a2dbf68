"""Transport supervision's commands (渣土运输监管): load the registries, record GPS positions, look for silent
vehicles, drop positions past their retention. An alert's review is the ``transport_alert`` case's task, completed
through the normal task API (``CompleteHumanTask``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadTransportRegistry(Command):
    """Load registry files (``files``: file name → text): ``companies.csv``, ``vehicles.csv``, ``sites.geojson``,
    ``permits.geojson`` — any of them; rows are matched by their code (plate for vehicles) and inserted or updated,
    never deleted (a vehicle or permit is retired by ``active``/``state`` in the file). Every file is checked before
    anything is written: one problem refuses the whole load, naming the file, row and field. Admins. Returns the
    counts inserted and updated per registry."""

    files: dict[str, str]
    actor: str


@dataclass(frozen=True)
class RecordGpsPositions(Command):
    """Record a batch of positions (``positions``: ``{device_id, recorded_at, lon, lat, speed_kmh?, heading?}``,
    at most ``MAX_BATCH``), idempotent per device and timestamp, and check them: each known vehicle's facts move on
    and the geofence rules (rules/gps_violation.dmn, as deployed with ``transport_alert``) raise alerts — once per
    vehicle, kind and episode — and, where the rules say so, cases. ``source`` names the sending platform (kept in
    the logs). Returns ``{accepted, duplicates, unknown_devices, alerts}``."""

    positions: tuple[dict[str, Any], ...]
    actor: str
    source: str | None = None


@dataclass(frozen=True)
class CheckSilentVehicles(Command):
    """The scheduler's periodic look for vehicles whose positions stopped while they should be reporting (a permit
    valid now, inside its hours): the rules decide whether silence is an alert. Returns ``{checked, alerts}``."""

    actor: str = "scheduler"


@dataclass(frozen=True)
class PruneGpsPositions(Command):
    """Drop the positions older than the retention setting (``GRIDCASE_GPS_RETENTION_DAYS``): whole daily
    partitions on PostgreSQL, rows on SQLite; and make the partitions of the coming days. Returns
    ``{dropped_days, deleted_rows, made_partitions, busy_days}`` (``busy_days``: partitions whose lock stayed
    taken, left for the next run)."""

    actor: str = "scheduler"
