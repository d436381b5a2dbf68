"""Accounts for admins: list, add, set a password, revoke tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain.commands import AddUser, RevokeApiTokens, SetPassword
from engine.service.accounts import ROLES, Principal, list_users
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.context import bus, deps
from web.policy import MANAGE_USERS

bp = Blueprint("api_users", __name__)


class UserCreate(Strict):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    display_name = fields.String(load_default="", validate=validate.Length(max=100))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=1024))
    department = fields.String(validate=validate.Length(max=30))
    district = fields.String(validate=validate.Length(max=20))


class PasswordChange(Strict):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=1024))


def _view(who: Principal) -> dict[str, Any]:
    return {"username": who.username, "display_name": who.display_name, "role": who.role,
            "department": who.department, "district": who.district}


@bp.get("/users")
@authenticated(MANAGE_USERS)
def users() -> ResponseReturnValue:
    """Every account (``?role=`` to filter)."""
    return jsonify({"users": [_view(u) for u in list_users(deps(), request.args.get("role") or None)]})


@bp.post("/users")
@authenticated(MANAGE_USERS)
def create_user() -> ResponseReturnValue:
    """Add an account; 422 naming the field for a bad role, department, district or duplicate name."""
    body = UserCreate().load(json_body())
    who = bus().handle(AddUser(body["username"], body["display_name"], body["role"], body["password"],
                                body.get("department"), body.get("district"), actor=caller().username))
    return jsonify(_view(who)), 201


@bp.put("/users/<username>/password")
@authenticated(MANAGE_USERS)
def change_password(username: str) -> ResponseReturnValue:
    """Set a new password; the account's API tokens are revoked with it."""
    body = PasswordChange().load(json_body())
    actor = caller().username
    bus().handle(SetPassword(username, body["password"], actor=actor))
    return jsonify({"username": username, "revoked_tokens": bus().handle(RevokeApiTokens(username, actor=actor))})
