"""The duty calendar over the API (值班时间表): ``GET /city/calendar`` (its versions, the one in force, warnings) and
``POST /city/calendar`` (admins: store the versions of a calendar file, the body; ``LoadDutyCalendar``)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain.calendar_commands import LoadDutyCalendar
from engine.service.calendars import calendar_versions
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.policy import MANAGE_DUTY_CALENDAR, READ_CITY

bp = Blueprint("api_calendar", __name__)
MAX_COMMENT = 500


def calendar_view(today: date) -> dict[str, Any]:
    """Every stored version (newest loaded first), the id of the one in force today, and what admins must be told."""
    deps = context.deps()
    versions = calendar_versions(deps, today)
    in_force = next((v["id"] for v in versions if v["in_force"]), None)
    warnings = deps.working_time.warnings(today) if deps.working_time is not None else []
    return {"today": today.isoformat(), "in_force": in_force, "versions": versions, "warnings": warnings}


def city_today() -> date:
    """Today in the city's time zone, by the engine's clock."""
    deps = context.deps()
    zone = deps.working_time.zone if deps.working_time is not None else None
    return deps.clock.now().astimezone(zone).date()


@bp.get("/city/calendar")
@authenticated(READ_CITY)
def get_calendar() -> ResponseReturnValue:
    """The duty calendar's versions."""
    return jsonify(calendar_view(city_today()))


@bp.post("/city/calendar")
@authenticated(MANAGE_DUTY_CALENDAR)
def post_calendar() -> ResponseReturnValue:
    """Store the body (a duty calendar file: ``{"versions": [...]}``; ``?comment=`` why): 201 with the ids added,
    422 naming the field when any version is invalid (then nothing is stored)."""
    body = json_body()
    comment = request.args.get("comment", "")
    if len(comment) > MAX_COMMENT:
        raise ApiError(422, "the request has invalid fields", {"comment": f"at most {MAX_COMMENT} characters"})
    loaded = context.bus().handle(LoadDutyCalendar(json.dumps(body, ensure_ascii=False), caller().username, comment))
    status = 201 if loaded.added else 200
    return jsonify(added=list(loaded.added), unchanged=loaded.unchanged, **calendar_view(city_today())), status


CALENDAR_OPERATIONS = [
    ("/city/calendar", "get", "The duty calendar (值班时间表): versions, the one in force today, warnings", None, 200,
     None, (401, 403)),
    ("/city/calendar", "post", "Load duty calendar versions (the file's JSON as body; ?comment=); all or none (admins)",
     None, 201, None, (400, 401, 403, 422)),
]
