"""The citizen's contact on the 回访 (call_back_citizen) task page: the seat operator must reach the citizen who was
dissatisfied. Read at render time from ``citizen_reports`` (never copied into the case data or its audit log), and
only for someone who works the task's candidate group (seat_operator) — never the tracking token."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from city.persistence.read import citizens as reads
from web.context import deps

CALLBACK_TASK = "call_back_citizen"


def citizen_contact(task: dict[str, Any]) -> dict[str, str | None] | None:
    """{"phone", "email"} of the citizen whose rating opened the 回访 ``task``; None for another task, another
    reader or no report."""
    if task.get("bpmn_id") != CALLBACK_TASK or not current_user.is_authenticated:
        return None
    if task.get("candidate_group") not in current_user.principal.groups:
        return None
    with deps().uow(read_only=True) as uow:
        rating = reads.rating_of_callback(uow.store, int(task["case_id"]))
        report = None if rating is None else reads.report_by_id(uow.store, int(rating["report_id"]))
    if report is None:
        return None
    return {"phone": report.phone, "email": report.email}
