"""RecordInspectionItem: an inspector's record of one checklist item of an inspection's current visit (考评检查 or
复查) — one transaction that locks the inspection's case, upserts the item's result and chains one
``assessment_item_recorded`` event in that case's log (replayed as a step of its own, no workflow step)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from city.assessment.commands import RecordInspectionItem
from city.assessment.scoring import RESULTS, deduction_of, expected_items
from city.persistence.read import assessment_inspections as reads
from city.persistence.repositories.assessment_inspections import InspectionStore
from engine.domain import events as ev
from engine.domain.commands import Command
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_fault
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bus import Handler, HandlerContext
from engine.service.handlers import check_text
from engine.service.jobs import append_step, keep_hot

INSPECTORS = ("collector", "department_member")  # who inspects: the people of the inspection's task group
NOTE_CHARS, MAX_PHOTOS, CODE_CHARS = 500, 20, 40
_SHA256 = re.compile("^[0-9a-f]{64}$")
REFUSED = "the inspection item has invalid fields"


def value_problems(cmd: RecordInspectionItem) -> dict[str, str]:
    """What is wrong with the command's own values, by field (the item and photos are checked in the transaction)."""
    problems: dict[str, str] = {}
    if cmd.result not in RESULTS:
        problems["result"] = "must be one of: " + ", ".join(RESULTS)
    if not isinstance(cmd.item_code, str) or not cmd.item_code or len(cmd.item_code) > CODE_CHARS:
        problems["item_code"] = f"must be an item's code (1–{CODE_CHARS} characters)"
    deduction = cmd.deduction
    if deduction is not None and (isinstance(deduction, bool) or not isinstance(deduction, int | float)
                                  or not math.isfinite(deduction)):
        problems["deduction"] = "must be a number of points"
    elif deduction is not None and cmd.result != "fail":
        problems["deduction"] = "only a failed item has a deduction (扣分)"
    if cmd.deduction_code is not None and (not isinstance(cmd.deduction_code, str) or cmd.result != "fail"):
        problems["deduction_code"] = "only a failed item names a preset deduction"
    if cmd.note is not None:
        fault = text_fault(cmd.note, NOTE_CHARS, required=False)
        if fault is not None:
            problems["note"] = fault
    if not isinstance(cmd.photos, tuple | list) or len(cmd.photos) > MAX_PHOTOS:
        problems["photos"] = f"at most {MAX_PHOTOS} sha256 hashes of the inspection's uploads"
    else:
        problems |= {f"photos.{i}": "must be a sha256 (64 hex digits) of an uploaded photo"
                     for i, d in enumerate(cmd.photos) if not isinstance(d, str) or not _SHA256.fullmatch(d)}
    return problems


def _refuse_other_inspectors(uow: UnitOfWork, actor: str, group: str | None) -> None:
    """An inspector records only in inspections of their own task groups; to them any other is unknown (404)."""
    found = uow.accounts.user(actor)
    if found is None:
        return
    person = Principal(*found)
    if person.role in INSPECTORS and group not in person.groups:
        raise NotFound(f"no inspection for {actor} here", field="inspection_id")


def locked_inspection(uow: UnitOfWork, cmd: RecordInspectionItem) -> tuple[dict[str, Any], CaseRow]:
    """The inspection and its case, locked, the row read again under the lock; open, and the actor's."""
    found = reads.inspection(uow.store, cmd.inspection_id)
    if found is None or found["case_id"] is None:
        raise NotFound(f"no inspection {cmd.inspection_id}", field="inspection_id")
    _refuse_other_inspectors(uow, cmd.actor, found["task_group"])
    case = uow.store.lock_case(found["case_id"])
    found = reads.inspection(uow.store, cmd.inspection_id) or found
    if found["state"] in reads.FINISHED:
        raise ConcurrencyConflict(f"inspection {cmd.inspection_id} is {found['state']}: nothing more is recorded",
                                  field="inspection_id")
    return found, case


def _visit_item(uow: UnitOfWork, found: dict[str, Any], cmd: RecordInspectionItem) -> tuple[int, Mapping[str, Any]]:
    """The current visit and the item, one of the visit's (the inspection's, or a re-inspection's failed ones)."""
    visit = int(found["visits"])
    previous_failed = reads.failed_codes(uow.store, found["id"], visit - 1) if visit > 0 else []
    item = next((i for i in expected_items(found["items"], visit, previous_failed) if i["code"] == cmd.item_code),
                None)
    if item is None:
        which = "the inspection's" if visit == 0 else f"re-inspection {visit}'s (复查: the items that failed)"
        raise FieldsRejected({"item_code": f"{cmd.item_code!r} is not one of {which} items"}, REFUSED)
    if visit > 0 and cmd.result == "na":
        raise FieldsRejected({"result": "a re-inspection records pass or fail (复查)"}, REFUSED)
    return visit, item


def _checked_row(uow: UnitOfWork, found: dict[str, Any], cmd: RecordInspectionItem) -> dict[str, Any]:
    """The result row to keep, every field checked against the item and the case's uploads."""
    visit, item = _visit_item(uow, found, cmd)
    problems: dict[str, str] = {}
    deduction: float | str = 0.0
    if cmd.result == "fail":
        deduction = deduction_of(item, cmd.deduction, cmd.deduction_code)
        if isinstance(deduction, str):
            problems["deduction_code" if cmd.deduction_code is not None else "deduction"] = deduction
    problems |= {f"photos.{i}": "not an upload of the inspection's case (先上传照片)"
                 for i, digest in enumerate(cmd.photos) if uow.attachments.get(found["case_id"], digest) is None}
    if problems:
        raise FieldsRejected(problems, REFUSED)
    return {"inspection_id": found["id"], "visit": visit, "item_code": item["code"], "result": cmd.result,
            "deduction": float(deduction), "deduction_code": cmd.deduction_code if cmd.result == "fail" else None,
            "note": (cmd.note or "").strip() or None, "photos": list(dict.fromkeys(cmd.photos)),
            "recorded_by": cmd.actor}


def record_inspection_item(cmd: RecordInspectionItem, ctx: HandlerContext) -> dict[str, Any]:
    """Record one item of the current visit (again: replaced); the item's row."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    problems = value_problems(cmd)
    if problems:
        raise FieldsRejected(problems, REFUSED)
    with deps.uow() as uow:
        found, case = locked_inspection(uow, cmd)
        row = _checked_row(uow, found, cmd)
        uow.repository(InspectionStore).record_result(row, now)
        record = StepRecord(ev.ASSESSMENT_ITEM_RECORDED, data={
            "inspection": found["id"], "visit": row["visit"], "item": row["item_code"], "result": row["result"],
            "deduction": row["deduction"], "deduction_code": row["deduction_code"], "note": row["note"],
            "photos": row["photos"]})
        version = append_step(uow, case, record, cmd.actor, now, ev.RECORD_ASSESSMENT_ITEM_COMMAND, cmd.actor_kind)
    keep_hot(deps, case, version)
    return {**row, "recorded_at": now.isoformat()}


HANDLERS: dict[type[Command], Handler] = {RecordInspectionItem: record_inspection_item}
