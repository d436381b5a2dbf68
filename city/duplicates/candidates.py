"""Possible duplicates of a report at 立案: the open cases of its subtype within a radius and a window of days,
nearest first (``GET /api/v1/cases/{no}/duplicate-candidates``, the task page's panel)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from city.persistence.read import duplicates as reads
from engine.domain.milestones import FILED
from engine.service.deps import Deps

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE_LAT = 111_320.0
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Window:
    """How near (metres) and how close in time (days before or after the report) a candidate must be."""

    radius_m: int = 100
    days: int = 7


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) holding every point within ``radius_m`` of (lon, lat), a little wider."""
    dlat = radius_m / METRES_PER_DEGREE_LAT * 1.01
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def duplicate_candidates(deps: Deps, case_id: int, window: Window) -> dict[str, Any]:
    """The report's own place and subtype, and its candidates nearest first: number, steps, distance (m), report
    time, description and the first image's sha256 (or None). No candidates for a case without a place."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        this = reads.fact_state(store, case_id)
        answer: dict[str, Any] = {"radius_m": window.radius_m, "window_days": window.days, "candidates": []}
        if this is None or this["lon"] is None or this["lat"] is None or not this["subtype"]:
            return answer
        answer.update(subtype=this["subtype"], lon=this["lon"], lat=this["lat"])
        days = timedelta(days=window.days)
        reported = (this["reported_at"] - days, this["reported_at"] + days)
        rows = reads.open_cases_in_box(store, this["subtype"], bounding_box(this["lon"], this["lat"], window.radius_m),
                                       reported, case_id)
        near = [dict(r, distance_m=round(distance_m(this["lon"], this["lat"], r["lon"], r["lat"]), 1)) for r in rows]
        near = sorted((r for r in near if r["distance_m"] <= window.radius_m),
                      key=lambda r: (r["distance_m"], r["reported_at"]))[:MAX_CANDIDATES]
        ids = [r["case_id"] for r in near]
        steps, images = reads.ready_steps(store, ids), reads.first_images(store, ids)
    answer["candidates"] = [dict(r, steps=steps.get(r["case_id"], []), image=images.get(r["case_id"])) for r in near]
    return answer


def case_links(deps: Deps, case_id: int) -> dict[str, Any]:
    """The case's links both ways and how many reports it stands for (itself and its duplicates)."""
    with deps.uow(read_only=True) as uow:
        links = reads.links_of(uow.store, case_id)
        reports = reads.reports_count(uow.store, case_id)
    return {"duplicate_of": next((link for link in links if link["kind"] == "duplicate_of"), None),
            "duplicates": [link for link in links if link["kind"] == "has_duplicate"], "reports": reports}


def filing_task_id(deps: Deps, case_id: int) -> str | None:
    """The case's ready 立案 task (the one whose model milestone is ``filed``), or None."""
    with deps.uow(read_only=True) as uow:
        for task in reads.ready_tasks(uow.store, case_id):
            if deps.spec(uow, task["process_version_id"]).milestones.get(task["bpmn_id"]) == FILED:
                return str(task["id"])
    return None


def task_milestone(deps: Deps, version_id: int, bpmn_id: str) -> str | None:
    """What the task means in its process version's model (``filed``, ``verified`` …), or None."""
    with deps.uow(read_only=True) as uow:
        return deps.spec(uow, version_id).milestones.get(bpmn_id)
