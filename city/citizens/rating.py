"""The citizen's rating of a closed case (``RateResult``: 满意 / 基本满意 / 不满意), once per case; 不满意 starts the
回访 (``citizen_callback``) for the seat operators, its rating row written in the start's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.citizens.commands import CITIZEN_ACTOR, RateResult
from city.citizens.confirmation import client_address
from city.persistence.read import citizens as reads
from city.persistence.repositories.citizen_reports import insert_rating
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound
from engine.domain.input_limits import text_problem
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.handlers import start_case

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")  # 满意 / 基本满意 / 不满意
CALLBACK = "citizen_callback"
MAX_COMMENT = 500
TOKEN_CHARS = 64


def check_token(raw: object) -> str:
    """A token's text (NotFound for anything that cannot be one: the page answers 404 either way)."""
    if not isinstance(raw, str) or not 0 < len(raw) <= TOKEN_CHARS or not raw.isascii() or not raw.isprintable():
        raise NotFound("no such tracking link", field="token")
    return raw


def _check(cmd: RateResult) -> tuple[str, str]:
    if cmd.rating not in RATINGS:
        raise InvalidCommand("rating must be one of: " + ", ".join(RATINGS), field="rating")
    comment = cmd.comment if isinstance(cmd.comment, str) else None
    if comment is None or len(comment) > MAX_COMMENT or text_problem(comment) is not None:
        raise InvalidCommand(f"the comment must be text of at most {MAX_COMMENT} characters", field="comment")
    client_address(cmd.address)
    return check_token(cmd.token), comment.strip()


def _rated(store: CaseStore, token: str) -> tuple[reads.ReportRow, dict[str, Any]]:
    """The report and its case when the case may be rated now; 404/409 otherwise."""
    report = reads.report_by_token(store, token)
    if report is None:
        raise NotFound("no such tracking link", field="token")
    case = reads.public_case(store, report.case_id)
    result = None if case is None else case["result"]
    if result == "voided":
        raise ConcurrencyConflict("the report was not accepted as a case (不予立案): there is no result to rate",
                                  field="rating")
    if result != "closed" or case is None:
        raise ConcurrencyConflict("the case is not closed yet: rate it once it is closed (结案)", field="rating")
    if any(r["case_id"] == report.case_id for r in reads.ratings_of_report(store, report.id)):
        raise ConcurrencyConflict("this case was rated already", field="rating")
    return report, case


def _callback_data(report: reads.ReportRow, case: dict[str, Any], rating: str, comment: str,
                   now: datetime) -> dict[str, Any]:
    return {"case_no": case["case_no"], "case_id": report.case_id, "rating": rating, "comment": comment,
            "report_id": report.id, "rated_at": now.isoformat(), "subtype": case["subtype_code"],
            "subtype_name": case["subtype_name"], "description": case["description"]}


def rate_result(cmd: RateResult, ctx: HandlerContext) -> str | None:
    """Record the rating; for 不满意 start the 回访 and return its case number (else None). Two ratings of the
    same case at once: the second fails on the rating's unique key, and is the same 409 as a later one."""
    try:
        return _rate(cmd, ctx)
    except GridcaseError:
        raise
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        raise ConcurrencyConflict("this case was rated already", field="rating") from None


def _rate(cmd: RateResult, ctx: HandlerContext) -> str | None:
    token, comment = _check(cmd)
    now = ctx.deps.clock.now()
    if cmd.rating != "dissatisfied":
        with ctx.deps.uow() as uow:
            report, _case = _rated(uow.store, token)
            insert_rating(uow.store, report.id, report.case_id, cmd.rating, comment, now)
        return None
    with ctx.deps.uow(read_only=True) as uow:
        report, case = _rated(uow.store, token)
    data = _callback_data(report, case, cmd.rating, comment, now)

    def check(store: CaseStore) -> None:
        again, _ = _rated(store, token)  # the same checks in the start's transaction: a rating in between wins
        if again.case_id != report.case_id:
            raise ConcurrencyConflict("the case changed while it was rated: try again", field="rating")

    def then(uow: UnitOfWork, case_id: int, case_no: str | None) -> None:
        insert_rating(uow.store, report.id, report.case_id, cmd.rating, comment, now, callback_case_id=case_id)

    started = start_case(c.StartCase(CALLBACK, data, CITIZEN_ACTOR), ctx, check, then=then)
    return started.case_no
