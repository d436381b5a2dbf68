"""Writes of the public's reports (``citizen_reports``): the tracking token, the contact, how to be told."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class PublicReportRow:
    """One ``citizen_reports`` row to insert (``case_id`` is the first case too)."""

    token: str
    case_id: int
    origin: str
    updates: str = "none"
    locale: str = "zh"
    phone: str | None = None
    email: str | None = None
    name: str | None = None
    api_key_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def insert_report(store: CaseStore, row: PublicReportRow, now: datetime) -> int:
    """Insert the report; its id."""
    found = store._execute(
        "INSERT INTO citizen_reports (token, case_id, first_case_id, origin, api_key_id, phone, email, name, updates,"
        " locale, extra_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (row.token, row.case_id, row.case_id, row.origin, row.api_key_id, row.phone, row.email, row.name, row.updates,
         row.locale, json.dumps(row.extra, ensure_ascii=False, sort_keys=True), store.dialect.stamp(now))).fetchone()
    return int(found[0])


def move_to_case(store: CaseStore, report_id: int, case_id: int) -> None:
    """The report follows ``case_id`` from now on (a case reopened after a 回访)."""
    store._execute("UPDATE citizen_reports SET case_id = ? WHERE id = ?", (case_id, report_id))


def insert_rating(store: CaseStore, report_id: int, case_id: int, rating: str, comment: str, now: datetime,
                  callback_case_id: int | None = None) -> int:
    """The citizen's rating of ``case_id`` (unique per report and case: a second one fails); its id."""
    found = store._execute(
        "INSERT INTO citizen_ratings (report_id, case_id, rating, comment, rated_at, callback_case_id)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (report_id, case_id, rating, comment, store.dialect.stamp(now), callback_case_id)).fetchone()
    return int(found[0])


def record_callback(store: CaseStore, rating_id: int, outcome: str, reopened_case_id: int | None) -> None:
    """The 回访's outcome (explained | reopened) and the case it reopened, on the rating."""
    store._execute("UPDATE citizen_ratings SET callback_outcome = ?, reopened_case_id = ? WHERE id = ?",
                   (outcome, reopened_case_id, rating_id))
