"""Supervisors' pages (shift leads, supervisors, admins: ``SUPERVISE_TASKS``): 改派 reassign and 强制释放 force
release of a claimed task — the page the lists and the case page link to, whose forms send the same commands as the
API (``ReassignTask``, ``ForceReleaseTask``), errors next to their fields — and 发起督办, the start form of the 督办
process (case_supervision) filled in with the case and its current department, posted to the start page's route."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.domain.errors import GridcaseError
from engine.domain.supervision_commands import ForceReleaseTask, ReassignTask
from engine.persistence.read.supervision import SUPERVISION_PROCESS
from engine.service.process_starts import startable
from engine.service.queries import task_by_id
from engine.service.supervision import eligible_accounts
from web.api.access import task_visible
from web.context import bus, deps
from web.pages.common import bp, me, signed_in
from web.pages.start import _render as render_start
from web.policy import SUPERVISE_TASKS


def _task_or_404(task_id: str) -> dict[str, Any]:
    task = task_by_id(deps(), task_id)
    if task is None or not task_visible(me(), task):
        abort(404)
    return task


def _page(task: dict[str, Any], errors: dict[str, str] | None = None, posted: dict[str, str] | None = None,
          status: int = 200) -> ResponseReturnValue:
    people = eligible_accounts(deps(), task["candidate_group"], task["assignee"])
    return render_template("_supervision_task.html", task=task, people=people, errors=errors or {},
                           posted=posted or {}), status


@bp.get("/tasks/<task_id>/supervise")
@signed_in(SUPERVISE_TASKS)
def supervise_task(task_id: str) -> ResponseReturnValue:
    """The task, who holds it, and the 改派 / 强制释放 forms."""
    return _page(_task_or_404(task_id))


def _send(task: dict[str, Any], command: ReassignTask | ForceReleaseTask, done: str) -> ResponseReturnValue:
    try:
        bus().handle(command)
    except GridcaseError as exc:
        return _page(task_by_id(deps(), task["id"]) or task, {exc.field or "general": exc.message},
                     dict(request.form), exc.http_status)
    flash(done, "success")
    return redirect(url_for("pages.case_page", case_no=task["case_no"]))


@bp.post("/tasks/<task_id>/supervise/reassign")
@signed_in(SUPERVISE_TASKS)
def supervise_reassign(task_id: str) -> ResponseReturnValue:
    """改派: the task to the chosen person of its group, with the reason."""
    task, who = _task_or_404(task_id), me()
    command = ReassignTask(task_id, request.form.get("to", ""), request.form.get("reason", ""), who.username,
                           actor_kind=who.actor_kind)
    return _send(task, command, _("已改派给 %(to)s", to=request.form.get("to", "")))


@bp.post("/tasks/<task_id>/supervise/release")
@signed_in(SUPERVISE_TASKS)
def supervise_release(task_id: str) -> ResponseReturnValue:
    """强制释放: the task back to its group's queue, with the reason."""
    task, who = _task_or_404(task_id), me()
    command = ForceReleaseTask(task_id, request.form.get("reason", ""), who.username, actor_kind=who.actor_kind)
    return _send(task, command, _("已强制释放，任务回到待签收"))


@bp.get("/cases/<case_no>/supervise")
@signed_in()
def supervise_case(case_no: str) -> ResponseReturnValue:
    """发起督办: the 督办 start form with the case and (when the case has one) its current department filled in; it
    posts to the start page's route, which sends ``StartCase`` (starters and the form decide)."""
    options = [o for o in startable(deps(), me()) if o.process_id == SUPERVISION_PROCESS]
    if not options:
        abort(403)
    department = request.args.get("department", "")
    return render_start(options, SUPERVISION_PROCESS, MultiDict({"case_no": case_no, "department": department}))
