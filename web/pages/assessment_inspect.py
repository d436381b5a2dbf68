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

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.assessment.inspection_sheet import inspection_sheet
from city.persistence.read import assessment_inspections
from engine.service.queries import task_by_id
from web.api.access import task_visible
from web.context import deps
from web.pages.assessment import scheme_names, state_names
from web.pages.common import bp, me, signed_in
from web.policy import INSPECT_ASSESSED_OBJECTS, READ_ASSESSMENTS, allows


def _texts() -> dict[str, str]:
    """What the script shows, in the page's language."""
    return {"saved": _("已保存"), "saving": _("保存中…"), "uploading": _("上传照片…"), "failed": _("保存失败"),
            "pass": _("合格"), "fail": _("不合格"), "na": _("不适用"), "photo_added": _("已添加照片"),
            "finished": _("已完成，正在刷新…"), "refused": _("未能完成")}


def _visit_items(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    """The current visit's items (every applicable item at the inspection, the ones the previous visit failed at a
    re-inspection), each with ``current`` (this visit's record) and ``earlier`` (the previous visit's)."""
    visit = sheet["visit"]
    if visit is None:
        return []

    def at(item: dict[str, Any], number: int) -> dict[str, Any] | None:
        return next((r for r in item["results"] if r["visit"] == number), None)

    return [{**item, "current": at(item, visit), "earlier": at(item, visit - 1)}
            for item in sheet["items"] if item["current"]]


def _results(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    """Every visit's records, by visit and item (the read-only table)."""
    return sorted((r for item in sheet["items"] for r in item["results"]), key=lambda r: (r["visit"], r["item_code"]))


@bp.get("/assessment/inspections/<int(max=2147483647):inspection_id>")
@signed_in()
def assessment_inspection_page(inspection_id: int) -> ResponseReturnValue:
    """An inspection's sheet: the current visit's items to record and the button finishing the visit."""
    who = me()
    sheet = inspection_sheet(deps(), inspection_id)
    group = sheet["inspection"]["task_group"] if sheet else None
    inspector = allows(who, INSPECT_ASSESSED_OBJECTS) and group in who.groups
    if sheet is None or not (inspector or allows(who, READ_ASSESSMENTS)):
        abort(404)
    task, number = sheet["task"], sheet["case_no"]
    api = {"items": url_for("assessment_inspections_api.record_item", inspection_id=inspection_id),
           "upload": url_for("api_cases.upload", case_no=number) if number else "",
           "complete": url_for("api_tasks.complete", task_id=task["id"]) if task and inspector else ""}
    inspection = {**sheet["inspection"], "scheme": sheet["round"]["scheme"], "period": sheet["round"]["period"],
                  "object_code": sheet["object"]["code"], "object_name": sheet["object"]["name"],
                  "address": sheet["object"]["address"], "company_name": sheet["object"]["company_name"]}
    return render_template("assessment_inspection.html", inspection=inspection, visit=sheet["visit"] or 0,
                           items=_visit_items(sheet), results=_results(sheet), case_no=number, task=task, api=api,
                           texts=_texts(), schemes=scheme_names(), states=state_names(),
                           can_record=bool(api["complete"]))


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
