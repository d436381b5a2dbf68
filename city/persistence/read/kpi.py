"""KPI reads over ``case_facts``: the conditions of ``city.kpi.formulas``'s counts in SQL (SQLite, PostgreSQL).

The period's cases are read once, through the (month, department) index (``period_facts``): per case its unit
key, the people of its role steps, one integer of flags (the counts' conditions at the cut-off, evaluated in SQL)
and the times of its role steps in epoch microseconds; the service counts them (``city.kpi.month``)
and measures the steps in working time (``city.kpi.report``). 超期未处置 is a snapshot over all running cases,
read through two partial indexes (the cases reported back late, those never reported back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np

from city.persistence.read.kpi_times import NULL_TEXT, epoch_micros, epoch_us
from engine.domain.periods import Period
from engine.persistence.repositories.cases import CaseStore

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


# Each case's flags: bit ``FLAGS.index(name)`` set when the condition holds (is TRUE in SQL) at the cut-off (every
# ? is the cut-off). The plain conditions only: ``city.kpi.month`` combines them into the counts with AND
# and OR — a combination of TRUE flags is TRUE in SQL too; NULL (unknown) counts as not set, as CASE WHEN does.
CONDITIONS = {
    "dispatched": "dispatched_at < ?", "disposed": "disposed_at < ?", "deadline_passed": "due_at < ?",
    "disposed_by_deadline": "(due_at IS NULL OR disposed_at <= due_at)", "never_suspended": "suspensions = 0",
    "result_closed": "result = 'closed'", "closed": "closed_at < ?", "verdict_known": "closed_on_time IS NOT NULL",
    "verdict_on_time": "closed_on_time", "extended": "extensions > 0", "returned": "returns > 0",
    "reworked": "reworks > 0",
    # a collector's report decided (its validity apart), a dispatch neither returned nor wrong
    "decided": "reporter IS NOT NULL AND channel IN ('patrol', 'census') AND filed_at < ?"
               " AND (void_reason IS NULL OR void_reason <> 'out_of_scope')",
    "valid": _VALID, "accurate": "returns = 0 AND wrong_dispatches = 0",
    # each role step (``STEPS``) ended before the cut-off by someone
    **{step: f"{who} IS NOT NULL AND {start} IS NOT NULL AND {end} < ?"
       for step, (who, start, end, _, _) in STEPS.items()},
}
FLAGS = tuple(CONDITIONS)
PEOPLE = ("reporter", "verifier", "dispatcher", "checker")
UNIT_SEPARATOR = "\x1f"
TIMES = ("reported_at", "verified_at", "disposed_at", "checked_at", "filed_at", "dispatched_at")


@dataclass(frozen=True)
class PeriodFacts:
    """The period's cases as columns, one row per case: its unit key (department, district, street, returned_by
    joined by ``UNIT_SEPARATOR``, NULL as ''), the people of its role steps (the reporter of patrol and census
    reports only), its ``FLAGS`` at the cut-off and the times of its role steps (epoch µs, int64; ``NULL_TIME``
    where none)."""

    units: list[str]
    people: dict[str, list[str | None]]
    flags: np.ndarray
    times: dict[str, np.ndarray]
    subtypes: list[str | None] = field(default_factory=list)  # with the people: a role step's limit may depend on it

    def flag(self, name: str) -> np.ndarray:
        """Whether each row has the flag (bool array)."""
        found: np.ndarray = (self.flags >> FLAGS.index(name)) & 1 == 1
        return found


def period_facts(store: CaseStore, period: Period, as_of: datetime, *, units: bool = True,
                 people: bool = True) -> PeriodFacts:
    """The period's cases in one read (the month's rows once): what every unit and role count needs — without
    the unit keys (``units=False``: left empty) or the people and their times (``people=False``: left empty)
    when only the other levels are wanted."""
    flags = " + ".join(f"CASE WHEN {cond} THEN {1 << bit} ELSE 0 END"
                       for bit, cond in enumerate(CONDITIONS.values()))
    times = [f"COALESCE({column}, '{NULL_TEXT}')" if store.dialect.sqlite else epoch_us(store, column)
             for column in TIMES]
    unit = f" || '{UNIT_SEPARATOR}' || ".join(f"COALESCE({key}, '')" for key in (*KEYS, "returned_by"))
    who = ", ".join(PEOPLE).replace("reporter", "CASE WHEN channel IN ('patrol', 'census') THEN reporter END")
    selected = [flags, *([unit] if units else []), *([who, *times, "subtype"] if people else [])]
    params = [store.dialect.stamp(as_of)] * flags.count("?") + _cohort(store, period)
    rows = store._execute(f"SELECT {', '.join(selected)} FROM case_facts WHERE {COHORT}", params).fetchall()
    column = [list(map(itemgetter(i), rows))
              for i in range(1 + int(units) + (len(PEOPLE) + len(TIMES) + 1) * people)]
    found = column[1 + int(units):]
    return PeriodFacts(units=column[1] if units else [], flags=np.array(column[0], dtype=np.int64),
                       people=dict(zip(PEOPLE, found[:len(PEOPLE)], strict=True)) if people else {},
                       times={name: epoch_micros(values, store.dialect.sqlite)
                              for name, values in zip(TIMES, found[len(PEOPLE):-1], strict=True)} if people else {},
                       subtypes=found[-1] if people else [])


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
    rows = store._execute(
        f"SELECT {keys}, COUNT(*) FROM case_facts WHERE {_LATE} AND disposed_at >= ? AND {_RUNNING}"
        f" GROUP BY {keys} UNION ALL SELECT {keys}, COUNT(*) FROM case_facts WHERE {_UNDISPOSED} AND {_RUNNING}"
        f" GROUP BY {keys}", [cut] * 9).fetchall()
    out: dict[tuple[str, ...], int] = {}
    for *key, late in rows:
        out[tuple(key)] = out.get(tuple(key), 0) + int(late)
    return out


def units(store: CaseStore, level: str) -> list[tuple[str, str, str]]:
    """Every unit of ``level`` as (code, name_zh, name_en), in code order — shown even without cases."""
    sql = {"department": "SELECT code, name_zh, name_en FROM departments",
           "district": "SELECT code, name, name FROM districts",
           "street": "SELECT code, name, name FROM resp_grids",
           "collector": "SELECT username, display_name, display_name FROM users WHERE role = 'collector'",
           "dispatcher": "SELECT username, display_name, display_name FROM users WHERE role = 'dispatcher'"}[level]
    return sorted((str(a), str(b), str(c)) for a, b, c in store._execute(sql).fetchall())
