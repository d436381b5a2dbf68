"""The upper-level exchange's API (docs/exchange.md): ``GET /api/v1/exchange/<code>/batches`` (admins, shift leads;
``?direction=export|import&page=N``), ``POST /api/v1/exchange/<code>/export`` and ``POST …/inbox`` (admins) — the
same ``RunExchangeExport`` / ``ReadExchangeInbox`` as the admin page, the command line and the scheduler."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from city.exchange import views
from city.exchange.commands import ReadExchangeInbox, RunExchangeExport
from web.api.auth import authenticated, caller
from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.context import bus, deps
from web.policy import READ_EXCHANGE, RUN_EXCHANGE

bp = Blueprint("exchange_api", __name__, url_prefix="/api/v1/exchange")


@bp.get("/<code>/batches")
@authenticated(READ_EXCHANGE)
def batches(code: str) -> ResponseReturnValue:
    """A page of the connector's batches, newest first (export and import, or one ``direction``)."""
    direction = request.args.get("direction") or None
    if direction is not None and direction not in views.DIRECTIONS:
        raise ApiError(422, "direction is export or import", {"direction": "must be export or import"})
    page = whole_arg("page", 1, 1, views.MAX_PAGE)
    return jsonify(views.batches(deps(), code, direction, page))


@bp.post("/<code>/export")
@authenticated(RUN_EXCHANGE)
def export(code: str) -> ResponseReturnValue:
    """Export now: the batches written (none when nothing changed)."""
    who = caller()
    return jsonify(bus().handle(RunExchangeExport(code, who.username, actor_kind=who.actor_kind)))


@bp.post("/<code>/inbox")
@authenticated(RUN_EXCHANGE)
def inbox(code: str) -> ResponseReturnValue:
    """Read the inbox now: each file and what became of it."""
    who = caller()
    return jsonify(bus().handle(ReadExchangeInbox(code, who.username, actor_kind=who.actor_kind)))
