"""Starting any deployed process: the processes the caller may start, and ``POST /processes/{id}/cases``.

Who may start which process, and the start form the data must satisfy, are decided by the ``StartCase`` command
itself (``engine.service.process_starts``), as for the start page and ``gridcase case start``: an unknown process
is 404, a caller who is not one of its starters 403, data its start form refuses 422 naming the fields.

An ``Idempotency-Key`` header (1–200 printable ASCII characters, else 400 naming the header) makes the start
idempotent per caller and process (``engine.service.start_keys``): the same key again answers 200 with the first
case, the same key with other data 409.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from engine.service.process_starts import StartOption, startable
from engine.service.queries import case_by_no
from engine.service.start_keys import key_problem, start_by_hand
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import CaseView, Strict

bp = Blueprint("api_starts", __name__)
IDEMPOTENCY_HEADER = "Idempotency-Key"


class StartRequest(Strict):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the case's start data; checked against the process's start form"})


class StartableProcess(Schema):
    process_id = fields.String()
    number = fields.Integer(metadata={"description": "the newest version, which a start runs"})
    name = fields.String()
    description = fields.String()
    starter_groups = fields.List(fields.String(), allow_none=True,
                                 metadata={"description": "null: the model names none (admins and designers)"})
    form = fields.Dict(allow_none=True, metadata={"description": "the start form's JSON Schema, null: none"})


class StartableList(Schema):
    processes = fields.List(fields.Nested(StartableProcess))


def option_view(option: StartOption) -> dict[str, Any]:
    """A startable process as JSON."""
    settings = option.settings
    groups = None if settings.starter_groups is None else list(settings.starter_groups)
    return {"process_id": settings.process_id, "number": option.number, "name": settings.name,
            "description": settings.description, "starter_groups": groups,
            "form": None if option.form is None else option.form.schema}


@bp.get("/processes/startable")
@authenticated()
def startable_processes() -> ResponseReturnValue:
    """The deployed processes the caller may start, each with its start form."""
    return jsonify({"processes": [option_view(o) for o in startable(context.deps(), caller())]})


@bp.post("/processes/<process_id>/cases")
@authenticated()
def start_case(process_id: str) -> ResponseReturnValue:
    """``{data}`` → 201 with the new case of the process's newest version; with an ``Idempotency-Key`` header
    already sent by the caller for this process, 200 with that first case (409 when the data differs)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    problem = None if key is None else key_problem(key)
    if problem is not None:  # checked before the body: a bad key is the client's bug whatever it sends
        raise ApiError(400, f"the {IDEMPOTENCY_HEADER} header {problem}", {IDEMPOTENCY_HEADER: problem})
    body = StartRequest().load(json_body())
    who = caller()
    deps = context.deps()
    ref = start_by_hand(deps, context.bus(), process_id, body["data"], who.username, key=key,
                        actor_kind=who.actor_kind)
    case = case_by_no(deps, ref.case_no, deps.clock.now()) if ref.case_no else None
    if case is None:  # every step writes the summary that numbers the case; a start without one is a bug
        raise ApiError(500, f"case {ref.case_id} has no number")
    return jsonify(CaseView().dump(case)), 201 if ref.created else 200


# (path, method, summary, request schema, success status, response schema, error statuses) for web.api.openapi
START_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/processes/startable", "get", "The processes the caller may start, with their start forms", None, 200,
     StartableList, (401,)),
    ("/processes/{process_id}/cases", "post",
     "Start a case of a process's newest version: its starters only (403), data checked by its start form (422); "
     "idempotent per caller and process with an Idempotency-Key header (the first case again: 200; other data: 409)",
     StartRequest, 201, CaseView, (400, 401, 403, 404, 409, 422)),
]
