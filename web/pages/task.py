"""The task page: the case and what the step needs to know, read-only, above the task's form (rendered
from its JSON Schema); the POST completes it with one command (the engine checks the form and claims the task
if nobody holds it, in the same transaction)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from city.history.cases import case_by_no
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected, form_fields
from engine.service.accounts import Principal
from engine.service.queries import task_by_id, task_data
from web.api.access import require_task_action, task_visible
from web.api.errors import ApiError
from web.api.tasks import complete_command, form_of
from web.context import bus, deps
from web.pages.catalog import department_names, departments, subtype_names
from web.pages.common import bp, landing_url, me, signed_in
from web.pages.duplicates import duplicates_panel
from web.pages.formdata import GENERAL, build_document, place_errors
from web.pages.i18n import lang
from web.pages.process_view import data_rows, is_lifecycle, process_of

FACTS = ("filing_condition", "advice", "advice_note", "priority_reason", "disposal_unit", "competent_department",
         "owner_unit", "limit_amount", "limit_unit", "closing_standard", "suggested_close_type")


def _visible_task(task_id: str) -> dict[str, Any]:
    task = task_by_id(deps(), task_id)
    if task is None or not task_visible(me(), task):
        raise ApiError(404, f"task {task_id} not found")
    return task


def _may_act(who: Principal, task: dict[str, Any]) -> bool:
    holds = task["candidate_group"] in who.groups or task["assignee"] == who.username
    return task["state"] == "ready" and who.acts_on_tasks and holds


def _control(field: dict[str, Any]) -> str:
    """Which HTML control shows the field."""
    if field["widget"] in ("textarea", "photos", "department"):
        return str(field["widget"])
    if "enum" in field:
        return "choice"  # a <select> of the enum's values
    if field["type"] == "boolean":
        return "yesno" if field["required"] else "checkbox"
    if field["type"] in ("number", "integer"):
        return "number"
    return "textarea" if field["type"] == "array" else "text"


def field_views(fields: list[dict[str, Any]], posted: MultiDict[str, str], errors: dict[str, str],
                language: str) -> list[dict[str, Any]]:
    """The fields as the template draws them: control, label, options, the posted value and its error."""
    views = []
    for field in fields:
        labels = field.get("labels", {}).get(language) or field.get("enum", [])
        views.append({**field, "control": _control(field), "label": field["title"].get(language),
                      "options": list(zip(field.get("enum", []), labels, strict=False)),
                      "value": " ".join(posted.getlist(field["path"])) if field["type"] == "array"
                      else posted.get(field["path"], ""),
                      "conditional": bool(field["required_when"]), "error": errors.get(field["path"])})
    return views


def _render(task: dict[str, Any], posted: MultiDict[str, str], errors: dict[str, str],
            status: int = 200) -> ResponseReturnValue:
    clock = deps().clock
    case = case_by_no(deps(), task["case_no"], clock.now()) if task["case_no"] else None
    data = task_data(deps(), task["id"]) if task["state"] == "ready" else None
    form = form_of(task)
    fields = form_fields(form) if form else []
    may_act = _may_act(me(), task)
    title = form.schema.get("title" if lang() == "zh" else "x-title-en") if form else None
    generic = not is_lifecycle(case)  # a case of another process: its process and data, not the lifecycle's facts
    return render_template(
        "task.html", task=task, case=case, data=data or {}, facts=[(k, (data or {}).get(k)) for k in FACTS],
        form_title=title or task["name"] or task["bpmn_id"], form_help=form.schema.get("description") if form else None,
        fields=field_views(fields, posted, errors, lang()) if may_act else [], general_error=errors.get(GENERAL),
        may_act=may_act, subtypes=subtype_names(deps()), department_names=department_names(deps()),
        departments=departments(deps()) if any(f["widget"] == "department" for f in fields) else [],
        generic=generic, process=process_of(deps(), case) if generic and case else None,
        rows=data_rows(data or {}) if generic else [],
        duplicates=duplicates_panel(task, case) if may_act and not generic else None,  # 立案: possible duplicates
    ), status


@bp.get("/tasks/<task_id>")
@signed_in()
def task_page(task_id: str) -> ResponseReturnValue:
    """The task with its case, its data and (for those who work it) its form."""
    return _render(_visible_task(task_id), MultiDict(), {})


@bp.post("/tasks/<task_id>")
@signed_in()
def submit_task(task_id: str) -> ResponseReturnValue:
    """Check the posted form against the task's schema and complete the task; errors go next to their fields."""
    task = _visible_task(task_id)
    require_task_action(me(), task)
    if task["state"] != "ready":
        return _render(task, request.form, {GENERAL: _("该任务已办理或已取消")}, 409)
    form = form_of(task)
    fields = form_fields(form) if form else []
    names = [f["path"] for f in fields]
    data, problems = build_document(fields, request.form)
    if problems:  # what the HTML form itself could not turn into a document
        return _render(task, request.form, place_errors(problems, names), 422)
    if task["assignee"] not in (None, me().username):
        return _render(task, request.form, {GENERAL: _("该任务已被 %(name)s 签收", name=task["assignee"])}, 409)
    try:
        bus().handle(complete_command(task, data, me()))
    except FieldsRejected as exc:
        return _render(task, request.form, place_errors(exc.fields, names), exc.http_status)
    except GridcaseError as exc:
        return _render(task, request.form, place_errors({exc.field or GENERAL: exc.message}, names),
                       exc.http_status)
    flash(_("已办理：%(step)s（案件 %(case)s）", step=task["name"] or task["bpmn_id"], case=task["case_no"]), "success")
    return redirect(landing_url(me()))
