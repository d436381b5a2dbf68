"""The people-facing pages: server-rendered Jinja2 with htmx, Chinese first with English available."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine.service import process_starts
from web import context, policy
from web.api.auth import csrf_token
from web.api.errors import error_body
from web.pages import (
    analysis,
    assessment,
    assessment_inspect,
    audit,
    auth,
    calendar,
    campaigns,
    case,
    decoration,
    emergency,
    emergency_dashboard,
    enforcement,
    kpi,
    lists,
    notifications,
    operations,
    property_companies,
    report,
    start,
    supervision,
    task,
    transport,
)
from web.pages.common import bp, error_page, me
from web.pages.i18n import init_i18n, lang
from web.pages.labels import TEMPLATE_TABLES, label, local_time

__all__ = ["analysis", "assessment", "assessment_inspect", "audit", "auth", "calendar", "campaigns", "case",
           "decoration", "emergency", "emergency_dashboard", "enforcement", "kpi", "lists", "notifications",
           "operations", "property_companies", "register_pages", "report", "start", "supervision", "task",
           "transport"]


def lang_url(code: str) -> str:
    """This page's URL in the language ``code``."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return f"{request.path}?{urlencode(args)}"


def can(capability: policy.Capability) -> bool:
    """In templates: ``can(policy.READ_AUDIT)`` for the signed-in person."""
    return policy.allows(me(), capability)


def may_start_any() -> bool:
    """In templates: whether the signed-in person may start at least one deployed process (the navigation's link
    to the start page; ``engine.service.process_starts``)."""
    return process_starts.may_start_any(context.deps(), me())


def _globals() -> dict[str, Any]:
    return {"can": can, "may_start_any": may_start_any, "policy": policy, "csrf_token": csrf_token, "lang": lang,
            "unread_count": notifications.unread_count,
            "lang_url": lang_url, "label": label,
            **TEMPLATE_TABLES}


def register_pages(app: Flask) -> None:
    """Mount the pages, their languages and their HTML error pages (the API keeps its JSON errors)."""
    init_i18n(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_globals())
    app.jinja_env.globals["map_tiles"] = app.extensions["gridcase.settings"].map_tile_url
    app.jinja_env.filters["local_time"] = local_time

    def _html_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error_body(status, exc.description or exc.name)), status
        return error_page(status)

    for status in (400, 403, 404, 405, 413):
        app.register_error_handler(status, _html_error)
