"""Task lists and task actions: claim, unclaim, complete (validated against the task's form schema).

A task list names each task's process (``process_id``, and ``process_name`` from the process's newest version) and
filters by it (``?process=ID``); a process never deployed is 422 naming ``process`` (a typo would otherwise look
like an empty list)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain import commands as c
from engine.domain.errors import NotFound
from engine.domain.forms import FormSchema
from engine.service.accounts import Principal
from engine.service.drafts import PROCESS_ID
from engine.service.process_starts import process_names
from engine.service.queries import TaskFilter, task_by_id, task_data, task_list
from engine.service.task_forms import form_of_task
from web import context
from web.api.access import require_task_action, task_visible
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import TaskComplete, TaskList, TaskQuery, TaskView
from web.policy import READ_CASES

bp = Blueprint("api_tasks", __name__)


class ProcessTaskQuery(TaskQuery):
    """``GET /tasks`` query parameters: the task filters and ``process`` (a deployed process's id)."""

    process = fields.String(validate=validate.Regexp(PROCESS_ID, error="a process id"))


class ProcessTaskView(TaskView):
    """A task in a list, with the process its case runs."""

    process_id = fields.String(allow_none=True)
    process_name = fields.String(allow_none=True, metadata={"description": "the name its newest version gives it"})


class ProcessTaskList(TaskList):
    tasks = fields.List(fields.Nested(ProcessTaskView))


def with_process_names(tasks: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The tasks, each with its process's name (its id when the process is no longer deployed)."""
    return [{**t, "process_name": names.get(t.get("process_id") or "", t.get("process_id"))} for t in tasks]


def visible_task(task_id: str) -> dict[str, Any]:
    """The task if the caller may see it, else 404."""
    task = task_by_id(context.deps(), task_id)
    if task is None or not task_visible(caller(), task):
        raise ApiError(404, f"task {task_id} not found")
    return task


def form_of(task: dict[str, Any]) -> FormSchema | None:
    """The task's form schema (``form`` property of its BPMN task), as the task's process version has it."""
    try:
        return form_of_task(context.deps(), task["id"], task.get("form"), task["bpmn_id"])
    except NotFound as exc:
        raise ApiError(404, exc.message) from None


def completed_view(task: dict[str, Any], who: str, at: datetime | None) -> dict[str, Any]:
    """The task as the completion left it, from the row read before it (no second read)."""
    stamp = at.astimezone(UTC).isoformat() if at else None
    return {**task, "state": "completed", "completed_by": who, "completed_at": stamp,
            "assignee": task["assignee"] or who, "claimed_at": task["claimed_at"] or stamp}


def complete_command(task: dict[str, Any], data: Any, who: Principal,
                     expected_version: int | None = None) -> c.CompleteHumanTask:
    """The one command behind completing over HTTP: unassigned tasks are claimed by who completes them."""
    return c.CompleteHumanTask(task["id"], data, who.username, expected_version, claim_if_free=True,
                               actor_kind=who.actor_kind)


@bp.get("/tasks")
@authenticated(READ_CASES)
def list_tasks() -> ResponseReturnValue:
    """The caller's visible tasks, soonest due first, with counts by deadline light, each naming its process;
    ``?process=ID`` the tasks of one deployed process (422 naming ``process`` for one never deployed)."""
    query = ProcessTaskQuery().load(request.args.to_dict())
    process = query.pop("process", None)
    names = process_names(context.deps())
    if process is not None and process not in names:
        raise ApiError(422, "the request has invalid fields", {"process": f"no deployed process {process!r}"})
    who = caller()
    flt = TaskFilter(username=who.username, groups=None if who.reads_everything else who.groups,
                     process_id=process, **query)
    found = task_list(context.deps(), flt, context.deps().clock.now())
    return jsonify(ProcessTaskList().dump({**found, "tasks": with_process_names(found["tasks"], names)}))


@bp.get("/tasks/<task_id>")
@authenticated(READ_CASES)
def get_task(task_id: str) -> ResponseReturnValue:
    """One task with the data its form shows."""
    task = visible_task(task_id)
    data = task_data(context.deps(), task_id) if task["state"] == "ready" else None
    return jsonify({**TaskView().dump(task), "data": data})


@bp.post("/tasks/<task_id>/claim")
@authenticated(READ_CASES)
def claim(task_id: str) -> ResponseReturnValue:
    """Take the task; 409 when someone else holds it."""
    task = visible_task(task_id)
    require_task_action(caller(), task)
    if task["assignee"] != caller().username:  # claiming what you hold already changes nothing
        who = caller()
        context.bus().handle(c.ClaimTask(task_id, who.username, actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(context.deps(), task_id)))


@bp.post("/tasks/<task_id>/unclaim")
@authenticated(READ_CASES)
def unclaim(task_id: str) -> ResponseReturnValue:
    """Give the task back to its group."""
    task = visible_task(task_id)
    require_task_action(caller(), task)
    if task["assignee"] not in (None, caller().username):
        raise ApiError(409, f"task {task_id} is held by {task['assignee']}")
    who = caller()
    context.bus().handle(c.UnclaimTask(task_id, who.username, actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(context.deps(), task_id)))


@bp.post("/tasks/<task_id>/complete")
@authenticated(READ_CASES)
def complete(task_id: str) -> ResponseReturnValue:
    """Complete with ``{data}``: checked against the task's form (422 naming the fields), then the process;
    an unassigned task is claimed by whoever completes it, in the same transaction."""
    task = visible_task(task_id)
    who = caller()
    require_task_action(who, task)
    body = TaskComplete().load(json_body())
    ref = context.bus().handle(complete_command(task, body["data"], who,
                                                                         body.get("expected_version")))
    return jsonify({"task": TaskView().dump(completed_view(task, who.username, ref.occurred_at)),
                    "case_id": ref.case_id, "ready_tasks": list(ref.ready_tasks)})
