"""The scheduler's transport upkeep: the look for silent vehicles (``CheckSilentVehicles``, every few minutes) and
the positions' retention (``PruneGpsPositions``, hourly: whole daily partitions detached and dropped on PostgreSQL,
rows deleted on SQLite, and the partitions of today and the next ``DAYS_AHEAD`` days made before their positions
arrive, so the ingest almost never makes one). Partition DDL never waits long for gps_positions' lock: what it
could not lock is left for the next run.

``SCHEDULE`` is what ``gridcase scheduler`` runs and how often (seconds).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from city.persistence.read import gps_ingest as reads
from city.persistence.repositories.gps import GpsStore, partition_name
from city.transport.alerts import VehicleHit, raise_alerts
from city.transport.commands import CheckSilentVehicles, PruneGpsPositions
from city.transport.facts import silent_checkpoint
from city.transport.wiring import caches_of
from engine.domain.city_zone import city_zone
from engine.domain.commands import Command
from engine.persistence.transport_records import PARTITION_PREFIX
from engine.service.bulk_starts import finish_bulk
from engine.service.bus import HandlerContext

DAYS_AHEAD = 7  # partitions made beyond today: a day's first positions never make one, a week of failed runs neither
SILENT_CHECK_SECONDS = 300.0
PRUNE_SECONDS = 3600.0
SCHEDULE: tuple[tuple[float, type[Command]], ...] = ((SILENT_CHECK_SECONDS, CheckSilentVehicles),
                                                     (PRUNE_SECONDS, PruneGpsPositions))


def check_silent_vehicles(cmd: CheckSilentVehicles, ctx: HandlerContext) -> dict[str, Any]:
    """Each active vehicle with a state that should be reporting now (a permit valid, inside its hours) is checked
    for silence by the rules; ``{checked, alerts}`` (new alerts: ``{id, kind, plate}``). Nothing happens while no
    transport_alert version is deployed."""
    deps = ctx.deps
    caches = caches_of(deps)
    now = deps.clock.now()
    zone = city_zone()
    with deps.uow() as uow:
        registry = caches.registry(uow.store)
        rules = caches.rules(uow.store)
        if rules is None:
            return {"checked": 0, "alerts": [], "rules": "not deployed"}
        vehicles = {v.id: v for v in registry.snapshot.vehicles_by_device.values() if v.active}
        hits: list[VehicleHit] = []
        checked = 0
        for state in reads.all_states(uow.store):
            vehicle = vehicles.get(state.vehicle_id)
            if vehicle is None or state.facts is None:
                continue
            checkpoint = silent_checkpoint(state.facts, registry.areas.get(vehicle.id, ()), now, zone)
            if checkpoint is None:
                continue
            checked += 1
            hits += [VehicleHit(vehicle.id, vehicle.plate, vehicle.company_id, hit)
                     for hit in rules[1].hits(vehicle.id, checkpoint)]
        raised = raise_alerts(uow, deps, registry, hits, cmd.actor, cmd.actor_kind, now)
    finish_bulk(deps, ctx, raised.started)
    return {"checked": checked, "alerts": raised.alerts}


def _day_of(name: str) -> datetime | None:
    """Midnight UTC starting the partition's day (partitions are by UTC day)."""
    try:
        return datetime.strptime(name[len(PARTITION_PREFIX):], "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def prune_gps_positions(cmd: PruneGpsPositions, ctx: HandlerContext) -> dict[str, Any]:
    """Drop what is older than the retention; make the coming days' partitions:
    ``{dropped_days, deleted_rows, made_partitions, busy_days}``. A partition whose lock stays taken (a long read
    of the positions; ``DDL_LOCK_TIMEOUT``) is neither waited for nor made to hold up the ingest: it is left for
    the next hourly run (``busy_days``)."""
    deps = ctx.deps
    caches = caches_of(deps)
    now = deps.clock.now()
    cutoff = now - timedelta(days=caches.settings.retention_days)
    with deps.uow() as uow:
        repo = uow.repository(GpsStore)
        if uow.dialect.sqlite:
            return {"dropped_days": [], "deleted_rows": repo.delete_positions_before(cutoff), "made_partitions": [],
                    "busy_days": []}
        # a day's partition goes once its whole day is past the cutoff: every row in it is older than the retention
        old = [name for name in reads.partitions(uow.store)
               if (start := _day_of(name)) is not None and start + timedelta(days=1) <= cutoff]
        dropped = repo.drop_partitions(old)
        today = now.astimezone(UTC).date()
        ahead = [today + timedelta(days=n) for n in range(DAYS_AHEAD + 1)]
        missing = set(reads.missing_partitions(uow.store, [partition_name(day) for day in ahead]))
        made = repo.make_partitions((day for day in ahead if partition_name(day) in missing), skip_busy=True)
    caches.partition_days.clear()  # a dropped day is made again if a late position still names it
    busy = [name for name in old if name not in dropped]
    busy += sorted(missing - {partition_name(day) for day in made})
    return {"dropped_days": [name[len(PARTITION_PREFIX):] for name in dropped], "deleted_rows": 0,
            "made_partitions": [partition_name(day) for day in made],
            "busy_days": [name[len(PARTITION_PREFIX):] for name in busy]}
