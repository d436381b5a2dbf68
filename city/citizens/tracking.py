"""A public report's tracking: its unguessable token and its ``citizen_reports`` row, written in the transaction
that started the case (a citizen's report, an Open311 app's request), and the case followed for its stages."""

from __future__ import annotations

import secrets
from datetime import datetime

from city.persistence.repositories import public_stages
from city.persistence.repositories.citizen_reports import PublicReportRow, insert_report
from engine.persistence.uow import UnitOfWork

TOKEN_BYTES = 32  # 43 URL-safe characters: never derived from the case number, never guessable


def new_token() -> str:
    """A fresh tracking token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def track_report(uow: UnitOfWork, row: PublicReportRow, now: datetime) -> int:
    """Keep the report (``row.token`` made by ``new_token``) and follow its case: its stages are told from now on
    (``city.public.changes``). Call it from ``report_problem``'s ``then``. Returns the report's id."""
    report_id = insert_report(uow.store, row, now)
    public_stages.follow(uow.store, row.case_id, now)
    return report_id
