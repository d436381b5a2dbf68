"""Work lists: the centre's inbox, a department's queue (claim/unclaim), the collector's list, recent cases, and
the cases the signed-in person started (我发起的, ``/started``).

Each list's table is also a fragment (``…/rows``) that htmx reloads when the live channel says one of the
viewer's groups changed (``tasks-changed``, web/static/js/live.js), and every 60 s should the stream be down.
Task lists name each task's process (its newest version's name) and filter by it (``?process=ID``; like the
other filters, a process never deployed is left out rather than refused, so an old bookmark still opens the list).
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain import commands as c
from engine.domain.errors import GridcaseError
from engine.service.process_starts import process_names
from engine.service.queries import TaskFilter, task_by_id, task_list
from engine.service.started import started_cases
from web.api.access import require_task_action, task_visible
from web.api.errors import ApiError
from web.context import bus, deps
from web.pages.catalog import districts, recent_cases, subtype_names
from web.pages.common import bp, me, signed_in
from web.pages.labels import CHANNELS
from web.policy import READ_ALL_CASES, WORK_COLLECTOR_TASKS, WORK_DEPARTMENT_QUEUE, WORK_INBOX

LISTS = {"inbox": WORK_INBOX, "queue": WORK_DEPARTMENT_QUEUE, "collector": WORK_COLLECTOR_TASKS}
CHOICES = {"state": ("ready", "completed", "cancelled"), "channel": CHANNELS,
           "light": ("green", "yellow", "red", "grey")}
CODE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")


def list_filters(args: Any, processes: dict[str, str] | None = None) -> dict[str, Any]:
    """The list's filters from the query string; unknown or malformed values are left out (``process``: one of
    ``processes``, the deployed ones by id, read when not given)."""
    found: dict[str, Any] = {}
    process = (args.get("process") or "").strip()
    if process and process in (process_names(deps()) if processes is None else processes):
        found["process"] = process
    for name, allowed in CHOICES.items():
        if args.get(name) in allowed:
            found[name] = args[name]
    for name in ("subtype", "district", "resp_grid", "unit_grid"):
        value = (args.get(name) or "").strip()
        if CODE.fullmatch(value):
            found[name] = value
    if args.get("mine") in ("1", "true"):
        found["mine"] = True
    if args.get("escalated") in ("1", "true"):  # 超期督办: overdue tasks escalated to the caller's groups
        found["escalated"] = True
    return found


def _query_string(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: ("1" if v is True else v) for k, v in filters.items()}


def _table(kind: str, filters: dict[str, Any], notice: str | None = None) -> dict[str, Any]:
    """What a list's table shows: the tasks, counts by light and the fragment's own URL."""
    who = me()
    names = process_names(deps())
    chosen = {k: v for k, v in filters.items() if k != "process"}
    flt = TaskFilter(username=who.username, groups=who.groups, process_id=filters.get("process"), **chosen)
    found = task_list(deps(), flt, deps().clock.now())
    tasks = [{**t, "process_name": names.get(t.get("process_id") or "", t.get("process_id"))} for t in found["tasks"]]
    return {"kind": kind, "tasks": tasks, "counts": found["counts"], "total": found["total"],
            "filters": filters, "subtypes": subtype_names(deps()), "notice": notice, "processes": names,
            "rows_url": url_for(f"pages.{kind}_rows", **_query_string(filters))}


def _page(kind: str) -> ResponseReturnValue:
    filters = list_filters(request.args)
    return render_template(f"{kind}.html", table=_table(kind, filters), districts=districts(deps()),
                           channel_codes=CHANNELS)


@bp.get("/inbox")
@signed_in(LISTS["inbox"])
def inbox() -> ResponseReturnValue:
    """The centre's tasks (the caller's groups), filterable, soonest due first."""
    return _page("inbox")


@bp.get("/inbox/rows")
@signed_in(LISTS["inbox"])
def inbox_rows() -> ResponseReturnValue:
    """The inbox table alone (polled by htmx)."""
    return render_template("_tasks.html", table=_table("inbox", list_filters(request.args)))


@bp.get("/queue")
@signed_in(LISTS["queue"])
def queue() -> ResponseReturnValue:
    """The department's open tasks; ``?mine=1`` for the ones the caller holds."""
    return _page("queue")


@bp.get("/queue/rows")
@signed_in(LISTS["queue"])
def queue_rows() -> ResponseReturnValue:
    """The queue table alone (polled by htmx, returned after claim/unclaim)."""
    return render_template("_tasks.html", table=_table("queue", list_filters(request.args)))


@bp.get("/collector")
@signed_in(LISTS["collector"])
def collector() -> ResponseReturnValue:
    """The collector's verifications and on-site checks (phone-sized)."""
    return _page("collector")


@bp.get("/collector/rows")
@signed_in(LISTS["collector"])
def collector_rows() -> ResponseReturnValue:
    """The collector's table alone (polled by htmx)."""
    return render_template("_tasks.html", table=_table("collector", list_filters(request.args)))


def _hold(task_id: str, take: bool) -> str | None:
    """Claim or unclaim; the problem to show when it was refused."""
    task = task_by_id(deps(), task_id)
    who = me()
    if task is None or not task_visible(who, task):
        raise ApiError(404, f"task {task_id} not found")
    require_task_action(who, task)
    try:
        if take:
            bus().handle(c.ClaimTask(task_id, who.username))
        elif task["assignee"] not in (None, who.username):
            held: str = _("该任务已被 %(name)s 签收", name=task["assignee"])  # flask_babel is untyped
            return held
        else:
            bus().handle(c.UnclaimTask(task_id, who.username))
    except GridcaseError as exc:
        refused: str = _("操作未成功：%(reason)s", reason=exc.message)
        return refused
    return None


def _after_hold(notice: str | None) -> ResponseReturnValue:
    filters = list_filters(request.form)
    kind = "queue" if me().role == "department_member" else "collector" if me().role == "collector" else "inbox"
    if request.headers.get("HX-Request"):
        return render_template("_tasks.html", table=_table(kind, filters, notice))
    if notice:
        flash(notice, "error")
    return redirect(url_for(f"pages.{kind}", **_query_string(filters)))


@bp.post("/tasks/<task_id>/claim")
@signed_in()
def claim(task_id: str) -> ResponseReturnValue:
    """Take a task (htmx gets the refreshed table back)."""
    return _after_hold(_hold(task_id, True))


@bp.post("/tasks/<task_id>/unclaim")
@signed_in()
def unclaim(task_id: str) -> ResponseReturnValue:
    """Give a task back to its group."""
    return _after_hold(_hold(task_id, False))


@bp.get("/started")
@signed_in()
def started() -> ResponseReturnValue:
    """我发起的: the cases the signed-in person started (any process), newest first, with their process's name."""
    return render_template("started.html", cases=started_cases(deps(), me().username),
                           processes=process_names(deps()), subtypes=subtype_names(deps()))


@bp.get("/cases")
@signed_in(READ_ALL_CASES)
def cases() -> ResponseReturnValue:
    """Recently reported cases (auditors and admins land here)."""
    return render_template("cases.html", cases=recent_cases(deps()), subtypes=subtype_names(deps()))
