"""The REST API under /api/v1: tokens, cases, tasks, messages, processes and drafts, and its OpenAPI document."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain.commands import IssueApiToken
from engine.service.accounts import LoginThrottle, authenticate
from web.api import analysis, audit, cases, city, designer_tools, processes, tasks, users, vision
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.kpi import bp as kpi_bp
from web.api.openapi import openapi_document
from web.api.schemas import TokenRequest

bp = Blueprint("api", __name__)


def throttle() -> LoginThrottle:
    """The app's login throttle (per process: each worker counts its own failures)."""
    found: LoginThrottle = current_app.extensions["gridcase.throttle"]
    return found


def check_login(username: str, password: str) -> object:
    """Authenticate with rate limiting by username and address; 429 while blocked, 401 when wrong."""
    key = f"{username}|{request.remote_addr}"
    wait = throttle().check(key, time.monotonic())
    if wait > 0:
        raise ApiError(429, f"too many failed sign-ins: try again in {int(wait) + 1} s")
    who = authenticate(current_app.extensions["gridcase.bus"].deps, username, password)
    if who is None:
        throttle().failed(key, time.monotonic())
        raise ApiError(401, "wrong username or password")
    throttle().succeeded(key)
    return who


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    """``{username, password}`` → ``{token}`` for the Authorization: Bearer header."""
    body = TokenRequest().load(json_body())
    check_login(body["username"], body["password"])
    name = f"api {request.remote_addr}"
    bus = current_app.extensions["gridcase.bus"]
    return jsonify({"token": bus.handle(IssueApiToken(body["username"], name, actor=body["username"]))})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


def register_api(app: Flask) -> None:
    """Mount the API blueprints under /api/v1."""
    app.extensions["gridcase.throttle"] = LoginThrottle()
    for blueprint in (bp, cases.bp, tasks.bp, city.bp, users.bp, processes.bp, designer_tools.bp, audit.bp,
                      vision.bp, analysis.bp):
        app.register_blueprint(blueprint, url_prefix="/api/v1")
    app.register_blueprint(kpi_bp, url_prefix="/api/v1")
