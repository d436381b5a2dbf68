"""What an assessment inspection (考评检查) adds to a city's bus, in the step's own transaction:

- the script helper ``assessment_visit(inspection_id, visit)``: the visit scored from what was recorded
  (``city.assessment.scoring``), asked by the model before a visit may be finished; its answer is kept with the
  step, so a replay gets the same;
- ``keep_inspection_row``: the inspection's row follows its case's data (its case and task group when it starts,
  state, visits, the first visit's score, who inspected and when, when it closed);
- ``open_rectifications(deps)``: a visit finished with failed items opens one lifecycle case per item (考评整改,
  channel ``assessment``, at the object's point, the unit answering for the object as the routed department, the
  item's photos its evidence) and notes it on the item's result — but the visit that escalates (the third failed
  re-inspection) opens none: the supervisors' 督办 takes over. A hook, not a command, so every way the task is
  completed (the task API, the page, the command line) opens them, in the visit's transaction — as a decoration
  works' inspection opens its case (``city.decoration.links``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from city import commands as city_commands
from city.assessment.scoring import score_visit
from city.intake.report import LIFECYCLE, report_payload
from city.persistence.read import assessment_inspections as reads
from city.persistence.read.assessment_inspections import CLOSED, ESCALATED, STATES, VISIT_TASKS
from city.persistence.repositories.assessment_inspections import InspectionStore
from engine.bpmn.environment import kept
from engine.domain import events as ev
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import start_cases_in
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.step_hooks import StepWritten
from engine.service.step_reads import step_store

CHANNEL = "assessment"  # 考评整改: the lifecycle skips 核实 for it, the inspector saw the failure


def visit_answer(store: Any, inspection_id: int, visit: int) -> dict[str, Any]:
    """The visit scored from its recorded results (``score_visit``), as the model's data."""
    found = reads.inspection(store, inspection_id)
    if found is None:
        return {"visit": visit, "complete": False, "problems": {"inspection_id": f"no inspection {inspection_id}"},
                "score": None, "deducted": 0.0, "failed": [], "applicable_points": 0.0}
    previous = reads.failed_codes(store, inspection_id, visit - 1) if visit > 0 else []
    return score_visit(found["items"], visit, reads.visit_results(store, inspection_id, visit), previous).as_data()


def assessment_visit_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., dict[str, Any]]:
    """``assessment_visit(inspection_id, visit)`` → ``{visit, complete, problems, score, deducted, failed,
    applicable_points}``, read in the running step's own transaction, else read-only."""

    def assessment_visit(inspection_id: Any, visit: Any) -> dict[str, Any]:
        """The visit's score and what is missing before it may be finished."""
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (inspection_id, visit)) or visit < 0:
            raise ValueError("assessment_visit() needs the inspection's id and the visit (numbers)")
        with step_store(open_uow) as store:
            return visit_answer(store, inspection_id, visit)

    return kept("assessment_visit", assessment_visit)


def _is_inspection(data: dict[str, Any]) -> bool:
    return isinstance(data.get("inspection_id"), int) and data.get("inspection_state") in STATES


def _completed_visit(step: StepWritten) -> bool:
    return any(r.event_type == ev.TASK_COMPLETED and r.bpmn_id in VISIT_TASKS for r in step.records)


def _row_fields(step: StepWritten) -> dict[str, Any]:
    """What the step changes in the inspection's row."""
    data = step.data
    fields: dict[str, Any] = {"state": data["inspection_state"], "visits": int(data.get("visits") or 0)}
    if any(r.event_type == ev.CASE_STARTED for r in step.records):
        fields |= {"case_id": step.case_id, "task_group": data.get("inspection_group")}
    result = data.get("visit_result")
    if _completed_visit(step) and isinstance(result, dict) and result.get("visit") == 0:
        fields |= {"score": result.get("score"), "deducted": result.get("deducted"),
                   "failed_items": len(result.get("failed") or []), "inspected_by": step.actor,
                   "inspected_at": step.now}
    if data["inspection_state"] == CLOSED and data.get("closed_at"):
        fields["closed_at"] = datetime.fromisoformat(str(data["closed_at"]))
    return fields


def keep_inspection_row(uow: UnitOfWork, step: StepWritten) -> None:
    """The inspection's row follows its own case's data (a look-alike case's steps change nothing: the row's case
    is checked in the update); other cases' steps cost a look at their data."""
    if step.data and _is_inspection(step.data):
        uow.repository(InspectionStore).keep_row(int(step.data["inspection_id"]), step.case_id, _row_fields(step))


def _rectification_payload(data: dict[str, Any], item: dict[str, Any], row: dict[str, Any], visit: int,
                           actor: str) -> dict[str, Any]:
    """The lifecycle's start data for one failed item (考评整改)."""
    place = data["object"]
    note = f" ({row['note']})" if row.get("note") else ""
    report = city_commands.ReportProblem(
        str(item["subtype"]), f"考评整改 {place['name']}: {item['label']}{note}", place["lon"], place["lat"],
        CHANNEL, actor, evidence=tuple(row.get("photos") or ()))
    payload = report_payload(report)
    payload["assessment"] = {"inspection_id": data["inspection_id"], "round_id": data.get("round_id"),
                             "scheme": data["scheme"], "period": data.get("period"), "object_code": place["code"],
                             "item_code": item["code"], "visit": visit}
    if place.get("department"):
        payload["report"]["responsible_unit"] = place["department"]
    return payload


def _share_photos(uow: UnitOfWork, from_case: int, to_case: int, photos: list[Any], now: datetime) -> None:
    """The item's photos (uploads of the inspection case) recorded as the rectification case's attachments too,
    so its evidence opens from it (the bytes are stored once, by digest)."""
    attachments = uow.attachments
    for digest in photos:
        found = attachments.get(from_case, digest) if isinstance(digest, str) else None
        if found is not None:
            attachments.add(to_case, digest, found["filename"], found["content_type"], found["size"],
                            found["uploaded_by"], now)


def rectification_opener(deps: Deps) -> Callable[[UnitOfWork, StepWritten], None]:
    """The step hook opening the rectification cases of a visit's failed items (see the module's docstring)."""

    def open_rectifications(uow: UnitOfWork, step: StepWritten) -> None:
        """A visit finished with failed items: one lifecycle case per item, noted on its result."""
        data = step.data
        if not data or not _is_inspection(data) or not _completed_visit(step):
            return
        if data["inspection_state"] == ESCALATED:
            return  # the third failed re-inspection: the 督办 (supervise_rectification) takes over, no new case
        result = data.get("visit_result")
        if not isinstance(result, dict) or not result.get("failed"):
            return
        visit, inspection_id = int(result["visit"]), int(data["inspection_id"])
        found = reads.inspection(uow.store, inspection_id)
        if found is None or found["case_id"] != step.case_id:
            return  # no row, or not the row's own case (StepWritten names no process: the row's case is checked)
        items = {item["code"]: item for item in found["items"]}
        rows = reads.visit_results(uow.store, inspection_id, visit)
        failed = [code for code in result["failed"] if code in items and code in rows]
        payloads = [_rectification_payload(data, items[c], rows[c], visit, step.actor) for c in failed]
        started = start_cases_in(uow, deps, LIFECYCLE, payloads, step.actor, step.now)
        repo = uow.repository(InspectionStore)
        for code, case in zip(failed, started, strict=True):
            repo.set_rectification(inspection_id, visit, code, case.case_id)
            _share_photos(uow, step.case_id, case.case_id, rows[code]["photos"], step.now)

    return open_rectifications


def install(bus: MessageBus) -> None:
    """Add the inspections' script helper and step hooks to ``bus``."""
    bus.deps.script_helpers["assessment_visit"] = assessment_visit_helper(bus.deps.uow)
    bus.deps.step_hooks.append(keep_inspection_row)
    bus.deps.step_hooks.append(rectification_opener(bus.deps))
