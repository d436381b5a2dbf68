"""Enforcement records written straight into the test city's database (SQLite or PostgreSQL) for the search and KPI
tests: one ``enforcement_cases`` row per call, as the enforcement process's steps keep it, standing on a case
reported through the API (the row's ``case_id`` must name a case; its origin is another). Rows only: what the
search, the record page and the KPIs read, not how the steps made them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from api_support import Api
from api_support import case_id as case_id  # its tests import it from here

# stage → the milestone columns a case at that stage has reached (besides transferred_at)
REACHED = {"filing": (), "refused": ("closed_at",), "investigation": ("filed_at",), "notice": ("filed_at",),
           "decision": ("filed_at",), "service": ("filed_at", "decided_at"),
           "execution": ("filed_at", "decided_at", "served_at"),
           "closed": ("filed_at", "decided_at", "served_at", "executed_at", "closed_at")}


def tag() -> str:
    """A fresh marker for the rows of one test (the module's city is shared by its tests)."""
    return uuid.uuid4().hex[:8].upper()


def _ts(api: Api, moment: datetime | None) -> Any:
    """A time as the database keeps it (SQLite: naive UTC text, as SQLAlchemy writes it)."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds") if api.deps.db.dialect.name == "sqlite" else utc


def enforcement_row(api: Api, team: str, stage: str, transferred_at: datetime, *,
                    days_to_close: float | None = None, origin_case_no: str | None = None,
                    **fields: Any) -> dict[str, Any]:
    """Write an enforcement case of ``team`` at ``stage`` transferred at ``transferred_at``; the milestones its stage
    has reached a day apart (``closed_at`` ``days_to_close`` days after transfer when given); ``fields`` set or
    override any column (number, party_name, party_id, legal_basis, penalty_kind, fine_amount, subtype_code, …).
    Returns the row with its ``id``, ``case_no`` and ``origin_case_no``."""
    own_no = api.new_case()
    origin_no = origin_case_no or api.new_case()
    row: dict[str, Any] = {
        "case_id": case_id(api, own_no), "origin_case_id": case_id(api, origin_no), "number": None, "team": team,
        "stage": stage, "subtype_code": "0601", "district_code": "350602", "lon": 117.65, "lat": 24.51,
        "summary": "暴露垃圾 未按规定处置", "party_name": None, "party_kind": None, "party_id": None,
        "legal_basis": None, "penalty_kind": None, "fine_amount": None, "result": None, "transferred_by": "shiftlead01",
        "transferred_at": transferred_at}
    for step, column in enumerate(REACHED[stage], start=1):
        row[column] = transferred_at + timedelta(days=step)
    if days_to_close is not None:
        row["closed_at"] = transferred_at + timedelta(days=days_to_close)
    row.update(fields)
    row["updated_at"] = max(v for k, v in row.items() if k.endswith("_at") and v is not None)
    sqlite = api.deps.db.dialect.name == "sqlite"  # its driver takes no Decimal
    stored = {k: (_ts(api, v) if k.endswith("_at") else float(v) if sqlite and isinstance(v, Decimal) else v)
              for k, v in row.items()}
    with api.deps.db.begin() as conn:
        new_id = conn.execute(sa.text(f"INSERT INTO enforcement_cases ({', '.join(stored)}) VALUES"
                                      f" ({', '.join(':' + k for k in stored)}) RETURNING id"), stored).scalar_one()
    return {**row, "id": int(new_id), "case_no": own_no, "origin_case_no": origin_no}
