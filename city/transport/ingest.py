"""RecordGpsPositions: a batch of GPS positions checked, stored once per device and time, and checked against the
geofence rules — in one transaction.

1. Every position is checked first (``positions[i].field`` named; one bad position refuses the batch, nothing
   written): device_id 1..64 printable ASCII characters without spaces (as the vehicles registry takes it),
   recorded_at ISO 8601 with an offset, not more than ``FUTURE_MINUTES`` ahead nor older than the retention,
   lon/lat on the globe, speed_kmh 0..300, heading 0..360 (finite numbers: 10**400 is refused, not a crash).
2. In the unit of work: the batch's days' partitions are made when missing (PostgreSQL, once per process and day;
   the upkeep makes them a week ahead; a partition that cannot lock gps_positions within ``DDL_LOCK_TIMEOUT``
   refuses the batch as ``ConcurrencyConflict``, to be sent again), the first position of each device and time
   inserted ``ON CONFLICT DO NOTHING`` (a batch sent again adds nothing; one naming a device and time stored with
   other coordinates is counted in ``conflicts`` and logged, the first kept), each active vehicle's state
   locked (in vehicle order) and advanced by ``city.transport.facts.advance`` over its new positions, the rules
   evaluated on the checkpoints it made, and the hits stored as alerts with their cases (``city.transport.alerts``).
   Unknown devices' positions are kept (vehicle None) and counted (``unknown_devices``: how many devices); a
   retired vehicle's (``active`` 0) are kept under it, unchecked. With no ``transport_alert`` version deployed
   the facts still move on, no alert is raised, and the answer says ``rules: "not deployed"``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from city.persistence.read import gps_ingest as reads
from city.persistence.read.transport_registry import VehicleRow
from city.persistence.repositories.gps import DDL_LOCK_TIMEOUT, GpsStore, partition_name
from city.transport.alerts import Raised, VehicleHit, raise_alerts
from city.transport.commands import RecordGpsPositions
from city.transport.facts import Position, advance
from city.transport.registry_files import DEVICE
from city.transport.violation_rules import ViolationRules
from city.transport.wiring import Registry, TransportCaches, TransportSettings, caches_of
from engine.domain.city_zone import city_zone
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_problem
from engine.persistence.db import is_lock_timeout
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import finish_bulk
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

log = logging.getLogger(__name__)
FUTURE_MINUTES = 5  # a device's clock may run this far ahead of ours
DEVICE_CHARS, SOURCE_CHARS = 64, 100
MAX_PROBLEMS = 20  # a batch refused names at most this many fields (a broken sender would repeat one problem)
FIELDS = frozenset({"device_id", "recorded_at", "lon", "lat", "speed_kmh", "heading"})
RANGES = {"lon": (-180.0, 180.0, True), "lat": (-90.0, 90.0, True), "speed_kmh": (0.0, 300.0, False),
          "heading": (0.0, 360.0, False)}
REFUSED = "the batch has invalid positions: nothing was recorded"

# A checked position: device, time (aware UTC), lon, lat, speed, heading.
Fix = tuple[str, datetime, float, float, float | None, float | None]


def _number_problem(value: Any, low: float, high: float, required: bool) -> str | None:
    if value is None:
        return "is required" if required else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a finite number"
    try:  # an int too large for a float (10**400) is no reading a device sends
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        return "must be a finite number"
    return None if low <= value <= high else f"must be {low:g}..{high:g}"


def _time_problem(value: Any, earliest: datetime, latest: datetime) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str):
        return None, "is required: an ISO 8601 time with an offset"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, "must be an ISO 8601 time with an offset, e.g. 2026-12-07T08:30:00+08:00"
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, "needs an offset (+08:00 or Z)"
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        return None, "is out of range"
    if moment > latest:
        return None, f"is more than {FUTURE_MINUTES} minutes ahead of the server's clock"
    if moment < earliest:
        return None, "is older than the retention period"
    return moment, None


def _device_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "is required: 1..64 characters"
    if len(value) > DEVICE_CHARS:
        return f"must be at most {DEVICE_CHARS} characters"
    if DEVICE.fullmatch(value) is None:  # as the registry's vehicles.csv takes it: the id must be able to name a truck
        return "must be printable ASCII without spaces"
    return None


def _position(index: int, raw: Any, earliest: datetime, latest: datetime,
              problems: dict[str, str]) -> Fix | None:
    """The checked position, or None with its problems added (by ``positions[i].field``)."""
    where = f"positions[{index}]"
    if not isinstance(raw, dict):
        problems[where] = "must be an object"
        return None
    found: dict[str, str] = {}
    for name in raw.keys() - FIELDS:
        found[f"{where}.{name}"] = "is not a field of a position"
    device = raw.get("device_id")
    problem = _device_problem(device)
    if problem:
        found[f"{where}.device_id"] = problem
    moment, problem = _time_problem(raw.get("recorded_at"), earliest, latest)
    if problem:
        found[f"{where}.recorded_at"] = problem
    for name, (low, high, required) in RANGES.items():
        problem = _number_problem(raw.get(name), low, high, required)
        if problem:
            found[f"{where}.{name}"] = problem
    if found or moment is None:
        problems.update(found)
        return None
    speed, heading = raw.get("speed_kmh"), raw.get("heading")
    return (str(device), moment, float(raw["lon"]), float(raw["lat"]), None if speed is None else float(speed),
            None if heading is None else float(heading))


def checked_positions(positions: Any, now: datetime, settings: TransportSettings) -> list[Fix]:
    """The batch's positions checked; FieldsRejected naming ``positions[i].field`` (at most ``MAX_PROBLEMS``)."""
    if not isinstance(positions, list | tuple) or not positions:
        raise FieldsRejected({"positions": f"give 1..{settings.max_batch} positions"}, REFUSED)
    if len(positions) > settings.max_batch:
        raise FieldsRejected({"positions": f"at most {settings.max_batch} positions in one batch, not "
                                           f"{len(positions)}"}, REFUSED)
    earliest = now - timedelta(days=settings.retention_days)
    latest = now + timedelta(minutes=FUTURE_MINUTES)
    problems: dict[str, str] = {}
    fixes = []
    for index, raw in enumerate(positions):
        fix = _position(index, raw, earliest, latest, problems)
        if fix is not None:
            fixes.append(fix)
        elif len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FieldsRejected(dict(list(problems.items())[:MAX_PROBLEMS]), REFUSED)
    return fixes


def _make_partitions(uow: UnitOfWork, caches: TransportCaches, fixes: Sequence[Fix]) -> set[date]:
    """PostgreSQL: the partitions of the batch's UTC days this process has not seen yet, made when missing; those
    days (the caller notes them as known once the transaction committed). The upkeep makes them days ahead, so
    this is for a late day or a new database; when gps_positions stays locked (``DDL_LOCK_TIMEOUT``) the batch is
    refused as ``ConcurrencyConflict`` (409, nothing written): the sender sends it again."""
    if uow.dialect.sqlite:
        return set()
    days = {fix[1].date() for fix in fixes} - caches.partition_days
    missing = reads.missing_partitions(uow.store, [partition_name(d) for d in sorted(days)]) if days else []
    try:
        uow.repository(GpsStore).make_partitions(d for d in days if partition_name(d) in missing)
    except Exception as exc:
        if not is_lock_timeout(exc):
            raise
        raise ConcurrencyConflict(f"the positions' day partition ({', '.join(missing)}) could not be made:"
                                  f" gps_positions stayed locked for {DDL_LOCK_TIMEOUT} by other work;"
                                  " nothing was recorded, send the batch again", field="positions") from exc
    return days


def _first_of_each(fixes: Sequence[Fix]) -> tuple[list[Fix], int]:
    """The batch's first position of each device and time, and how many later ones gave other coordinates."""
    first: dict[tuple[str, datetime], Fix] = {}
    conflicting = 0
    for fix in fixes:
        kept = first.setdefault((fix[0], fix[1]), fix)
        if kept is not fix and kept[2:4] != fix[2:4]:
            conflicting += 1
    return list(first.values()), conflicting


def _store_positions(uow: UnitOfWork, registry: Registry, fixes: Sequence[Fix], now: datetime
                     ) -> tuple[int, set[str], dict[int, list[Fix]], dict[int, VehicleRow]]:
    """Insert the batch (one position per device and time); (new rows, unknown devices, each active vehicle's
    positions, those vehicles)."""
    vehicles = registry.snapshot.vehicles_by_device
    stamp = uow.dialect.stamp
    received = stamp(now)
    rows = []
    unknown: set[str] = set()
    by_vehicle: dict[int, list[Fix]] = {}
    checked: dict[int, VehicleRow] = {}
    for fix in fixes:
        vehicle = vehicles.get(fix[0])
        if vehicle is None:
            unknown.add(fix[0])
        elif vehicle.active:
            by_vehicle.setdefault(vehicle.id, []).append(fix)
            checked[vehicle.id] = vehicle
        rows.append((fix[0], stamp(fix[1]), None if vehicle is None else vehicle.id, *fix[2:], received))
    rows.sort(key=lambda row: (row[0], row[1]))  # key order: two batches sharing rows wait, never deadlock
    inserted = uow.repository(GpsStore).insert_positions(rows)
    return inserted, unknown, by_vehicle, checked


def _conflicts(uow: UnitOfWork, fixes: Sequence[Fix], inserted: int, in_batch: int, source: str) -> int:
    """How many of the batch's positions name a device and time stored, or given earlier in the batch, with other
    coordinates (the first kept: a device's clock stepping back, or a platform resending corrected fixes); logged.
    The stored ones are looked up only when the batch had positions stored already."""
    moved = [] if inserted >= len(fixes) else reads.moved_positions(
        uow.store, [(fix[0], uow.dialect.stamp(fix[1]), fix[2], fix[3]) for fix in fixes])
    if moved or in_batch:
        log.warning("GPS batch from %s: %d positions name a device and time kept with other coordinates (the first"
                    " kept), e.g. %s", source, len(moved) + in_batch, moved[:3] or "within the batch")
    return len(moved) + in_batch


def _new_positions(fixes: list[Fix], after: datetime | None) -> list[Position]:
    """The vehicle's positions after its state's time, in time order, one per time."""
    fixes.sort(key=lambda f: f[1])
    found: list[Position] = []
    last = after
    for fix in fixes:
        if last is None or fix[1] > last:
            found.append(Position(fix[1], fix[2], fix[3], fix[4]))
            last = fix[1]
    return found


def _advance(uow: UnitOfWork, registry: Registry, rules: ViolationRules | None, by_vehicle: dict[int, list[Fix]],
             vehicles: dict[int, VehicleRow], now: datetime) -> list[VehicleHit]:
    """Lock and advance each vehicle's state over its new positions; the rule hits of the checkpoints made."""
    repo = uow.repository(GpsStore)
    states = reads.locked_states(uow.store, list(by_vehicle))
    blank = [(v, min(f[1] for f in fixes), fixes[0][2], fixes[0][3]) for v, fixes in sorted(by_vehicle.items())
             if v not in states]
    if blank:  # a state row to lock first: two batches with a new vehicle's first positions do not both start it
        repo.add_blank_states(blank, now)
        states |= reads.locked_states(uow.store, [row[0] for row in blank])
    zone, saved, hits = city_zone(), [], []
    for vehicle_id in sorted(by_vehicle):
        stored = states.get(vehicle_id)
        facts = stored.facts if stored is not None else None
        positions = _new_positions(by_vehicle[vehicle_id], stored.last_at if facts is not None and stored else None)
        if not positions:
            continue
        new_state, checkpoints = advance(facts, registry.areas.get(vehicle_id, ()), positions, zone,
                                         registry.projection)
        last = positions[-1]
        saved.append((vehicle_id, last.recorded_at, last.lon, last.lat, new_state or {}))
        if rules is not None:
            vehicle = vehicles[vehicle_id]
            hits += [VehicleHit(vehicle_id, vehicle.plate, vehicle.company_id, hit)
                     for checkpoint in checkpoints for hit in rules.hits(vehicle_id, checkpoint)]
    repo.save_states(saved, now)
    return hits


def _answer(sent: int, inserted: int, conflicts: int, unknown: set[str], raised: Raised,
            rules: tuple[int, ViolationRules] | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"accepted": inserted, "duplicates": sent - inserted - conflicts, "conflicts": conflicts,
                              "unknown_devices": len(unknown), "alerts": raised.alerts}
    if rules is None:
        answer["rules"] = "not deployed"
    return answer


def record_gps_positions(cmd: RecordGpsPositions, ctx: HandlerContext) -> dict[str, Any]:
    """Record and check the batch: ``{accepted, duplicates, conflicts, unknown_devices, alerts: [{id, kind, plate,
    case_no?}]}`` (+ ``rules: "not deployed"`` when no transport_alert version is). ``duplicates``: positions
    stored before (or given twice in the batch) as sent; ``conflicts``: a device and time stored, or given earlier
    in the batch, with other coordinates — the first kept, the others counted and logged."""
    deps = ctx.deps
    caches = caches_of(deps)
    check_text(cmd.actor, "actor")
    if cmd.source is not None and (not isinstance(cmd.source, str) or not 0 < len(cmd.source) <= SOURCE_CHARS
                                   or text_problem(cmd.source)):
        raise InvalidCommand(f"source must be 1..{SOURCE_CHARS} characters of text", field="source")
    now = deps.clock.now()
    sent = checked_positions(cmd.positions, now, caches.settings)
    fixes, in_batch = _first_of_each(sent)
    with deps.uow() as uow:
        registry = caches.registry(uow.store)
        rules = caches.rules(uow.store)
        days = _make_partitions(uow, caches, fixes)
        inserted, unknown, by_vehicle, vehicles = _store_positions(uow, registry, fixes, now)
        conflicts = _conflicts(uow, fixes, inserted, in_batch, cmd.source or cmd.actor)
        hits = _advance(uow, registry, rules[1] if rules else None, by_vehicle, vehicles, now)
        raised = raise_alerts(uow, deps, registry, hits, cmd.actor, cmd.actor_kind, now)
    caches.partition_days.update(days)
    finish_bulk(deps, ctx, raised.started)
    if unknown:
        log.info("GPS batch from %s: %d positions of %d unknown devices kept", cmd.source or cmd.actor,
                 sum(1 for f in fixes if f[0] in unknown), len(unknown))
    return _answer(len(sent), inserted, conflicts, unknown, raised, rules)
