"""Law enforcement's step hook (智慧执法): each step of an ``enforcement_case`` case keeps its ``enforcement_cases``
row from the case's newest data — stage, party, decision, result and the stage times; the step that approves filing
gives the case its 文书号 (per team and year); the step that ends the case returns its result to the originating
case (an ``enforcement_concluded`` event in its chain) and links the two both ways. Only cases with a row (started by
TransferToEnforcement) are kept: a case started by hand has no origin to tell."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from city.enforcement.four_eyes import is_enforcement, refuse_own_approval
from city.enforcement.origin_log import append_origin_event
from city.persistence.read import enforcement_rows as reads
from city.persistence.read.enforcement_search import STAGE_TIMES
from city.persistence.repositories.case_links import CaseLinkStore
from city.persistence.repositories.enforcement import EnforcementStore
from engine.domain import events as ev
from engine.domain.city_zone import city_zone
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.step_hooks import StepWritten

DEFAULT_PREFIX = "漳城执罚"  # a case whose rules gave no prefix of its own is numbered as the city's 支队
ENDED = frozenset({"closed", "refused"})


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def row_values(data: dict[str, Any], enforcement: dict[str, Any]) -> dict[str, Any]:
    """The row's kept columns from the case's data: the stage and its times (``enforcement``), the party (立案呈批),
    the decision (处罚决定) and the result."""
    proposal, decision = _section(data, "filing_proposal"), _section(data, "decision")
    return {"stage": enforcement["stage"], "party_name": _text(proposal.get("party_name")),
            "party_kind": _text(proposal.get("party_kind")), "party_id": _text(proposal.get("party_id")),
            "legal_basis": _text(decision.get("legal_basis")), "penalty_kind": _text(decision.get("penalty_kind")),
            "fine_amount": _amount(decision.get("fine_amount")), "result": _text(enforcement.get("result")),
            **{key: _moment(enforcement.get(key)) for key in STAGE_TIMES}}


def _conclude(uow: UnitOfWork, step: StepWritten, row: dict[str, Any], values: dict[str, Any],
              number: str | None) -> None:
    """The ended case's result in the originating case's chain, and the two cases linked both ways."""
    origin_id = row["origin_case_id"]
    if origin_id is None:
        return
    enforcement_no = live_case_no(uow.store, step.case_id)
    fine = values["fine_amount"]
    append_origin_event(uow, origin_id, ev.ENFORCEMENT_CONCLUDED, {
        "enforcement_case": enforcement_no, "number": number, "stage": values["stage"], "result": values["result"],
        "penalty": values["penalty_kind"], "fine": None if fine is None else str(fine)}, step.actor, step.now)
    uow.repository(CaseLinkStore).link_enforcement(origin_id, step.case_id, step.actor, step.now,
                                                   "执法结果 / enforcement result")


def keep_enforcement_rows(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: an enforcement case's step keeps its row; filing approved gives its number; its end tells the
    originating case. Other cases' steps cost a look at their data only."""
    if not is_enforcement(step.data):
        return
    enforcement = step.data["enforcement"]
    row = reads.enforcement_of_case(uow.store, step.case_id)
    if row is None:
        return
    values = row_values(step.data, enforcement)
    repo = uow.repository(EnforcementStore)
    repo.keep(step.case_id, values, step.now)
    number = row["number"]
    if number is None and values["filed_at"] is not None:
        prefix = _text(step.data.get("number_prefix")) or DEFAULT_PREFIX
        number = repo.give_number(step.case_id, prefix, values["filed_at"].astimezone(city_zone()).year)
    if values["stage"] in ENDED and any(r.event_type == ev.CASE_COMPLETED for r in step.records):
        _conclude(uow, step, row, values, number)


def install(bus: MessageBus) -> None:
    """Add law enforcement's step hooks to ``bus``: four eyes first, then the row."""
    bus.deps.step_hooks.append(refuse_own_approval)
    bus.deps.step_hooks.append(keep_enforcement_rows)
