"""Possible duplicates of a report at 立案: the open cases of its subtype within a radius and a window of days,
nearest first (``GET /api/v1/cases/{no}/duplicate-candidates``, the task page's panel)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from city.persistence.read import duplicates as reads
from engine.domain.milestones import FILED
from engine.domain.summary import case_id_from_no
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


def bounding_box(lon: float, lat: float, radius_m: float) -> reads.Box:
    """(min lat, max lat, longitude ranges) holding every point within ``radius_m`` of (lon, lat), a little wider;
    two longitude ranges when the box crosses the antimeridian (±180°)."""
    dlat = radius_m / METRES_PER_DEGREE_LAT * 1.01
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    low, high = lon - dlon, lon + dlon
    if dlon >= 180:
        ranges: tuple[tuple[float, float], ...] = ((-180.0, 180.0),)
    elif low < -180:
        ranges = ((-180.0, high), (low + 360, 180.0))
    elif high > 180:
        ranges = ((low, 180.0), (-180.0, high - 360))
    else:
        ranges = ((low, high),)
    return lat - dlat, lat + dlat, ranges


def _near(deps: Deps, case_id: int, window: Window) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The answer's head and the open cases within the radius, nearest first; the case the report named
    (``report.duplicate_of``) first of all when it is an open live case, however far."""
    answer: dict[str, Any] = {"radius_m": window.radius_m, "window_days": window.days, "candidates": []}
    with deps.uow(read_only=True) as uow:
        store = uow.store
        this = reads.fact_state(store, case_id)
        if this is None or this["lon"] is None or this["lat"] is None or not this["subtype"]:
            return answer, []
        answer.update(subtype=this["subtype"], lon=this["lon"], lat=this["lat"])
        days = timedelta(days=window.days)
        reported = (this["reported_at"] - days, this["reported_at"] + days)
        rows = reads.open_cases_in_box(store, this["subtype"], (this["lon"], this["lat"]),
                                       bounding_box(this["lon"], this["lat"], window.radius_m), reported, case_id)
        named = reads.named_original(store, case_id)
        named_id = case_id_from_no(named) if named is not None else None
        first = reads.fact_state(store, named_id) if named_id is not None and named_id != case_id else None
    near = [dict(r, distance_m=round(distance_m(this["lon"], this["lat"], r["lon"], r["lat"]), 1)) for r in rows]
    near = sorted((r for r in near if r["distance_m"] <= window.radius_m and r["case_no"] != named),
                  key=lambda r: (r["distance_m"], r["reported_at"]))
    if first is not None and first["case_no"] == named and first["result"] == "open" and first["lon"] is not None:
        place = distance_m(this["lon"], this["lat"], first["lon"], first["lat"])
        near.insert(0, {**{k: first[k] for k in ("case_id", "case_no", "subtype", "lon", "lat", "reported_at")},
                        "description": None, "distance_m": round(place, 1), "named": True})
    return answer, near


def duplicate_candidates(deps: Deps, case_id: int, window: Window,
                         visible: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """The report's own place and subtype, and its candidates nearest first (the case its report named first):
    number, steps, distance (m), report time, description and the first image's sha256 (or None). Only those
    ``visible`` (a case number → may the caller see it) when given. No candidates for a case without a place."""
    answer, near = _near(deps, case_id, window)
    kept = []
    for row in near:  # the caller's visibility before the cut: a hidden case leaves room for a visible one
        if visible is None or visible(row["case_no"]):
            kept.append(row)
        if len(kept) == MAX_CANDIDATES:
            break
    ids = [r["case_id"] for r in kept]
    with deps.uow(read_only=True) as uow:
        steps, images = reads.ready_steps(uow.store, ids), reads.first_images(uow.store, ids)
        texts = reads.descriptions(uow.store, [r["case_id"] for r in kept if r.get("named")])
    answer["candidates"] = [dict(r, steps=steps.get(r["case_id"], []), image=images.get(r["case_id"]),
                                 named=bool(r.get("named")),
                                 description=texts.get(r["case_id"], r["description"])) for r in kept]
    return answer


def case_links(deps: Deps, case_id: int) -> dict[str, Any]:
    """The case's links both ways and how many reports it stands for (itself and its duplicates);
    ``unknown_original``: voided as a duplicate without a known original (no link was made)."""
    with deps.uow(read_only=True) as uow:
        links = reads.links_of(uow.store, case_id)
        reports = reads.reports_count(uow.store, case_id)
        state = reads.fact_state(uow.store, case_id)
    original = next((link for link in links if link["kind"] == "duplicate_of"), None)
    voided = state is not None and state["result"] == "voided" and state["void_reason"] == "duplicate"
    return {"duplicate_of": original, "duplicates": [link for link in links if link["kind"] == "has_duplicate"],
            "reports": reports, "unknown_original": voided and original is None}


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
