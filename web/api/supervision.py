"""Supervisors' task controls over the API: 改派 reassign (``POST /tasks/{id}/reassign`` {to, reason}) and 强制释放
force release (``POST /tasks/{id}/release`` {reason}) of a task someone holds. Shift leads, supervisors and admins
(``SUPERVISE_TASKS``); the holder's own release stays ``/tasks/{id}/unclaim``. The body's fields are checked by the
commands themselves (422 naming ``to`` or ``reason``), as the pages and the command line send the same ones."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from engine.domain.supervision_commands import ForceReleaseTask, ReassignTask
from engine.service.queries import task_by_id
from engine.service.supervision import eligible_accounts
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import TaskView
from web.api.tasks import visible_task
from web.policy import SUPERVISE_TASKS

bp = Blueprint("api_supervision", __name__)


class ReassignRequest(Schema):
    """Body of ``POST /tasks/{id}/reassign``."""

    to = fields.String(required=True, metadata={"description": "the username of an account of the task's group"})
    reason = fields.String(required=True, metadata={"description": "why (改派原因), kept in the audit"})


class ReleaseRequest(Schema):
    """Body of ``POST /tasks/{id}/release``."""

    reason = fields.String(required=True, metadata={"description": "why (释放原因), kept in the audit"})


class EligibleList(Schema):
    """Who a task may be reassigned to."""

    people = fields.List(fields.Dict())


def _text(body: dict[str, Any], name: str) -> Any:
    """The body's field as sent (the command refuses a missing or non-text one, naming it)."""
    return body.get(name, "")


@bp.post("/tasks/<task_id>/reassign")
@authenticated(SUPERVISE_TASKS)
def reassign(task_id: str) -> ResponseReturnValue:
    """Give a claimed task to another account of its group; 422 naming ``to`` or ``reason``."""
    visible_task(task_id)
    body, who = json_body(), caller()
    context.bus().handle(ReassignTask(task_id, _text(body, "to"), _text(body, "reason"), who.username,
                                      actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(context.deps(), task_id)))


@bp.post("/tasks/<task_id>/release")
@authenticated(SUPERVISE_TASKS)
def force_release(task_id: str) -> ResponseReturnValue:
    """Put a claimed task back in its group's queue, whoever holds it; 422 naming ``reason``."""
    visible_task(task_id)
    body, who = json_body(), caller()
    context.bus().handle(ForceReleaseTask(task_id, _text(body, "reason"), who.username, actor_kind=who.actor_kind))
    return jsonify(TaskView().dump(task_by_id(context.deps(), task_id)))


@bp.get("/tasks/<task_id>/eligible")
@authenticated(SUPERVISE_TASKS)
def eligible(task_id: str) -> ResponseReturnValue:
    """The accounts the task may be reassigned to (its group's, the holder left out)."""
    task = visible_task(task_id)
    people = eligible_accounts(context.deps(), task["candidate_group"], task["assignee"])
    return jsonify({"people": [{"username": p.username, "display_name": p.display_name} for p in people]})


SUPERVISION_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/tasks/{task_id}/reassign", "post", "改派 Reassign a claimed task to an account of its group (shift leads, "
     "supervisors): 422 naming to or reason", ReassignRequest, 200, TaskView, (400, 401, 403, 404, 409, 422)),
    ("/tasks/{task_id}/release", "post", "强制释放 Force-release a claimed task back to its group's queue "
     "(shift leads, supervisors): 422 naming reason", ReleaseRequest, 200, TaskView, (400, 401, 403, 404, 409, 422)),
    ("/tasks/{task_id}/eligible", "get", "Who a task may be reassigned to (shift leads, supervisors)", None, 200,
     EligibleList, (401, 403, 404)),
]
