"""``/api/v1/admin/users…`` (admins): find users, disable and enable them, change their role and place, reset their
password. Adding users, setting a password and tokens are ``web.api.users``'s."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.admin import views
from engine.domain.account_commands import ChangeUserRole, DisableUser, ResetPassword
from engine.service.accounts import ROLES
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.context import bus, deps
from web.policy import MANAGE_USERS

bp = Blueprint("api_admin_users", __name__)
COMMENT = fields.String(load_default="", validate=validate.Length(max=500))


class RoleChange(Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    department = fields.String(validate=validate.Length(max=30))  # "" for none
    district = fields.String(validate=validate.Length(max=20))
    comment = COMMENT


class PasswordReset(Strict):
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=1024))  # none: a one-time one
    comment = COMMENT


class Toggle(Strict):
    comment = COMMENT


@bp.get("/admin/users")
@authenticated(MANAGE_USERS)
def users() -> ResponseReturnValue:
    """Users whose username or display name contains ``?q=``, with whether each is disabled."""
    return jsonify({"users": views.users(deps(), request.args.get("q", ""))})


@bp.post("/admin/users/<username>/<any(disable, enable):action>")
@authenticated(MANAGE_USERS)
def toggle_user(username: str, action: str) -> ResponseReturnValue:
    """Disable (sessions end, tokens revoked, claimed tasks released, no sign-in) or enable a user."""
    body = Toggle().load(json_body() if request.get_data() else {})
    done = bus().handle(DisableUser(username, caller().username, enable=action == "enable", **body))
    return jsonify({"username": username, "disabled": action == "disable", "revoked_tokens": done["tokens_revoked"],
                    "released_tasks": done["tasks_released"]})


@bp.put("/admin/users/<username>/role")
@authenticated(MANAGE_USERS)
def change_role(username: str) -> ResponseReturnValue:
    """Change the user's role, department or district (``ChangeUserRole``); their sessions end."""
    body = RoleChange().load(json_body())
    return jsonify(bus().handle(ChangeUserRole(username, caller().username, **body)))


@bp.post("/admin/users/<username>/password-reset")
@authenticated(MANAGE_USERS)
def reset_password(username: str) -> ResponseReturnValue:
    """Reset the password: to ``password``, or to a one-time password shown once in the answer."""
    body = PasswordReset().load(json_body() if request.get_data() else {})
    generated = bus().handle(ResetPassword(username, caller().username, body.get("password"), body["comment"]))
    return jsonify({"username": username, "one_time_password": generated, "sessions_ended": True})
