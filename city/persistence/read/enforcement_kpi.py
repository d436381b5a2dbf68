"""What the enforcement teams' KPIs read (执法考核; ``city.kpi.enforcement``): the enforcement cases transferred in a
period — their team, stage, stage times and decided fine — summed per team in Python (a city transfers hundreds a
month, not the tens of thousands of cases the department KPIs sum in SQL). The teams' names are the departments'
(``emergency_dashboard.department_names``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from city.persistence.read.enforcement_search import money
from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class CohortRow:
    """One enforcement case of the period's cohort, as the KPIs judge it."""

    team: str
    stage: str
    transferred_at: datetime
    filed_at: datetime | None
    decided_at: datetime | None
    executed_at: datetime | None
    closed_at: datetime | None
    penalty_kind: str | None
    fine_amount: Decimal | None


def cohort(store: CaseStore, since: datetime, until: datetime, team: str | None = None) -> list[CohortRow]:
    """The enforcement cases transferred in [since, until) (only ``team``'s when given), by team and id."""
    sql = ("SELECT team, stage, transferred_at, filed_at, decided_at, executed_at, closed_at, penalty_kind,"
           " fine_amount FROM enforcement_cases WHERE transferred_at >= ? AND transferred_at < ?")
    params: list[object] = [store.dialect.stamp(since), store.dialect.stamp(until)]
    if team is not None:
        sql += " AND team = ?"
        params.append(team)
    found = store._execute(sql + " ORDER BY team, id", params).fetchall()
    return [CohortRow(str(r[0]), str(r[1]), as_utc_not_null(r[2]), as_utc(r[3]), as_utc(r[4]), as_utc(r[5]),
                      as_utc(r[6]), r[7], money(r[8])) for r in found]

