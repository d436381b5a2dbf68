"""What the enforcement record pages, API and command line read (智慧执法; docs/enforcement-records.md): enforcement
cases (``enforcement_cases``, kept by the ``enforcement_case`` process's steps) searched by number (文书号), party (name
or id), team, stage, subtype, legal basis, period of transfer and whether a fine was decided, newest transfer first, a
page at a time; and one record with its team's name and the numbers of its enforcement and origin cases.

Substring filters are ``LIKE ? ESCAPE '\\'`` with the value's own ``%``, ``_`` and ``\\`` escaped, so what is typed
is matched as text (a party id holds no wildcards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from city.persistence.read.like import LIKE_ESCAPED, like_pattern
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

RECORD_COLUMNS = ("id", "case_id", "origin_case_id", "number", "team", "stage", "subtype_code", "district_code",
                  "lon", "lat", "summary", "party_name", "party_kind", "party_id", "legal_basis", "penalty_kind",
                  "fine_amount", "result", "transferred_by", "transferred_at", "filed_at", "decided_at", "served_at",
                  "executed_at", "closed_at", "updated_at")
# the stage times the enforcement case's steps keep (its data's ``enforcement`` section), and all of a row's times
STAGE_TIMES = ("filed_at", "decided_at", "served_at", "executed_at", "closed_at")
TIMES = ("transferred_at", *STAGE_TIMES, "updated_at")
_SELECT = (", ".join(f"e.{c}" for c in RECORD_COLUMNS)
           + ", COALESCE(d.name_zh, e.team), COALESCE(d.name_en, e.team), cs.case_no, os.case_no")
_FROM = (" FROM enforcement_cases e LEFT JOIN departments d ON d.code = e.team"
         " LEFT JOIN case_summaries cs ON cs.case_id = e.case_id"
         " LEFT JOIN case_summaries os ON os.case_id = e.origin_case_id")


@dataclass(frozen=True)
class EnforcementFilter:
    """The search's filters (None: any). ``number``, ``party`` (name or id) and ``legal_basis`` match a substring;
    ``team``, ``stage`` and ``subtype`` match exactly; ``since``..``until`` bound the transfer time (``until``
    excluded); ``has_fine``: True only cases with a fine decided (amount above 0), False only cases without;
    ``party_ids`` False: ``party`` matches names only (a reader who sees ids masked does not search by them)."""

    number: str | None = None
    party: str | None = None
    team: str | None = None
    stage: str | None = None
    subtype: str | None = None
    legal_basis: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    has_fine: bool | None = None
    party_ids: bool = True


def _where(store: CaseStore, where: EnforcementFilter) -> tuple[str, list[Any]]:
    """The WHERE clause (``1 = 1`` when nothing is filtered) and its parameters."""
    clauses, params = ["1 = 1"], []
    party_columns = ("e.party_name", "e.party_id") if where.party_ids else ("e.party_name",)
    for columns, text in ((("e.number",), where.number), (party_columns, where.party),
                          (("e.legal_basis",), where.legal_basis)):
        if text:
            clauses.append("(" + " OR ".join(column + LIKE_ESCAPED for column in columns) + ")")
            params += [like_pattern(text)] * len(columns)
    for column, value in (("e.team", where.team), ("e.stage", where.stage), ("e.subtype_code", where.subtype)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if where.since is not None:
        clauses.append("e.transferred_at >= ?")
        params.append(store.dialect.stamp(where.since))
    if where.until is not None:
        clauses.append("e.transferred_at < ?")
        params.append(store.dialect.stamp(where.until))
    if where.has_fine is True:
        clauses.append("e.fine_amount > 0")
    elif where.has_fine is False:
        clauses.append("(e.fine_amount IS NULL OR e.fine_amount <= 0)")
    return " AND ".join(clauses), params


def money(value: Any) -> Decimal | None:
    """A stored amount as a Decimal of yuan with two places (SQLite may hand back a float); None stays None."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _record(row: Any) -> dict[str, Any]:
    found: dict[str, Any] = dict(zip(RECORD_COLUMNS, row[:len(RECORD_COLUMNS)], strict=True))
    for name in TIMES:
        found[name] = as_utc(found[name])
    found["fine_amount"] = money(found["fine_amount"])
    found["team_name"], found["team_name_en"], found["case_no"], found["origin_case_no"] = row[len(RECORD_COLUMNS):]
    return found


def search(store: CaseStore, where: EnforcementFilter, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the ``limit`` records from ``offset``), newest transfer first (then newest id)."""
    clause, params = _where(store, where)
    total = int(store._execute(f"SELECT COUNT(*) FROM enforcement_cases e WHERE {clause}", params).fetchone()[0])
    rows = store._execute(f"SELECT {_SELECT}{_FROM} WHERE {clause}"
                          " ORDER BY e.transferred_at DESC, e.id DESC LIMIT ? OFFSET ?",
                          [*params, limit, offset]).fetchall()
    return total, [_record(r) for r in rows]


def record(store: CaseStore, enforcement_id: int) -> dict[str, Any] | None:
    """One enforcement case with its team's names and its cases' numbers; None for an unknown id."""
    row = store._execute(f"SELECT {_SELECT}{_FROM} WHERE e.id = ?", (enforcement_id,)).fetchone()
    return None if row is None else _record(row)


def teams(store: CaseStore) -> list[tuple[str, str, str]]:
    """(code, Chinese name, English name) of every team with an enforcement case, by code (the search form's
    picker)."""
    rows = store._execute("SELECT DISTINCT e.team, d.name_zh, d.name_en FROM enforcement_cases e"
                          " LEFT JOIN departments d ON d.code = e.team ORDER BY e.team").fetchall()
    return [(str(r[0]), str(r[1] or r[0]), str(r[2] or r[0])) for r in rows]
