"""Duplicates on the pages: the 立案 task page's panel of possible duplicates with a "作废为重复 / Void as duplicate
of …" button each (the same ``VoidAsDuplicate`` command as the API), and the links a case page shows."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.duplicates.candidates import task_milestone
from city.duplicates.commands import VoidAsDuplicate
from engine.domain.errors import GridcaseError
from engine.domain.milestones import FILED, VERIFIED
from engine.service.queries import task_by_id
from web.api.access import require_task_action, task_visible
from web.api.duplicates import candidates_view, links_view
from web.api.errors import ApiError
from web.context import bus, deps
from web.pages.common import bp, me, signed_in


def duplicates_panel(task: dict[str, Any], case: dict[str, Any] | None) -> dict[str, Any] | None:
    """The possible duplicates of the case for its ready 立案 task's page (``may_void``: with the buttons), and for
    its 核实 task's page (the collector on site sees them, but voiding is the 立案 decision); None on other tasks."""
    if case is None or case.get("id") is None or task["state"] != "ready":
        return None
    milestone = task_milestone(deps(), task["process_version_id"], task["bpmn_id"])
    if milestone not in (FILED, VERIFIED):
        return None
    return {**candidates_view(case), "may_void": milestone == FILED}


def case_links_panel(case: dict[str, Any]) -> dict[str, Any] | None:
    """A live case's links (duplicate of, its duplicates, how many reports), or None for an imported case."""
    return links_view(case["id"]) if case.get("id") is not None else None


@bp.post("/tasks/<task_id>/void-as-duplicate")
@signed_in()
def void_as_duplicate(task_id: str) -> ResponseReturnValue:
    """作废为重复: void the task's case as a duplicate of the chosen case; back to the task page on a refusal."""
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
        flash(_("未能作废为重复：%(message)s", message=exc.message), "error")
        return redirect(url_for("pages.task_page", task_id=task_id))
    flash(_("已作废为重复：案件 %(case)s 重复于 %(original)s", case=task["case_no"], original=original), "success")
    return redirect(url_for("pages.case_page", case_no=task["case_no"]))
