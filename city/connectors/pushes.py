"""Pushing a transferred work order's new stage back to its sender: in the step's transaction, one
``connector_deliveries`` row holding the exact JSON to send (built now from the connector's ``outbound.body`` map
and the case's facts and data), queued; ``city.connectors.push_loop`` sends it signed, retried, logged."""

from __future__ import annotations

import json
from typing import Any

from city.persistence.read import connectors as reads
from city.persistence.repositories import connectors as repo
from city.public.stage import ENDED, StageChange, stage_label
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.uow import UnitOfWork


def _disposal_note(data: dict[str, Any]) -> str | None:
    disposal = data.get("disposal")
    note = disposal.get("result") if isinstance(disposal, dict) else None
    return note if isinstance(note, str) else None


def _result(change: StageChange) -> str | None:
    """What an ended case came to, in words the sender shows its caller (None before it ended)."""
    if change.stage not in ENDED:
        return None
    if change.stage == "voided":
        return change.facts.void_reason or stage_label("voided")
    return _disposal_note(change.data) or stage_label("closed")


def body_values(uow: UnitOfWork, change: StageChange, order_id: str, status: Any) -> dict[str, Any]:
    """Every value a body map may name (docs/connectors.md)."""
    department = change.facts.department
    return {"order_id": order_id, "case_no": live_case_no(uow.store, change.case_id), "stage": change.stage,
            "status": status, "stage_label": stage_label(change.stage), "changed_at": change.now.isoformat(),
            "department": department,
            "department_name": reads.department_name(uow.store, department) if department else None,
            "result": _result(change), "disposal_note": _disposal_note(change.data),
            "close_type": change.facts.close_type if change.stage == "closed" else None,
            "photos": []}  # no public address of an after-photo exists yet (docs/connectors.md)


def _queue(uow: UnitOfWork, found: dict[str, Any], change: StageChange, order_id: str) -> None:
    outbound = found["config"]["outbound"]
    if change.stage not in outbound["stage_map"]:
        return
    values = body_values(uow, change, order_id, outbound["stage_map"][change.stage])
    body = {theirs: values[ours] for theirs, ours in outbound["body"].items()}
    repo.insert_delivery(uow.store, found["code"], change.case_id, change.stage,
                         json.dumps(body, ensure_ascii=False, sort_keys=True), change.now)


def order_received(uow: UnitOfWork, found: dict[str, Any], order_id: str, change: StageChange) -> None:
    """The first push of a new transferred case (its stage when it was taken in), when the map names it."""
    _queue(uow, found, change, order_id)


def stage_changed(uow: UnitOfWork, change: StageChange) -> None:
    """Queue a push when the case came from a hotline connector whose ``stage_map`` names the new stage; any
    other case returns after one indexed look-up. An inactive connector's pushes are queued too: they wait (the
    claims take only active connectors' pushes) and go, in order, once it is loaded active again."""
    order = reads.order_of_case(uow.store, change.case_id)
    if order is None:
        return
    code, order_id = order
    found = reads.config(uow.store, code)
    if found is None or found["kind"] != "hotline":
        return
    _queue(uow, found, change, order_id)
