"""The Open311 api keys' API (admins, ``MANAGE_OPEN311_KEYS``): ``GET /api/v1/open311/keys`` (never the keys, only
their prefixes), ``POST /api/v1/open311/keys`` ``{name, contact, per_minute?}`` → the row and, this once, ``key``
(201), ``POST /api/v1/open311/keys/{id}/revoke``. The same commands as the admin page and ``gridcase open311 keys``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.open311.commands import CreateApiKey, RevokeApiKey
from city.open311.keys import key_list
from city.open311.settings import MAX_PER_MINUTE
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.context import bus, deps
from web.policy import MANAGE_OPEN311_KEYS

bp = Blueprint("open311_keys_api", __name__, url_prefix="/api/v1")


class ApiKeyRequest(Strict):
    """Body of ``POST /open311/keys``."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact = fields.String(required=True, validate=validate.Length(min=1, max=200))
    per_minute = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=1, max=MAX_PER_MINUTE))


def key_json(row: dict[str, Any]) -> dict[str, Any]:
    """A key's row with its times as ISO 8601 text."""
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in row.items()}


@bp.get("/open311/keys")
@authenticated(MANAGE_OPEN311_KEYS)
def keys() -> ResponseReturnValue:
    """Every key, newest first."""
    return jsonify({"keys": [key_json(row) for row in key_list(deps())]})


@bp.post("/open311/keys")
@authenticated(MANAGE_OPEN311_KEYS)
def create_key() -> ResponseReturnValue:
    """Make a key (``CreateApiKey``); the answer holds the key, shown this once."""
    body = ApiKeyRequest().load(json_body())
    made = bus().handle(CreateApiKey(body["name"], body["contact"], body["per_minute"], caller().username))
    return jsonify(key_json(made)), 201


@bp.post("/open311/keys/<int:key_id>/revoke")
@authenticated(MANAGE_OPEN311_KEYS)
def revoke_key(key_id: int) -> ResponseReturnValue:
    """Revoke a key (``RevokeApiKey``)."""
    return jsonify(key_json(bus().handle(RevokeApiKey(key_id, caller().username))))
