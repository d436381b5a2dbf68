"""Signals from outside a case: ``POST /api/v1/signals`` {name, payload} broadcasts a BPMN signal (THROW_SIGNALS:
integration accounts and admins) — say, an emergency declared reaches every case waiting for it and starts the
processes with a signal start event of that name. No correlation: every waiting case catches it
(``engine.service.signals``)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain.event_commands import ThrowSignal
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import case_no_of, json_body
from web.api.schemas import Strict
from web.policy import THROW_SIGNALS

bp = Blueprint("api_signals", __name__)


class SignalRequest(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    payload = fields.Dict(keys=fields.String(), load_default=dict)


@bp.post("/signals")
@authenticated(THROW_SIGNALS)
def throw_signal() -> ResponseReturnValue:
    """Broadcast a signal: the case numbers that caught it and those it started."""
    body = SignalRequest().load(json_body())
    who = caller()
    result = context.bus().handle(ThrowSignal(body["name"], body["payload"], who.username,
                                              actor_kind=who.actor_kind))
    return jsonify({"signal": result.name, "caught": [case_no_of(i) for i in result.caught],
                    "started": [case_no_of(i) for i in result.started]}), 200
