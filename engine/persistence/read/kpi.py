"""KPI counts over ``case_facts``: the counts of ``engine.domain.kpi`` as GROUP BY in SQL (SQLite, PostgreSQL).

The period's cases are read through the (month, department) index; one query groups them by
(department, district, street, returned_by). 超期未处置 is a snapshot over all running cases, read through two
partial indexes (the cases reported back late, those never reported back). Role steps: each
step's begin and end in epoch microseconds, for the service to measure in working time (``engine.service.kpi``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.kpi import UNIT_COUNTS, Period
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


# 超期未处置: a case overdue at the cut-off was reported back after its deadline (then after the cut-off) or never;
# each part is one range of a partial index of migration 0013 (its WHERE repeated, so the planner may use it).
_RUNNING = "due_at < ? AND dispatched_at < ? AND reported_at < ? AND (closed_at IS NULL OR closed_at >= ?)"
_LATE = "result <> 'voided' AND disposed_at > due_at"
_UNDISPOSED = "result <> 'voided' AND disposed_at IS NULL"


def overdue_by_key(store: CaseStore, as_of: datetime) -> dict[tuple[str, ...], int]:
    """(department, district, street) → running cases past their deadline and not reported back at the cut-off
    (not voided): those reported back late after the cut-off (``ix_case_facts_late``) and those never reported
    back (``ix_case_facts_undisposed``)."""
    cut = store.dialect.stamp(as_of)
    keys = ", ".join(KEYS)
    rows = store.execute(
        f"SELECT {keys}, COUNT(*) FROM case_facts WHERE {_LATE} AND disposed_at >= ? AND {_RUNNING}"
        f" GROUP BY {keys} UNION ALL SELECT {keys}, COUNT(*) FROM case_facts WHERE {_UNDISPOSED} AND {_RUNNING}"
        f" GROUP BY {keys}", [cut] * 9).fetchall()
    out: dict[tuple[str, ...], int] = {}
    for *key, late in rows:
        out[tuple(key)] = out.get(tuple(key), 0) + int(late)
    return out


def _micros(store: CaseStore, column: str) -> str:
    """A timestamp column as exact epoch microseconds (SQLite stores naive UTC text with six decimals)."""
    if store.dialect.sqlite:
        return (f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER))")
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


def role_steps(store: CaseStore, period: Period, as_of: datetime,
               step: str) -> list[tuple[str, int, int]]:
    """One role step (``STEPS``) of the period's cases ended before the cut-off: (username, began, ended) of each,
    in epoch microseconds (one read of the period's cases; the service sorts out the quick ones)."""
    who, start, end, _, _ = STEPS[step]
    where = f"{COHORT} AND {who} IS NOT NULL AND {start} IS NOT NULL AND {end} < ?"
    params = [*_cohort(store, period), store.dialect.stamp(as_of)]
    return [(user, int(began), int(ended)) for user, began, ended in store.execute(
        f"SELECT {who}, {_micros(store, start)}, {_micros(store, end)} FROM case_facts WHERE {where}", params)]


def reports_by_reporter(store: CaseStore, period: Period, as_of: datetime) -> list[tuple[str, int, int]]:
    """(collector, reports decided by the cut-off, valid ones) of the period's patrol and census reports; a report
    voided as out of scope is nobody's fault and left out."""
    rows = store.execute(
        f"SELECT reporter, COUNT(*), {_sum(_VALID)} FROM case_facts"
        f" WHERE {COHORT} AND reporter IS NOT NULL AND channel IN ('patrol', 'census') AND filed_at < ?"
        " AND (void_reason IS NULL OR void_reason <> 'out_of_scope') GROUP BY reporter",
        [*_cohort(store, period), store.dialect.stamp(as_of)]).fetchall()
    return [(user, int(decided), int(valid or 0)) for user, decided, valid in rows]


def accurate_dispatches(store: CaseStore, period: Period, as_of: datetime) -> list[tuple[str, int]]:
    """(dispatcher, dispatches neither returned nor wrong) of the period's cases dispatched by the cut-off."""
    rows = store.execute(
        f"SELECT dispatcher, {_sum('returns = 0 AND wrong_dispatches = 0')} FROM case_facts WHERE {COHORT}"
        " AND dispatcher IS NOT NULL AND filed_at IS NOT NULL AND dispatched_at < ? GROUP BY dispatcher",
        [*_cohort(store, period), store.dialect.stamp(as_of)]).fetchall()
    return [(user, int(accurate or 0)) for user, accurate in rows]


def units(store: CaseStore, level: str) -> list[tuple[str, str, str]]:
    """Every unit of ``level`` as (code, name_zh, name_en), in code order — shown even without cases."""
    sql = {"department": "SELECT code, name_zh, name_en FROM departments",
           "district": "SELECT code, name, name FROM districts",
           "street": "SELECT code, name, name FROM resp_grids",
           "collector": "SELECT username, display_name, display_name FROM users WHERE role = 'collector'",
           "dispatcher": "SELECT username, display_name, display_name FROM users WHERE role = 'dispatcher'"}[level]
    return sorted((str(a), str(b), str(c)) for a, b, c in store.execute(sql).fetchall())
