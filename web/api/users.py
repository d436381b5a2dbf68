"""Accounts for admins: list, add, set a password; list, issue and revoke a user's API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain.commands import AddUser, IssueApiToken, RevokeApiToken, SetPassword
from engine.service.accounts import MAX_TOKEN_DAYS, ROLES, Principal, TokenView, list_tokens, list_users
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.context import bus, deps, settings
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


class TokenIssue(Strict):
    """An operator's token for an account (machine accounts get theirs only this way, or from the CLI)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    days = fields.Integer(validate=validate.Range(1, MAX_TOKEN_DAYS), strict=True)


# (path, method, summary, request schema, success status, response schema, error statuses): web.api.openapi's rows
TOKEN_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/users/{username}/tokens", "get", "A user's API tokens: name, created, expires, last used, state (admins)",
     None, 200, None, (401, 403, 404)),
    ("/users/{username}/tokens", "post", "Issue an API token for a user, shown once (admins)", TokenIssue, 201,
     None, (400, 401, 403, 404, 422)),
    ("/users/{username}/tokens/{token_id}", "delete", "Revoke one of a user's API tokens (admins)", None, 200,
     None, (401, 403, 404)),
]


def _view(who: Principal) -> dict[str, Any]:
    return {"username": who.username, "display_name": who.display_name, "role": who.role,
            "department": who.department, "district": who.district}


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _token_view(token: TokenView, now: datetime) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "created_at": _stamp(token.created_at),
            "expires_at": _stamp(token.expires_at), "last_used_at": _stamp(token.last_used_at),
            "revoked_at": _stamp(token.revoked_at), "state": token.state(now)}


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
    """Set a new password; the account's sessions end and its API tokens are revoked with it (one command)."""
    body = PasswordChange().load(json_body())
    revoked = bus().handle(SetPassword(username, body["password"], actor=caller().username))
    return jsonify({"username": username, "revoked_tokens": revoked, "sessions_ended": True})


@bp.get("/users/<username>/tokens")
@authenticated(MANAGE_USERS)
def tokens(username: str) -> ResponseReturnValue:
    """The user's tokens, newest first (never the tokens themselves: only their hashes are kept)."""
    now = deps().clock.now()
    return jsonify({"username": username, "tokens": [_token_view(t, now) for t in list_tokens(deps(), username)]})


@bp.post("/users/<username>/tokens")
@authenticated(MANAGE_USERS)
def issue_token(username: str) -> ResponseReturnValue:
    """Issue a token for the user (``days``: GRIDCASE_TOKEN_DAYS when left out); it is shown only this once."""
    body = TokenIssue().load(json_body())
    days = body.get("days", settings().token_days)
    token = bus().handle(IssueApiToken(username, body["name"], actor=caller().username, days=days))
    return jsonify({"username": username, "token": token, "days": days}), 201


@bp.delete("/users/<username>/tokens/<int(max=2147483647):token_id>")
@authenticated(MANAGE_USERS)
def revoke_token(username: str, token_id: int) -> ResponseReturnValue:
    """Revoke one of the user's active tokens (404 when they hold no such active token)."""
    bus().handle(RevokeApiToken(username, token_id, actor=caller().username))
    return jsonify({"username": username, "revoked": token_id})
