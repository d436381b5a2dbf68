"""Cases the platform assigns (上级交办, ``assign_*.json``): each record a lifecycle case on channel
``upper_level``, followed so its stage goes back in the exports with its ``upper_id`` (docs/exchange.md).

Each record is its own transaction (``report_problem`` starts the case in one): a file of a thousand records never
holds the database for the whole file, and a run stopped halfway is safe to repeat — the same upper_id names the
same case (``external_id``), so the records already taken come back as taken, not twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from city.commands import ReportProblem
from city.exchange.config import ExchangeConfig
from city.exchange.schema import moment
from city.intake.report import report_problem
from city.persistence.repositories import exchange as writes
from city.persistence.repositories import public_stages
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext

log = logging.getLogger(__name__)


def _deadline(value: str | None) -> datetime | None:
    """The record's deadline in UTC (ValueError: not an RFC 3339 time with its offset in the years the schema
    allows — the schema checked it already; this is the guard of the database's stamp, which year 1 overflows)."""
    if value is None:
        return None
    try:
        return moment(value).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"deadline: {exc}") from None


def _subtype(config: ExchangeConfig, national: str, catalogue: set[str]) -> str:
    """The city subtype of a national code (ValueError naming why there is not exactly one)."""
    found = config.subtypes_of(national, catalogue)
    if not found:
        raise ValueError(f"no city subtype has national code {national}")
    if len(found) > 1:
        raise ValueError(f"national code {national} is ambiguous: city subtypes " + ", ".join(found))
    return found[0]


def _reason(exc: Exception) -> str:
    if isinstance(exc, FieldsRejected):
        return "; ".join(f"{field}: {message}" for field, message in sorted(exc.fields.items()))[:500]
    return str(exc)[:500]


def take_record(ctx: HandlerContext, config: ExchangeConfig, item: dict[str, Any], catalogue: set[str]
                ) -> dict[str, Any]:
    """Start (or find) the case of one assigned record: ``{upper_id, case_no, created}`` or ``{upper_id,
    reason}`` when it is refused."""
    upper_id = item["upper_id"]
    actor = f"connector:{config.code}"
    try:
        deadline = _deadline(item["deadline"])
        subtype = _subtype(config, item["national_code"], catalogue)
    except ValueError as exc:
        return {"upper_id": upper_id, "reason": str(exc)[:500]}

    def then(uow: UnitOfWork, case_id: int, case_no: str | None) -> None:
        now = ctx.deps.clock.now()
        writes.insert_assigned(uow.store, config.code, upper_id, case_id, deadline, item, now)
        public_stages.follow(uow.store, case_id, now)

    report = ReportProblem(subtype, item["description"], item["lon"], item["lat"], "upper_level", actor,
                           external_id=f"{config.code}:{upper_id}", reporter=actor, urgency=item["urgency"],
                           actor_kind="system")
    try:
        ref = report_problem(report, ctx, system=True, then=then)
    except GridcaseError as exc:
        return {"upper_id": upper_id, "reason": _reason(exc)}
    except Exception as exc:  # a bug or the system: this record refused, the file's other records still taken
        log.exception("exchange %s: assigned record %s failed", config.code, upper_id)
        return {"upper_id": upper_id, "reason": f"internal error: {type(exc).__name__}: {str(exc)[:300]}"}
    return {"upper_id": upper_id, "case_no": ref.case_no, "created": ref.created}
