"""Rule hits become GPS alerts (告警) and cases, in the command's transaction.

One alert per vehicle, kind and episode (``alert_key``): a hit whose key is stored moves the alert's
``last_seen_at`` and facts only, so a batch sent again or an episode going on in the next batch never raises a
second alert or opens a second case. A new alert keeps its track segment (the positions from the episode's start to
the checkpoint, at most ``TRACK_POINTS``, thinned evenly) as a GeoJSON Feature whose LineString carries each
point's time in ``properties.times``; it starts a ``transport_alert`` review case and, when the hit says
``open_case``, first a lifecycle case (channel gps) through the path census findings use
(``engine.service.bulk_starts.start_cases_in``), whose number the review case carries. The caller hands the started
cases to ``finish_bulk`` after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from city import commands as city_commands
from city.intake.report import LIFECYCLE, report_payload, stored_problems
from city.persistence.read import gps_ingest as reads
from city.persistence.repositories.gps import GpsStore
from city.transport.violation_rules import PROCESS, Hit
from city.transport.wiring import Registry
from engine.domain.city_zone import city_zone
from engine.persistence.repositories.versions import latest_version
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import StartedCase, start_cases_in
from engine.service.deps import Deps

log = logging.getLogger(__name__)
CHANNEL = "gps"
TRACK_POINTS = 500
KIND_NAMES = {"off_route": "偏离路线 off route", "suspected_dumping": "疑似偷倒 suspected dumping",
              "out_of_hours": "超时段运输 out of hours", "no_permit": "无证运输 no permit",
              "silent": "GPS离线 silent"}


@dataclass(frozen=True)
class VehicleHit:
    """A rule hit of a vehicle (its registry row's id, plate and company)."""

    vehicle_id: int
    plate: str
    company_id: int
    hit: Hit


@dataclass
class Raised:
    """What the hits raised: the new alerts (``{id, kind, plate, case_no?}``) and the cases started (for
    ``finish_bulk``)."""

    alerts: list[dict[str, Any]]
    started: list[StartedCase]


def thinned(points: Sequence[Any], limit: int = TRACK_POINTS) -> list[Any]:
    """At most ``limit`` of ``points``, evenly spread, the first and the last kept."""
    if len(points) <= limit:
        return list(points)
    last = len(points) - 1
    return [points[round(i * last / (limit - 1))] for i in range(limit)]


def track_segment(uow: UnitOfWork, vehicle_id: int, start: datetime, end: datetime,
                  at: tuple[float, float]) -> dict[str, Any]:
    """The vehicle's track from ``start`` to ``end`` as a GeoJSON Feature (LineString, ``properties.times``);
    a line needs two points, so a lone point (``at`` when there is none) is given twice."""
    points = thinned(reads.track_points(uow.store, vehicle_id, start, end))
    if not points:
        points = [(end, at[0], at[1])]
    if len(points) == 1:
        points = points * 2
    line = {"type": "LineString", "coordinates": [[lon, lat] for _, lon, lat in points]}
    return {"type": "Feature", "geometry": line,
            "properties": {"times": [t.isoformat() for t, _, _ in points]}}


def _latest_per_key(hits: Sequence[VehicleHit]) -> dict[str, VehicleHit]:
    """One hit per alert key: the latest checkpoint's (its facts are the episode's newest)."""
    found: dict[str, VehicleHit] = {}
    for item in hits:
        known = found.get(item.hit.alert_key)
        if known is None or item.hit.checkpoint.at >= known.hit.checkpoint.at:
            found[item.hit.alert_key] = item
    return found


def _alert_row(uow: UnitOfWork, item: VehicleHit) -> dict[str, Any]:
    hit, point = item.hit, item.hit.checkpoint
    return {"alert_key": hit.alert_key, "vehicle_id": item.vehicle_id, "company_id": item.company_id,
            "permit_id": point.permit_id, "kind": hit.kind, "rule_id": hit.rule_id, "subtype_code": hit.subtype,
            "severity": hit.severity, "started_at": hit.started_at, "last_seen_at": point.at, "lon": point.lon,
            "lat": point.lat, "facts": point.facts,
            "track": track_segment(uow, item.vehicle_id, hit.started_at, point.at, (point.lon, point.lat))}


def _report(item: VehicleHit, alert_id: int, actor: str) -> city_commands.ReportProblem:
    hit = item.hit
    when = hit.started_at.astimezone(city_zone()).strftime("%Y-%m-%d %H:%M")
    description = (f"车辆 {item.plate} {KIND_NAMES.get(hit.kind, hit.kind)}，自 {when} 起"
                   f"（GPS 告警 #{alert_id}，规则 {hit.rule_id}）")
    return city_commands.ReportProblem(hit.subtype or "", description, hit.checkpoint.lon, hit.checkpoint.lat,
                                       CHANNEL, actor)


def _lifecycle_payloads(uow: UnitOfWork, new: list[tuple[int, VehicleHit]],
                        actor: str) -> list[tuple[int, dict[str, Any]]]:
    """(alert id, lifecycle start data) of the new alerts whose hit opens a case and whose report the city takes
    (a subtype or channel it lacks is logged and the alert kept without a case: the batch is not refused for it)."""
    wanted = [(alert_id, item) for alert_id, item in new if item.hit.open_case]
    if not wanted:
        return []
    if latest_version(uow.store, LIFECYCLE) is None:
        log.warning("GPS alerts %s open no case: no %s is deployed", [a for a, _ in wanted], LIFECYCLE)
        return []
    payloads = []
    for alert_id, item in wanted:
        report = _report(item, alert_id, actor)
        problems = stored_problems(uow.store, report)
        if problems:
            log.warning("GPS alert %s opens no case: %s", alert_id, problems)
            continue
        payload = report_payload(report)
        payload["gps_alert"] = {"id": alert_id, "plate": item.plate, "kind": item.hit.kind,
                                "started_at": item.hit.started_at.isoformat()}
        payloads.append((alert_id, payload))
    return payloads


def _review_payload(registry: Registry, alert_id: int, item: VehicleHit, case_no: str | None) -> dict[str, Any]:
    hit, point = item.hit, item.hit.checkpoint
    company = registry.snapshot.companies.get(item.company_id)
    permit = registry.permits.get(point.permit_id) if point.permit_id is not None else None
    return {"alert": {"id": alert_id, "kind": hit.kind, "severity": hit.severity, "plate": item.plate,
                      "company_code": company.code if company else None,
                      "company_name": company.name if company else None,
                      "permit_code": permit.code if permit else None, "started_at": hit.started_at.isoformat(),
                      "lon": point.lon, "lat": point.lat, "facts": point.facts, "rule_id": hit.rule_id,
                      "case_no": case_no}}


def _start_cases(uow: UnitOfWork, deps: Deps, registry: Registry, new: list[tuple[int, VehicleHit]], actor: str,
                 actor_kind: str | None, now: datetime) -> tuple[dict[int, StartedCase], list[StartedCase]]:
    """The lifecycle cases (by alert id) and every case started: lifecycle first, so each review case carries its
    lifecycle case's number."""
    lifecycle = _lifecycle_payloads(uow, new, actor)
    opened = start_cases_in(uow, deps, LIFECYCLE, [p for _, p in lifecycle], actor, now, actor_kind=actor_kind,
                            channel=CHANNEL, external_ids=[f"alert:{a}" for a, _ in lifecycle]) if lifecycle else []
    cases = {alert_id: started for (alert_id, _), started in zip(lifecycle, opened, strict=True)}
    reviews = [_review_payload(registry, alert_id, item, cases[alert_id].case_no if alert_id in cases else None)
               for alert_id, item in new]
    reviewed = start_cases_in(uow, deps, PROCESS, reviews, actor, now, actor_kind=actor_kind, numbers=False)
    uow.repository(GpsStore).set_alert_cases(
        [(alert_id, review.case_id, cases[alert_id].case_id if alert_id in cases else None)
         for (alert_id, _), review in zip(new, reviewed, strict=True)])
    return cases, [*opened, *reviewed]


def raise_alerts(uow: UnitOfWork, deps: Deps, registry: Registry, hits: Sequence[VehicleHit], actor: str,
                 actor_kind: str | None, now: datetime) -> Raised:
    """Store the hits as alerts (a known key: seen again) and start the new alerts' cases."""
    if not hits:
        return Raised([], [])
    repo = uow.repository(GpsStore)
    latest = _latest_per_key(hits)
    known = reads.alerts_by_key(uow.store, list(latest))
    again = [(known[key], item.hit.checkpoint.at, item.hit.checkpoint.facts) for key, item in latest.items()
             if key in known]
    repo.alert_seen(again)
    new: list[tuple[int, VehicleHit]] = []
    for key, item in latest.items():
        if key not in known:
            alert_id = repo.insert_alert(_alert_row(uow, item), now)
            if alert_id is not None:  # None: raised by another transaction meanwhile (the silent check's race)
                new.append((alert_id, item))
    if not new:
        return Raised([], [])
    cases, started = _start_cases(uow, deps, registry, new, actor, actor_kind, now)
    answers = [{"id": alert_id, "kind": item.hit.kind, "plate": item.plate,
                **({"case_no": cases[alert_id].case_no} if alert_id in cases else {})} for alert_id, item in new]
    return Raised(answers, started)
