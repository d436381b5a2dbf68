"""The inspector's phone page of an assessment inspection (考评检查, 复查; docs/assessment.md), from 360 px wide: the
checklist items of the current visit — every item applicable to the object at the inspection, only the items the
previous visit failed (with that visit's result) at a re-inspection (复查) — each recorded pass / fail (a preset
deduction or points) / na with a note and a photo resized in the browser and uploaded to the inspection case
(``assessment-inspect.js``: ``POST /api/v1/cases/{no}/attachments``, then ``POST
/api/v1/assessment/inspections/{id}/items``), and 完成检查 / 完成复查 completing the visit's task (``POST
/api/v1/tasks/{task_id}/complete``), whose refusal the model words. The inspectors of the inspection's task group
see it, and managers (READ_ASSESSMENTS) read it; a task list's ``inspect_object`` / ``reinspect_object`` task links
to it through ``/assessment-tasks/<task_id>``."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.persistence.read import assessment_inspections
from engine.persistence.read.cases import case_no
from engine.service.queries import case_by_no, task_by_id
from web.api.access import task_visible
from web.context import deps
from web.pages.assessment import scheme_names, state_names
from web.pages.common import bp, me, signed_in
from web.policy import INSPECT_ASSESSED_OBJECTS, READ_ASSESSMENTS, allows

VISIT_TASKS = ("inspect_object", "reinspect_object")
OPEN_STATES = ("open", "rectifying")


def _texts() -> dict[str, str]:
    """What the script shows, in the page's language."""
    return {"saved": _("已保存"), "saving": _("保存中…"), "uploading": _("上传照片…"), "failed": _("保存失败"),
            "pass": _("合格"), "fail": _("不合格"), "na": _("不适用"), "photo_added": _("已添加照片"),
            "finished": _("已完成，正在刷新…"), "refused": _("未能完成")}


def _visit_items(found: dict[str, Any], results: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """The current visit and its items, each with ``current`` (this visit's result) and ``earlier`` (the previous
    visit's, at a re-inspection); a re-inspection lists only the items the previous visit failed."""
    visit = int(found["visits"] or 0)
    by_visit: dict[int, dict[str, dict[str, Any]]] = {}
    for row in results:
        by_visit.setdefault(int(row["visit"]), {})[str(row["item_code"])] = row
    earlier = by_visit.get(visit - 1, {})
    items = [item for item in found["items"] if visit == 0 or earlier.get(item["code"], {}).get("result") == "fail"]
    current = by_visit.get(visit, {})
    return visit, [{**item, "current": current.get(item["code"]), "earlier": earlier.get(item["code"])}
                   for item in items]


def _open_task(number: str | None) -> dict[str, Any] | None:
    """The inspection case's ready inspection or re-inspection task, if any."""
    if number is None:
        return None
    case = case_by_no(deps(), number, deps().clock.now()) or {}
    return next((t for t in case.get("tasks", []) if t.get("bpmn_id") in VISIT_TASKS), None)


@bp.get("/assessment/inspections/<int(max=2147483647):inspection_id>")
@signed_in()
def assessment_inspection_page(inspection_id: int) -> ResponseReturnValue:
    """An inspection's sheet: the current visit's items to record and the button finishing the visit."""
    who = me()
    with deps().uow(read_only=True) as uow:
        found = assessment_inspections.inspection(uow.store, inspection_id)
        inspector = found is not None and allows(who, INSPECT_ASSESSED_OBJECTS) and found["task_group"] in who.groups
        if found is None or not (inspector or allows(who, READ_ASSESSMENTS)):
            abort(404)
        results = assessment_inspections.all_results(uow.store, inspection_id)
        number = case_no(uow.store, found["case_id"]) if found["case_id"] else None
    visit, items = _visit_items(found, results)
    task = _open_task(number) if found["state"] in OPEN_STATES else None
    api = {"items": f"{request.script_root}/api/v1/assessment/inspections/{inspection_id}/items",
           "upload": url_for("api_cases.upload", case_no=number) if number else "",
           "complete": url_for("api_tasks.complete", task_id=task["id"]) if task and inspector else ""}
    return render_template("assessment_inspection.html", inspection=found, visit=visit, items=items,
                           results=results, case_no=number, task=task, api=api, texts=_texts(),
                           schemes=scheme_names(), states=state_names(), can_record=bool(api["complete"]))


@bp.get("/assessment-tasks/<task_id>")
@signed_in()
def assessment_task_page(task_id: str) -> ResponseReturnValue:
    """An ``inspect_object`` / ``reinspect_object`` task of the inspector's list → its inspection's page."""
    task = task_by_id(deps(), task_id)
    if task is None or not task_visible(me(), task):
        abort(404)
    with deps().uow(read_only=True) as uow:
        found = assessment_inspections.inspection_by_case(uow.store, int(task["case_id"]))
    if found is None:
        return redirect(url_for("pages.task_page", task_id=task_id))
    return redirect(url_for("pages.assessment_inspection_page", inspection_id=found["id"]))
