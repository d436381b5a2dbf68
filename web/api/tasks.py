"""Task lists and task actions: claim, unclaim, complete (validated against the task's form schema)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain import commands as c
from engine.domain.errors import GridcaseError
from engine.domain.forms import FormSchema, form_fields, load_form
from engine.service.queries import TaskFilter, task_by_id, task_data, task_list
from web.api.access import require_task_action, task_visible
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import TaskComplete, TaskList, TaskQuery, TaskView

bp = Blueprint("api_tasks", __name__)


def _deps() -> Any:
    return current_app.extensions["gridcase.bus"].deps


def visible_task(task_id: str) -> dict[str, Any]:
    """The task if the caller may see it, else 404."""
    task = task_by_id(_deps(), task_id)
    if task is None or not task_visible(caller(), task):
        raise ApiError(404, f"task {task_id} not found")
    return task


@lru_cache(maxsize=64)
def _form(path: Path) -> FormSchema:
    return load_form(path)


def form_of(task: dict[str, Any]) -> FormSchema | None:
    """The task's form schema (``form`` property of its BPMN task, under the workflows folder)."""
    if not task.get("form"):
        return None
    folder: Path = current_app.extensions["gridcase.settings"].workflows_dir
    path = (folder / task["form"]).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        raise ApiError(404, f"form {task['form']} of task {task['bpmn_id']} not found")
    return _form(path)


def unknown_departments(form: FormSchema, data: dict[str, Any], case_id: int | None = None) -> dict[str, str]:
    """Department fields (``x-widget: department``) must name a department that exists, and photo fields
    (``x-widget: photos``) attachments uploaded to this case."""
    problems = {}
    with _deps().uow(read_only=True) as uow:  # one connection for every field, not one per field
        store = uow.store
        for field in form_fields(form):
            value: Any = data
            for part in field["path"].split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if field.get("widget") == "department" and isinstance(value, str) and value:
                if store.execute("SELECT 1 FROM departments WHERE code = ?", (value,)).fetchone() is None:
                    problems[field["path"]] = f"no department {value}"
            elif field.get("widget") == "photos" and isinstance(value, list) and case_id is not None:
                missing = [d for d in value if store.execute("SELECT 1 FROM attachments WHERE case_id = ? AND"
                                                             " sha256 = ?", (case_id, d)).fetchone() is None]
                if missing:
                    problems[field["path"]] = f"not uploaded to this case: {', '.join(m[:12] for m in missing)}"
    return problems


@bp.get("/tasks")
@authenticated()
def list_tasks() -> ResponseReturnValue:
    """The caller's visible tasks, soonest due first, with counts by deadline light."""
    query = TaskQuery().load(request.args.to_dict())
    who = caller()
    flt = TaskFilter(username=who.username, groups=None if who.reads_everything else who.groups, **query)
    return jsonify(TaskList().dump(task_list(_deps(), flt, _deps().clock.now())))


@bp.get("/tasks/<task_id>")
@authenticated()
def get_task(task_id: str) -> ResponseReturnValue:
    """One task with the data its form shows."""
    task = visible_task(task_id)
    data = task_data(_deps(), task_id) if task["state"] == "ready" else None
    return jsonify({**TaskView().dump(task), "data": data})


@bp.post("/tasks/<task_id>/claim")
@authenticated()
def claim(task_id: str) -> ResponseReturnValue:
    """Take the task; 409 when someone else holds it."""
    task = visible_task(task_id)
    require_task_action(caller(), task)
    if task["assignee"] != caller().username:  # claiming what you hold already changes nothing
        who = caller()
        current_app.extensions["gridcase.bus"].handle(c.ClaimTask(task_id, who.username, actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(_deps(), task_id)))


@bp.post("/tasks/<task_id>/unclaim")
@authenticated()
def unclaim(task_id: str) -> ResponseReturnValue:
    """Give the task back to its group."""
    task = visible_task(task_id)
    require_task_action(caller(), task)
    if task["assignee"] not in (None, caller().username):
        raise ApiError(409, f"task {task_id} is held by {task['assignee']}")
    who = caller()
    current_app.extensions["gridcase.bus"].handle(c.UnclaimTask(task_id, who.username, actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(_deps(), task_id)))


@bp.post("/tasks/<task_id>/complete")
@authenticated()
def complete(task_id: str) -> ResponseReturnValue:
    """Complete with ``{data}``: checked against the task's form (422 naming the fields), then the process."""
    task = visible_task(task_id)
    who = caller()
    require_task_action(who, task)
    body = TaskComplete().load(json_body())
    form = form_of(task)
    if form is not None:
        problems = ({p.field: p.message for p in form.validate(body["data"])}
                    or unknown_departments(form, body["data"], task["case_id"]))
        if problems:
            raise ApiError(422, "the form has invalid fields", problems)
    if task["assignee"] not in (None, who.username):
        raise ApiError(409, f"task {task_id} is held by {task['assignee']}")
    bus = current_app.extensions["gridcase.bus"]
    claimed_now = task["assignee"] is None
    if claimed_now:
        # Completing is claiming: the audit shows who.
        bus.handle(c.ClaimTask(task_id, who.username, actor_kind=who.actor_kind))
    try:
        ref = bus.handle(c.CompleteHumanTask(task_id, body["data"], who.username, body.get("expected_version"),
                                                actor_kind=who.actor_kind))
    except GridcaseError:
        if claimed_now:  # leave the task as it was: a refused completion must not keep the claim
            bus.handle(c.UnclaimTask(task_id, who.username, actor_kind=who.actor_kind))
        raise
    return jsonify({"task": TaskView().dump(task_by_id(_deps(), task_id)), "case_id": ref.case_id,
                    "ready_tasks": list(ref.ready_tasks)})
