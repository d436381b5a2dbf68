"""The Flask application factory: the REST API, sessions for people, health; never a scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin

from city.bootstrap import bootstrap
from engine.persistence.read import health
from engine.service.accounts import Principal, principal
from engine.service.bus import MessageBus
from web.api import register_api
from web.api import rules as rules_api
from web.api.errors import register_error_handlers
from web.context import deps, install
from web.logging_setup import install_request_ids
from web.metrics import install_metrics
from web.pages import register_pages
from web.settings import Settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'",
}


class SignedIn(UserMixin):
    """Flask-Login's user: a principal."""

    def __init__(self, who: Principal) -> None:
        self.principal = who

    def get_id(self) -> str:
        return self.principal.username


def create_app(settings: Settings | None = None, bus: MessageBus | None = None) -> Flask:
    """Build the app over ``bus`` (or one bootstrapped from ``settings``)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.session_key(), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=int((settings.max_upload_mb + 1) * 2**20),
                      JSON_SORT_KEYS=False)
    assert isinstance(app.json, DefaultJSONProvider)  # a new Flask app has the default provider
    app.json.ensure_ascii = False
    install(app, settings, bus or bootstrap(settings.database_url, working_time=settings.working_time(),
                                            workflows_dir=settings.workflows_dir))
    _sessions(app)
    register_error_handlers(app)
    register_api(app)
    app.register_blueprint(rules_api.bp, url_prefix="/api/v1")
    register_pages(app)
    install_request_ids(app)  # X-Request-ID on every request and its log lines
    install_metrics(app, settings)  # /metrics: requests, commands, pool, timers, outbox

    headers = dict(SECURITY_HEADERS)
    if settings.map_tile_url:  # the configured tile server is the one other origin images may come from
        origin = "/".join(settings.map_tile_url.split("/")[:3])
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "img-src 'self'", f"img-src 'self' {origin}")

    @app.after_request
    def _headers(response: Any) -> Any:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        engine = deps()
        with engine.uow(read_only=True) as uow:
            cases, timers = health.counts(uow.store)
        working_time = engine.working_time
        warnings = working_time.calendar.warnings(datetime.now(working_time.zone).date()) if working_time else []
        return jsonify(status="ok", database=engine.db.dialect.name, cases=cases, pending_timers=timers,
                       warnings=warnings)

    return app


def _sessions(app: Flask) -> None:
    manager = LoginManager(app)

    @manager.user_loader
    def _load(username: str) -> SignedIn | None:
        who = principal(deps(), username)
        return SignedIn(who) if who else None
