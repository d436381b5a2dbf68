"""The assessment's rankings, trends, map and period report (考评排名, 趋势, 地图, 月报/季报) as the API, the pages and
the command line show them, each read in one read-only transaction from ``city.persistence.read.assessment_rankings``
and ``assessment_report``. A bad scheme, level or period is refused naming it (422); a period without a round is 404;
no period given means the scheme's newest round with a score (else its newest round)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from city.assessment import ranking_rows, standings
from city.persistence.read import assessment_rankings as rankings_read
from city.persistence.read import assessment_report as report_read
from city.persistence.read import assessment_rounds as rounds_read
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.db import iso_utc
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps

MAX_TREND_PERIODS = 36
MAX_PER_PAGE = 1000  # an object-level ranking runs to thousands of rows: the API pages it
EXTREMES = 10  # the report's lowest and highest objects


def check_choice(value: str | None, choices: tuple[str, ...], field: str) -> str:
    """``value`` when it is one of ``choices``; 422 naming ``field`` otherwise."""
    if value not in choices:
        raise InvalidCommand(f"{field} must be one of {', '.join(choices)}", field=field)
    return value


def _round(store: CaseStore, scheme: str, period: str | None) -> dict[str, Any]:
    """The scheme's round of ``period`` (its newest when None; times as ISO text); 404 naming ``period`` when there
    is none."""
    check_choice(scheme, standings.SCHEMES, "scheme")
    if period is not None:
        standings.check_period(scheme, period)
    found_period = period or rankings_read.newest_period(store, scheme)
    found = rounds_read.round_for_period(store, scheme, found_period) if found_period else None
    if found is None:
        raise NotFound(f"no {scheme} round for period {period or '(any)'}", field="period")
    return {key: iso_utc(value) if key in rounds_read.TIMES else value for key, value in found.items()}


def _ranked(store: CaseStore, scheme: str, period: str, levels: tuple[str, ...],
            now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Each level's ranked rows of the period, from one read of both periods' objects."""
    previous = standings.previous_period(scheme, period)
    rows = rankings_read.scored_objects(store, scheme, [previous, period])
    ranked = {level: ranking_rows.level_rows(rows, period, previous, level) for level in levels}
    if "company" in ranked:
        ranking_rows.with_credit(ranked["company"], _credit_points(store, scheme, period, now))
    return ranked


def _credit_points(store: CaseStore, scheme: str, period: str, now: datetime) -> dict[str, float]:
    """Each company's credit points of the 365 days before the period's end (before now while the period runs, as
    the credit file counts them): a past period shows the credit the company had then (物业信用)."""
    until = min(standings.period_bounds(scheme, period)[1], now)
    rows = report_read.credit_by_company(store, until - timedelta(days=standings.CREDIT_DAYS), until)
    return {row["company"]: row["points"] for row in rows}


def rankings(deps: Deps, scheme: str, period: str | None = None, level: str = "object", page: int = 1,
             per_page: int | None = None) -> dict[str, Any]:
    """The level's rows of the period's round, best first: rank (ties share), score, the previous period's score
    and the change, inspected and not-inspected counts (a company also its credit score and grade); ``per_page``
    given: the ``page``-th of them (``total``: every row)."""
    check_choice(level, standings.LEVELS, "level")
    if page < 1 or (per_page is not None and not 1 <= per_page <= MAX_PER_PAGE):
        raise InvalidCommand(f"page ≥ 1 and per_page 1–{MAX_PER_PAGE}", field="page" if page < 1 else "per_page")
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        found = _round(uow.store, scheme, period)
        rows = _ranked(uow.store, scheme, found["period"], (level,), now)[level]
    inspected = sum(1 for r in rows if r["score"] is not None)
    shown = rows if per_page is None else rows[(page - 1) * per_page:page * per_page]
    return {"scheme": scheme, "period": found["period"], "previous_period": standings.previous_period(
        scheme, found["period"]), "level": level, "round": found, "rows": shown, "total": len(rows), "page": page,
        "per_page": per_page or max(1, len(rows)),
        "counts": {"rows": len(rows), "ranked": inspected, "unranked": len(rows) - inspected}}


def round_periods(deps: Deps, scheme: str) -> list[str]:
    """The periods of the scheme's rounds, newest first."""
    check_choice(scheme, standings.SCHEMES, "scheme")
    with deps.uow(read_only=True) as uow:
        return rankings_read.round_periods(uow.store, scheme)


def trends(deps: Deps, scheme: str, level: str = "district", code: str | None = None, periods: int = 12,
           until: str | None = None) -> dict[str, Any]:
    """The level's averages over the ``periods`` periods ending with ``until`` (the newest round's when None):
    the overall line (every inspected object) and one line per key (``code``: that key's only; required for the
    object level: thousands of lines otherwise)."""
    check_choice(scheme, standings.SCHEMES, "scheme")
    check_choice(level, standings.LEVELS, "level")
    if level == "object" and not code:
        raise InvalidCommand("code is required for the object level (one object's line)", field="code")
    if not 1 <= periods <= MAX_TREND_PERIODS:
        raise InvalidCommand(f"periods must be 1–{MAX_TREND_PERIODS}", field="periods")
    with deps.uow(read_only=True) as uow:
        last = until or rankings_read.newest_period(uow.store, scheme)
        if last is None:
            raise NotFound(f"no {scheme} round yet", field="period")
        labels = standings.previous_periods(scheme, last, periods)
        rows = rankings_read.trend_rows(uow.store, scheme, level, labels, code)
        overall = rankings_read.trend_overall(uow.store, scheme, labels)
    return {"scheme": scheme, "level": level, "code": code, "periods": labels,
            **ranking_rows.trend_series(rows, overall, labels)}


def map_document(deps: Deps, scheme: str, period: str | None = None) -> dict[str, Any]:
    """The round's objects as GeoJSON (compounds' polygons, other objects' points) with score and light, and the
    counts per light."""
    with deps.uow(read_only=True) as uow:
        found = _round(uow.store, scheme, period)
        rows = rankings_read.scored_objects(uow.store, scheme, [found["period"]], geometry=True)
    document = ranking_rows.map_features(rows)
    lights = {colour: 0 for colour in ("green", "yellow", "orange", "red", "grey")}
    for feature in document["features"]:
        lights[feature["properties"]["light"]] += 1
    return {**document, "scheme": scheme, "period": found["period"], "lights": lights}


def _totals(objects: list[dict[str, Any]]) -> dict[str, Any]:
    scores = [r["score"] for r in objects if r["score"] is not None]
    passed = sum(1 for s in scores if s >= standings.PASS_SCORE)
    return {"objects": len(objects), "inspected": len(scores), "not_inspected": len(objects) - len(scores),
            "average": standings.average(scores), "passed": passed,
            "pass_rate": round(100.0 * passed / len(scores), 1) if scores else None,
            "failed_items": sum(r["failed_items"] or 0 for r in objects if r["score"] is not None)}


def report(deps: Deps, scheme: str, period: str | None) -> dict[str, Any]:
    """The period's report (``period`` None: the scheme's newest round with a score, else its newest round): totals
    (objects, inspected, average, pass rate = share ≥ 80), districts and streets ranked, the ten lowest and highest
    objects, failed items by checklist item, rectifications (opened, rectified, repeated, escalated) and the property
    credit events of the period by company."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        found = _round(uow.store, scheme, period)
        ranked = _ranked(uow.store, scheme, found["period"], ("object", "district", "street"), now)
        items = report_read.failed_items(report_read.checklist_items(uow.store, found["checklist_id"]),
                                         report_read.item_counts(uow.store, found["id"]))
        credit = report_read.credit_by_company(uow.store, *standings.period_bounds(scheme, found["period"])) \
            if scheme == "property" else []  # credit concerns property companies: the property scheme's report
    objects = ranked["object"]
    scored = [r for r in objects if r["score"] is not None]
    rectifications = {name: sum(i[name] for i in items) for name in ("opened", "rectified", "repeated")}
    rectifications["escalated"] = sum(1 for r in objects if r["state"] == "escalated")
    return {"scheme": scheme, "period": found["period"], "round": found, "totals": _totals(objects),
            "districts": ranked["district"], "streets": ranked["street"], "lowest": scored[::-1][:EXTREMES],
            "highest": scored[:EXTREMES], "failed_items": items, "rectifications": rectifications,
            "credit": credit, "generated_at": iso_utc(now)}
