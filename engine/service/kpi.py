"""KPI queries over ``case_facts``: the counts of ``engine.domain.kpi`` as GROUP BY in SQL (SQLite, PostgreSQL).

The period's cases are read through the (month, department) index; one query groups them by
(department, district, street, returned_by) and the three levels are summed from its few thousand rows (a
return is charged at the department level to the department that made it). 超期未处置 is
a snapshot over all running cases. Role steps judged in working time: SQL counts the steps whose natural
duration is within the limit (working time never exceeds natural time); only the others are fetched and
measured against the calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from engine.domain.kpi import ROLE_COUNTS, UNIT_COUNTS, Period, add_counts
from engine.domain.kpi_config import KpiConfig, RoleLimit
from engine.domain.working_time import WorkingClock, WorkingTime
from engine.persistence.db import as_utc
from engine.persistence.store import CaseStore

_DISPATCHED = "dispatched_at < ?"
_DISPOSED = "disposed_at < ?"
_DUE = f"({_DISPATCHED} AND (due_at < ? OR {_DISPOSED}))"
_ON_TIME = "(due_at IS NULL OR disposed_at <= due_at)"
_CLOSING = f"({_DUE} AND suspensions = 0)"
_CLOSED = f"({_CLOSING} AND result = 'closed' AND closed_at < ?)"
UNIT_SQL = {  # count → condition; every ? is the cut-off
    "cases": "1 = 1", "dispatched": _DISPATCHED, "due_disposal": _DUE, "disposed": f"({_DUE} AND {_DISPOSED})",
    "disposed_on_time": f"({_DUE} AND {_DISPOSED} AND {_ON_TIME})", "extended": f"({_DUE} AND extensions > 0)",
    "returned": f"({_DISPATCHED} AND returns > 0)", "due_closing": _CLOSING, "closed": _CLOSED,
    "closed_on_time": f"({_CLOSED} AND COALESCE(closed_on_time, {_DISPOSED} AND {_ON_TIME}))",
    "reworked": f"({_CLOSING} AND reworks > 0)",
}
assert tuple(UNIT_SQL) == UNIT_COUNTS
_VALID = "result <> 'voided'"
COHORT = "month >= ? AND month <= ? AND reported_at >= ? AND reported_at < ?"
KEYS = ("department", "district", "resp_grid")
# role step → (who, from, to, count of steps, count within the limit)
STEPS = {"verify": ("verifier", "reported_at", "verified_at", "verified", "verified_on_time"),
         "check": ("checker", "disposed_at", "checked_at", "checked", "checked_on_time"),
         "dispatch": ("dispatcher", "filed_at", "dispatched_at", "dispatches", "dispatched_on_time")}
Counts = dict[str, dict[str, int]]
CLOCK_DAYS = 3660  # a span of steps longer than ten years is measured step by step (a clock per day costs)


def _cohort(store: CaseStore, period: Period) -> list[Any]:
    first, last = period.months
    return [first, last, store.dialect.stamp(period.start), store.dialect.stamp(period.end)]


def _sum(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def unit_counts_by_key(store: CaseStore, period: Period, as_of: datetime) -> dict[tuple[str, ...], dict[str, int]]:
    """(department, district, street, returned_by) → the unit counts of the period's cases at the cut-off."""
    select = ", ".join(f"{_sum(cond)}" for cond in UNIT_SQL.values())
    keys = ", ".join((*KEYS, "returned_by"))
    sql = f"SELECT {keys}, {select} FROM case_facts WHERE {COHORT} GROUP BY {keys}"
    cut = store.dialect.stamp(as_of)
    params = [cut] * select.count("?") + _cohort(store, period)
    rows = store.execute(sql, params).fetchall()
    return {tuple(r[:4]): dict(zip(UNIT_COUNTS, (int(v or 0) for v in r[4:]), strict=True)) for r in rows}


def overdue_by_key(store: CaseStore, as_of: datetime) -> dict[tuple[str, ...], int]:
    """(department, district, street) → running cases past their deadline and not reported back at the cut-off."""
    cut = store.dialect.stamp(as_of)
    rows = store.execute(
        f"SELECT {', '.join(KEYS)}, COUNT(*) FROM case_facts WHERE due_at < ? AND dispatched_at < ?"
        " AND reported_at < ? AND (disposed_at IS NULL OR disposed_at >= ?) AND (closed_at IS NULL OR closed_at >= ?)"
        f" AND result <> 'voided' GROUP BY {', '.join(KEYS)}", [cut] * 5).fetchall()
    return {tuple(r[:3]): int(r[3]) for r in rows}


def roll_up(by_key: dict[tuple[str, ...], dict[str, int]], overdue: dict[tuple[str, ...], int]) -> dict[str, Counts]:
    """The department, district and street totals of the grouped counts (None keys left out).

    A return (回退) made by another department than the final one (``returned_by``) is charged to that
    department — its ``returned`` and ``dispatched`` — and not to the final one (``department_counts``).
    """
    levels: dict[str, Counts] = {"department": {}, "district": {}, "street": {}}

    def add(level: str, code: str | None, counts: dict[str, int]) -> None:
        if code:
            add_counts(levels[level].setdefault(code, dict.fromkeys((*UNIT_COUNTS, "overdue_open"), 0)), counts)

    for (department, district, street, returner), counts in by_key.items():
        add("district", district, counts)
        add("street", street, counts)
        if returner and returner != department and counts["returned"]:
            add("department", returner, {"dispatched": counts["returned"], "returned": counts["returned"]})
            counts = {**counts, "returned": 0}
        add("department", department, counts)
    for key, late in overdue.items():
        for level, code in zip(levels, key, strict=True):
            add(level, code, {"overdue_open": late})
    return levels


def _seconds(store: CaseStore, start: str, end: str) -> str:
    if store.dialect.sqlite:
        return f"((julianday({end}) - julianday({start})) * 86400.0)"
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def limit_delta(limit: RoleLimit, working_time: WorkingTime | None) -> timedelta:
    """The limit as natural time: an upper bound of the working time it allows."""
    if limit.unit == "working_days":
        day = working_time.day_length if working_time is not None else timedelta(hours=24)
        return day * limit.amount
    return timedelta(days=limit.amount) if limit.unit == "natural_days" else timedelta(hours=limit.amount)


def within(start: datetime, end: datetime, limit: RoleLimit, working_time: WorkingTime | None) -> bool:
    """Whether a role step from ``start`` to ``end`` kept to ``limit`` (working units need ``working_time``;
    without one they are measured in natural time)."""
    if limit.unit.startswith("working") and working_time is not None:
        return working_time.elapsed(start, end, limit.unit) <= limit.amount
    return end - start <= limit_delta(limit, working_time)


def role_step_counts(store: CaseStore, period: Period, as_of: datetime, step: str, limit: RoleLimit,
                     working_time: WorkingTime | None) -> Counts:
    """username → (steps, steps within the limit) for one role step of the period's cases."""
    who, start, end, total, on_time = STEPS[step]
    bound = limit_delta(limit, working_time).total_seconds() - 1  # a second of float error goes to Python
    seconds = _seconds(store, start, end)
    where = f"{COHORT} AND {who} IS NOT NULL AND {start} IS NOT NULL AND {end} < ?"
    params = [*_cohort(store, period), store.dialect.stamp(as_of)]
    out: Counts = {}
    for user, steps, quick in store.execute(f"SELECT {who}, COUNT(*), {_sum(f'{seconds} <= ?')} FROM case_facts"
                                            f" WHERE {where} GROUP BY {who}", [bound, *params]).fetchall():
        out[user] = {total: int(steps), on_time: int(quick or 0)}
    slow = [(user, as_utc(began), as_utc(ended)) for user, began, ended in store.execute(
        f"SELECT {who}, {start}, {end} FROM case_facts WHERE {where} AND {seconds} > ?", [*params, bound])]
    kept = _kept_to(limit, working_time, slow)
    for user, began, ended in slow:
        if kept(began, ended):
            out[user][on_time] += 1
    return out


def _kept_to(limit: RoleLimit, working_time: WorkingTime | None,
             steps: list[tuple[Any, Any, Any]]) -> Callable[[datetime, datetime], bool]:
    """``within`` for these steps: in working units through one ``WorkingClock`` over their days (the same
    answer, without walking the duty windows of each step)."""
    if not steps or working_time is None or not limit.unit.startswith("working"):
        return lambda a, b: within(a, b, limit, working_time)
    zone = working_time.zone
    first = min(began for _, began, _ in steps).astimezone(zone).date()
    last = max(ended for _, _, ended in steps).astimezone(zone).date()
    if (last - first).days > CLOCK_DAYS:
        return lambda a, b: within(a, b, limit, working_time)
    clock = WorkingClock(working_time, first, last)
    return lambda a, b: clock.elapsed(a, b, limit.unit) <= limit.amount


def role_counts_by_user(store: CaseStore, period: Period, as_of: datetime, config: KpiConfig,
                        working_time: WorkingTime | None) -> Counts:
    """username → the collector and dispatcher counts of the period's cases at the cut-off."""
    out: Counts = {}
    for step, limit in config.limits.items():
        for user, counts in role_step_counts(store, period, as_of, step, limit, working_time).items():
            add_counts(out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0)), counts)
    cut = store.dialect.stamp(as_of)
    rows = store.execute(
        f"SELECT reporter, COUNT(*), {_sum(_VALID)} FROM case_facts"
        f" WHERE {COHORT} AND reporter IS NOT NULL AND channel IN ('patrol', 'census') AND filed_at < ?"
        " AND (void_reason IS NULL OR void_reason <> 'out_of_scope') GROUP BY reporter",
        [*_cohort(store, period), cut]).fetchall()
    for user, decided, valid in rows:
        add_counts(out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0)),
                   {"decided_reports": int(decided), "valid_reports": int(valid or 0)})
    dispatch = store.execute(
        f"SELECT dispatcher, {_sum('returns = 0 AND wrong_dispatches = 0')} FROM case_facts WHERE {COHORT}"
        " AND dispatcher IS NOT NULL AND filed_at IS NOT NULL AND dispatched_at < ? GROUP BY dispatcher",
        [*_cohort(store, period), cut]).fetchall()
    for user, accurate in dispatch:
        add_counts(out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0)), {"accurate_dispatches": int(accurate or 0)})
    return out


def units(store: CaseStore, level: str) -> list[tuple[str, str, str]]:
    """Every unit of ``level`` as (code, name_zh, name_en), in code order — shown even without cases."""
    sql = {"department": "SELECT code, name_zh, name_en FROM departments",
           "district": "SELECT code, name, name FROM districts",
           "street": "SELECT code, name, name FROM resp_grids",
           "collector": "SELECT username, display_name, display_name FROM users WHERE role = 'collector'",
           "dispatcher": "SELECT username, display_name, display_name FROM users WHERE role = 'dispatcher'"}[level]
    return sorted((str(a), str(b), str(c)) for a, b, c in store.execute(sql).fetchall())


def merge_units(known: Iterable[tuple[str, str, str]], counted: Iterable[str]) -> list[tuple[str, str, str]]:
    """The known units plus any code the facts name that the tables do not (imported history)."""
    known = list(known)
    names = {code for code, _, _ in known}
    return known + [(code, code, code) for code in sorted(set(counted) - names)]
