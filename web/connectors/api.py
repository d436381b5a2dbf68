"""The connectors' API (docs/connectors.md): ``POST /api/v1/connectors`` loads the configuration file (admins; the
same ``LoadConnectors`` as the admin page and ``gridcase connectors load``), ``GET /connectors`` and
``/connectors/<code>`` show them, ``GET /connectors/<code>/deliveries?status=&case_no=&page=`` the push log with
each push's attempts (admins, shift leads), ``POST /connectors/deliveries/<id>/retry`` queues a failed push again
(admins)."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from city.connectors import views
from city.connectors.commands import LoadConnectors, RetryPush
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.policy import MANAGE_CONNECTORS, READ_CONNECTOR_DELIVERIES

bp = Blueprint("connectors_api", __name__, url_prefix="/api/v1")


@bp.post("/connectors")
@authenticated(MANAGE_CONNECTORS)
def load() -> ResponseReturnValue:
    """Load the configuration: the body is the file's JSON (``{"connectors": [...]}``); what changed, by code."""
    body = json_body()
    who = caller()
    result = context.bus().handle(LoadConnectors(json.dumps(body, ensure_ascii=False), who.username,
                                                 actor_kind=who.actor_kind))
    return jsonify(result)


@bp.get("/connectors")
@authenticated(READ_CONNECTOR_DELIVERIES)
def listing() -> ResponseReturnValue:
    """Every connector with its configuration and version."""
    return jsonify({"connectors": views.connectors(context.deps())})


@bp.get("/connectors/<code>")
@authenticated(READ_CONNECTOR_DELIVERIES)
def show(code: str) -> ResponseReturnValue:
    """One connector."""
    return jsonify(views.connector(context.deps(), code))


@bp.get("/connectors/<code>/deliveries")
@authenticated(READ_CONNECTOR_DELIVERIES)
def deliveries(code: str) -> ResponseReturnValue:
    """The connector's pushes, newest first, 50 a page, each with its attempts."""
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= 6):
        raise ApiError(422, "page must be a whole number", {"page": "must be a whole number"})
    found = views.deliveries(context.deps(), code, status=request.args.get("status") or None,
                             case_no=request.args.get("case_no") or None, page=int(page))
    return jsonify({"deliveries": found, "page": int(page)})


@bp.post("/connectors/deliveries/<int:delivery_id>/retry")
@authenticated(MANAGE_CONNECTORS)
def retry(delivery_id: int) -> ResponseReturnValue:
    """Queue a failed push again."""
    who = caller()
    return jsonify(context.bus().handle(RetryPush(delivery_id, who.username, actor_kind=who.actor_kind)))
