"""The REST API under /api/v1: tokens, cases, tasks, messages, processes and drafts, and its OpenAPI document."""

from __future__ import annotations

import math

from flask import Blueprint, Flask, jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain.commands import ClearLoginFailures, IssueApiToken, RecordLoginFailure
from engine.service.accounts import Principal, authenticate
from engine.service.throttle import sign_in_state
from web import context
from web.api import (
    analysis,
    audit,
    cases,
    city,
    designer_tools,
    incidents,
    jobs,
    notifications,
    processes,
    signals,
    starts,
    tasks,
    users,
    vision,
)
from web.api.assessment_inspections import bp as assessment_inspections_bp
from web.api.assessment_registry import bp as assessment_registry_bp
from web.api.assessment_rounds import bp as assessment_rounds_bp
from web.api.assessment_views import bp as assessment_views_bp
from web.api.calendar import bp as calendar_bp
from web.api.campaigns import bp as campaigns_bp
from web.api.cases import json_body
from web.api.decoration import bp as decoration_bp
from web.api.duplicates import bp as duplicates_bp
from web.api.emergency import bp as emergency_bp
from web.api.emergency_dashboard import bp as emergency_dashboard_bp
from web.api.enforcement import bp as enforcement_bp
from web.api.enforcement_transfer import bp as enforcement_transfer_bp
from web.api.errors import ApiError
from web.api.gps import bp as gps_bp
from web.api.kpi import bp as kpi_bp
from web.api.openapi import openapi_document
from web.api.property_credit import bp as property_credit_bp
from web.api.schemas import TokenRequest
from web.api.supervision import bp as supervision_bp
from web.api.transport_registry import bp as transport_registry_bp
from web.api.transport_views import bp as transport_views_bp
from web.policy import SIGN_IN_WITH_PASSWORD, allows

bp = Blueprint("api", __name__)


def client_address() -> str:
    """The caller's address: the connection's, or X-Forwarded-For's when GRIDCASE_TRUSTED_PROXIES says which
    proxies to believe (``web.app`` then rewrites ``remote_addr``); never a header a client may forge."""
    return request.remote_addr or "unknown"


def check_login(username: str, password: str, *, forgive: bool = True) -> Principal:
    """The principal whose password this is, with the database's login throttle (``engine.service.throttle``):
    429 while the account is blocked (its password unchecked) or after a wrong password from a noisy address,
    401 for a wrong password, 403 for a machine account (tokens only). ``forgive``: a right password clears the
    account's failures (``ClearLoginFailures``); False when the caller's own command does. Sends at most one
    command."""
    deps, bus, address = context.deps(), context.bus(), client_address()
    state = sign_in_state(deps, username, address)
    if state.account_wait > 0:
        bus.handle(RecordLoginFailure(username, address, counts_for_account=False))
        wait = math.ceil(state.account_wait)
        raise ApiError(429, f"too many failed sign-ins: try again in {wait} s", retry_after=wait)
    who = authenticate(deps, username, password)
    if who is None:
        after = bus.handle(RecordLoginFailure(username, address))
        if after.address_noisy:
            wait = math.ceil(after.account_wait)
            raise ApiError(429, f"too many failed sign-ins from this address: this account waits {wait} s before"
                                " its next try", retry_after=wait)
        raise ApiError(401, "wrong username or password")
    if not allows(who, SIGN_IN_WITH_PASSWORD):
        raise ApiError(403, f"a {who.role} account signs in with an API token an operator issues "
                            "(gridcase user token), not with a password")
    if forgive and state.account_failures:
        bus.handle(ClearLoginFailures(username))
    return who


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    """``{username, password}`` → ``{token}`` for the Authorization: Bearer header (people only: machine
    accounts get theirs from an operator). It expires after GRIDCASE_TOKEN_DAYS."""
    body = TokenRequest().load(json_body())
    check_login(body["username"], body["password"], forgive=False)  # IssueApiToken forgives in its transaction
    days = context.settings().token_days
    issued = context.bus().handle(IssueApiToken(body["username"], f"api {client_address()}", actor=body["username"],
                                                days=days))
    return jsonify({"token": issued})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


def register_api(app: Flask) -> None:
    """Mount the API blueprints under /api/v1."""
    for blueprint in (bp, cases.bp, tasks.bp, city.bp, users.bp, processes.bp, signals.bp, starts.bp,
                      designer_tools.bp,
                      audit.bp, vision.bp, analysis.bp, jobs.bp, incidents.bp, notifications.bp):
        app.register_blueprint(blueprint, url_prefix="/api/v1")
    app.register_blueprint(kpi_bp, url_prefix="/api/v1")
    app.register_blueprint(calendar_bp, url_prefix="/api/v1")
    app.register_blueprint(supervision_bp, url_prefix="/api/v1")
    app.register_blueprint(duplicates_bp, url_prefix="/api/v1")
    app.register_blueprint(campaigns_bp, url_prefix="/api/v1")
    app.register_blueprint(emergency_bp, url_prefix="/api/v1")
    app.register_blueprint(emergency_dashboard_bp, url_prefix="/api/v1")
    app.register_blueprint(transport_views_bp, url_prefix="/api/v1")
    app.register_blueprint(gps_bp, url_prefix="/api/v1")
    app.register_blueprint(transport_registry_bp, url_prefix="/api/v1")
    app.register_blueprint(enforcement_bp, url_prefix="/api/v1")
    app.register_blueprint(enforcement_transfer_bp, url_prefix="/api/v1")
    app.register_blueprint(decoration_bp, url_prefix="/api/v1")
    for assessment in (assessment_registry_bp, assessment_rounds_bp, assessment_inspections_bp, assessment_views_bp,
                       property_credit_bp):
        app.register_blueprint(assessment, url_prefix="/api/v1")
