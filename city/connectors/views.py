"""What the API, the admin page and the command line show of the connectors: each one's configuration and
version, and its pushes with their attempts (the delivery log)."""

from __future__ import annotations

from typing import Any

from city.persistence.read import connectors as reads
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.public_records import DELIVERY_STATUSES
from engine.service.deps import Deps

MAX_PAGE = 10_000


def connectors(deps: Deps) -> list[dict[str, Any]]:
    """Every connector (active or not), its configuration and version."""
    with deps.uow(read_only=True) as uow:
        rows = reads.configs(uow.store)
    return [{k: v for k, v in row.items() if k != "config_json"} for row in rows.values()]


def connector(deps: Deps, code: str) -> dict[str, Any]:
    """One connector; NotFound naming ``code``."""
    with deps.uow(read_only=True) as uow:
        row = reads.config(uow.store, code)
    if row is None:
        raise NotFound(f"no connector {code!r}", field="code")
    return {k: v for k, v in row.items() if k != "config_json"}


def deliveries(deps: Deps, code: str, *, status: str | None = None, case_no: str | None = None,
               page: int = 1) -> list[dict[str, Any]]:
    """The connector's pushes, newest first, each with its attempts; 422 naming a bad filter, 404 no connector."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidCommand("status must be one of: " + ", ".join(DELIVERY_STATUSES), field="status")
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidCommand(f"page must be from 1 to {MAX_PAGE}", field="page")
    if case_no is not None and (len(case_no) > 24 or not case_no.isascii() or not case_no.isalnum()):
        raise InvalidCommand("case_no must be a case number", field="case_no")
    with deps.uow(read_only=True) as uow:
        if reads.config(uow.store, code) is None:
            raise NotFound(f"no connector {code!r}", field="code")
        case_id = reads.case_id_of(uow.store, case_no) if case_no is not None else None
        if case_no is not None and case_id is None:
            return []
        rows = reads.deliveries(uow.store, code, status=status, case_id=case_id, page=page)
        logs = reads.attempts(uow.store, [r["id"] for r in rows])
    return [{**row, "log": logs[row["id"]]} for row in rows]


def transfer(deps: Deps, case_id: int) -> dict[str, Any] | None:
    """Where a transferred case came from (connector, their order id and deadline) and its pushes, in order; None
    for a case no other system transferred (the case page's panel)."""
    with deps.uow(read_only=True) as uow:
        origin = reads.transferred(uow.store, case_id)
        if origin is None:
            return None
        pushes = reads.deliveries(uow.store, origin["connector"], case_id=case_id)
    return {**origin, "pushes": sorted(pushes, key=lambda p: p["seq"])}
