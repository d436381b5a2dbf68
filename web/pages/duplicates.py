"""Duplicates on the pages: the 立案 task page's panel of possible duplicates with a "作废为重复 / Void as duplicate
of …" button each (the same ``VoidAsDuplicate`` command as the API), and the links a case page shows."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.duplicates.candidates import task_milestone
from city.duplicates.commands import VoidAsDuplicate
from engine.domain.errors import ConcurrencyConflict, GridcaseError, NotFound
from engine.domain.milestones import CLOSED, FILED, VERIFIED
from engine.service.queries import task_by_id
from web.api.access import require_task_action, task_visible
from web.api.duplicates import candidates_view, links_view
from web.api.errors import ApiError
from web.context import bus, deps
from web.pages.common import bp, me, signed_in


def duplicates_panel(task: dict[str, Any], case: dict[str, Any] | None) -> dict[str, Any] | None:
    """The duplicates part of a ready task's page: at 立案 the possible duplicates with the buttons (``may_void``),
    at 核实 the same without them (the collector on site sees them; voiding is the 立案 decision); at 立案 and 结案 a
    warning when reports were voided as duplicates of this case (``linked``). None on other tasks."""
    if case is None or case.get("id") is None or task["state"] != "ready":
        return None
    milestone = task_milestone(deps(), task["process_version_id"], task["bpmn_id"])
    if milestone not in (FILED, VERIFIED, CLOSED):
        return None
    linked = links_view(case["id"], me())["duplicates"] if milestone in (FILED, CLOSED) else []
    if milestone == CLOSED:
        return {"linked": linked, "show_candidates": False} if linked else None
    return {**candidates_view(case, me()), "may_void": milestone == FILED, "linked": linked, "show_candidates": True}


def case_links_panel(case: dict[str, Any]) -> dict[str, Any] | None:
    """A live case's links (duplicate of, its duplicates, how many reports), or None for an imported case."""
    return links_view(case["id"], me()) if case.get("id") is not None else None


def refusal_message(exc: GridcaseError, original: str) -> str:
    """Why the void was refused, in the page's language, naming the field (the command's message is English)."""
    return str(_refusal(exc, original))


def _refusal(exc: GridcaseError, original: str) -> object:
    if isinstance(exc, ConcurrencyConflict):
        return _("本案件已不在立案环节（已立案、已作废或正由他人办理），请刷新后再看")
    if exc.field == "duplicate_of" and isinstance(exc, NotFound):
        return _("找不到案件 %(no)s（字段：重复于的案件编号 duplicate_of）", no=original[:40])
    if exc.field == "duplicate_of":
        return _("案件 %(no)s 不能作为原案件：只有在办、且本身不是重复报告的案件可以（字段：重复于的案件编号"
                 " duplicate_of）", no=original[:40])
    if exc.field == "allow_other_subtype":
        return _("案件 %(no)s 属于另一小类：确认“允许不同小类”后再作废（字段：允许不同小类 allow_other_subtype）",
                 no=original[:40])
    if exc.field == "note":
        return _("说明过长（字段：说明 note）")
    return _("请检查字段 %(field)s", field=exc.field or "—")


@bp.post("/tasks/<task_id>/void-as-duplicate")
@signed_in()
def void_as_duplicate(task_id: str) -> ResponseReturnValue:
    """作废为重复: void the task's case as a duplicate of the chosen case; back to the task page on a refusal. A
    repeated click after the case was voided into the same case lands on the case page, as the first did."""
    task = task_by_id(deps(), task_id)
    if task is None or not task_visible(me(), task):
        raise ApiError(404, f"task {task_id} not found")
    require_task_action(me(), task)
    original = request.form.get("duplicate_of", "").strip()
    try:
        bus().handle(VoidAsDuplicate(task["case_no"], original, me().username, note=request.form.get("note", ""),
                                     task_id=task_id, allow_other_subtype=request.form.get("allow_other_subtype")
                                     in ("1", "on", "true"), actor_kind=me().actor_kind))
    except GridcaseError as exc:
        flash(_("未能作废为重复：%(message)s", message=refusal_message(exc, original)), "error")
        return redirect(url_for("pages.task_page", task_id=task_id))
    flash(_("已作废为重复：案件 %(case)s 重复于 %(original)s", case=task["case_no"], original=original), "success")
    return redirect(url_for("pages.case_page", case_no=task["case_no"]))
