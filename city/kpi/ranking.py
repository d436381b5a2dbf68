"""Rankings, the monthly report and a department's dashboard, as plain dicts for the API, pages and CLI.

Every result names the settings version it used (``config.version``; None: config/kpi.yaml, not yet applied).
A unit or person with no work to judge in the period is listed apart (``without_work``) and not ranked: with
no case due for disposal and none overdue, 回退率 0 and 超期未处置数 0 alone would score a department 100 and rank
it first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.kpi import joint
from city.kpi import report as q
from city.kpi.config import KpiConfig
from city.kpi.formulas import (
    LEVELS,
    ROLE_COUNTS,
    UNIT_COUNTS,
    composite,
    indicators_of,
    ranks,
    value_of,
)
from city.kpi.month import unit_counts_by_key
from city.kpi.versions import current_config
from city.persistence.read import joint as joint_reads
from city.persistence.read import kpi as kpi_reads
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.milestones import deadline_light
from engine.domain.periods import Period, parse_period
from engine.persistence.db import as_utc
from engine.persistence.read import cases as case_reads
from engine.persistence.read import tasks as task_reads
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps


def _meta(config: KpiConfig, level: str) -> list[dict[str, Any]]:
    return [{"key": i.key, **config.texts[i.key], "weight": config.weights[i.key],
             "higher_is_better": i.higher_is_better, "numerator": i.numerator, "denominator": i.denominator}
            for i in indicators_of(level)]


def has_work(level: str, counts: dict[str, int]) -> bool:
    """Whether the period gives the unit or person something to be judged on: a case due for disposal or one
    overdue at the cut-off (units), a step of their role (people: any denominator of the level's rates)."""
    if LEVELS[level] == "unit":
        return counts.get("due_disposal", 0) > 0 or counts.get("overdue_open", 0) > 0
    return any(counts.get(i.denominator, 0) > 0 for i in indicators_of(level) if i.denominator is not None)


def _rows(level: str, counted: dict[str, dict[str, int]], units: list[tuple[str, str, str]],
          config: KpiConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ranked rows of the units with work, and the rows of those without (no composite, no rank)."""
    indicators = indicators_of(level)
    empty = dict.fromkeys(ROLE_COUNTS if LEVELS[level] != "unit" else (*UNIT_COUNTS, "overdue_open"), 0)
    rows: list[dict[str, Any]] = []
    for code, name_zh, name_en in q.merge_units(units, counted):
        counts: dict[str, int] = {**empty, **counted.get(code, {})}
        values: dict[str, float | None] = {i.key: value_of(i, counts) for i in indicators}
        row: dict[str, Any] = {"code": code, "name_zh": name_zh, "name_en": name_en, "counts": counts,
                               "values": values}
        rows.append(row)
    largest = {i.key: max((r["values"][i.key] or 0.0 for r in rows), default=0.0)
               for i in indicators if i.denominator is None}
    weights = {i.key: config.weights[i.key] for i in indicators}
    idle = [row for row in rows if not has_work(level, row["counts"])]
    rows = [row for row in rows if has_work(level, row["counts"])]
    for row in rows:
        row["composite"] = composite(row["values"], weights, largest)
    for row, rank in zip(rows, ranks(r["composite"] for r in rows), strict=True):
        row["rank"] = rank
    for row in idle:
        row["composite"] = row["rank"] = None
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return rows, idle


def _head(period: Period, as_of: datetime, config: KpiConfig) -> dict[str, Any]:
    return {"period": period.label, "start": period.start.isoformat(), "end": period.end.isoformat(),
            "as_of": as_of.isoformat(),
            "config": {"version": config.version, "sha256": config.sha256,
                       "source": "applied" if config.version is not None else "file"}}


def _levels(store: CaseStore, period: Period, as_of: datetime, config: KpiConfig, deps: Deps,
            wanted: tuple[str, ...]) -> dict[str, dict[str, dict[str, int]]]:
    out: dict[str, dict[str, dict[str, int]]] = {}
    units, people = any(LEVELS[w] == "unit" for w in wanted), any(LEVELS[w] != "unit" for w in wanted)
    # the period's cases, read once for every level wanted
    facts = kpi_reads.period_facts(store, period, as_of, units=units, people=people)
    if units:
        out.update(q.roll_up(unit_counts_by_key(facts), kpi_reads.overdue_by_key(store, as_of)))
    if people:
        users = q.role_counts_of(facts, config, deps.working_time)
        out["collector"] = {u: c for u, c in users.items()
                            if c["decided_reports"] or c["verified"] or c["checked"]}
        out["dispatcher"] = {u: c for u, c in users.items() if c["dispatches"]}
    return out


def compute(deps: Deps, period: Period | str, levels: tuple[str, ...], now: datetime | None = None,
            config: KpiConfig | None = None) -> dict[str, Any]:
    """The head (period, cut-off, settings version) and, per level, its indicators and ranked rows."""
    period = parse_period(period) if isinstance(period, str) else period
    for level in levels:
        indicators_of(level)  # refuses an unknown level, naming the field
    config = config or q.decided_limits(deps, current_config(deps))  # role steps: the step-limit decision's limits
    as_of = period.as_of(now or deps.clock.now())
    with deps.uow(read_only=True) as uow:
        counted = _levels(uow.store, period, as_of, config, deps, levels)
        known = {level: kpi_reads.units(uow.store, level) for level in levels}
    result = _head(period, as_of, config)
    result["terms"] = config.terms
    result["levels"] = {}
    for level in levels:
        rows, idle = _rows(level, counted[level], known[level], config)
        result["levels"][level] = {"indicators": _meta(config, level), "rows": rows, "without_work": idle}
    return result


def ranking(deps: Deps, period: Period | str, level: str = "department", now: datetime | None = None) -> dict[str, Any]:
    """One level's ranking: ``{period, start, end, as_of, config, terms, level, indicators, rows, without_work}``
    (``rows`` ranked; ``without_work`` the units or people with nothing to judge in the period, not ranked)."""
    found = compute(deps, period, (level,), now)
    body = found.pop("levels")[level]
    return {**found, "level": level, **body}


def monthly_report(deps: Deps, month: str, now: datetime | None = None) -> dict[str, Any]:
    """Every level of one month (``yyyy-mm``): what ``gridcase report monthly`` writes."""
    if len(month) != 7:
        raise InvalidCommand("month must be yyyy-mm", field="month")
    return compute(deps, month, tuple(LEVELS), now)


def open_work(deps: Deps, uow: UnitOfWork, department: str, now: datetime) -> dict[str, int]:
    """The department's open cases by deadline light (green, yellow, red, grey = suspended, none = no
    running deadline: waiting for 核查/结案 or not yet timed); the model's milestones say which steps pause it."""
    rows = case_reads.open_deadlines(uow.store, department)
    ready = task_reads.ready_by_department(uow.store, department)
    out = dict.fromkeys(("green", "yellow", "red", "grey", "none"), 0)
    for case_id, due, warn, version_id in rows:
        shade = deadline_light(as_utc(due), as_utc(warn), now, ready=ready.get(case_id, set()),
                               milestones=deps.spec(uow, version_id).milestones, ended=False)
        out[shade or "none"] += 1
    return out


def department_dashboard(deps: Deps, code: str, period: Period | str, now: datetime | None = None) -> dict[str, Any]:
    """A department's own indicators and rank in the period, and its open work by light now."""
    found = ranking(deps, period, "department", now)
    mine = next((r for r in [*found["rows"], *found["without_work"]] if r["code"] == code), None)
    if mine is None:
        raise NotFound(f"department {code} not found", field="code")
    with deps.uow(read_only=True) as uow:
        lights = open_work(deps, uow, code, now or deps.clock.now())
        evaluations = joint_reads.closed_evaluations(uow.store, parse_period(found["period"]),
                                                     datetime.fromisoformat(found["as_of"]))
    co_handling = joint.department_part(evaluations, code)  # 协办: the department's own co-handling parts
    ranked = sum(1 for r in found["rows"] if r["rank"] is not None)
    return {**{k: v for k, v in found.items() if k not in ("rows", "without_work")}, "department": mine,
            "ranked": ranked, "departments": len(found["rows"]) + len(found["without_work"]),
            "without_work": mine in found["without_work"], "open_work": lights, "co_handling": co_handling}
