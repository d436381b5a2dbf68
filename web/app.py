"""The Flask application factory: the REST API, sessions for people, health; never a scheduler."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from city.bootstrap import bootstrap
from engine.domain.input_limits import MAX_INTEGER
from engine.service.accounts import Principal, session_user
from engine.service.bus import MessageBus
from engine.service.notifications import notifier_of
from web.api import admin as admin_api
from web.api import admin_users as admin_users_api
from web.api import register_api
from web.api import rules as rules_api
from web.api.errors import register_error_handlers
from web.context import deps, install
from web.health import register_health
from web.live import install_live
from web.logging_setup import install_request_ids
from web.metrics import install_metrics
from web.pages import (  # noqa: F401 (routes join admin_pages)
    admin_channels,
    admin_holidays,
    admin_routing,
    admin_users,
    assessment_admin,
    register_pages,
    transport_admin,
)
from web.pages.admin import bp as admin_pages
from web.policy import SIGN_IN_WITH_PASSWORD, allows
from web.public import register_public
from web.settings import Settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'",
}


class SignedIn(UserMixin):
    """Flask-Login's user: a principal, signed in during their session epoch ``epoch``."""

    def __init__(self, who: Principal, epoch: int) -> None:
        self.principal = who
        self.epoch = epoch

    def get_id(self) -> str:
        """What the session keeps: ``username:epoch`` (usernames hold no ':')."""
        return f"{self.principal.username}:{self.epoch}"


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in a route: a non-negative integer that fits a BIGINT column (larger ids match no route)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def create_app(settings: Settings | None = None, bus: MessageBus | None = None) -> Flask:
    """Build the app over ``bus`` (or one bootstrapped from ``settings``)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    # An id past the widest integer column is no row: 404, not an overflow in the driver.
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(SECRET_KEY=settings.session_key(), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=int((settings.max_upload_mb + 1) * 2**20),
                      JSON_SORT_KEYS=False)
    assert isinstance(app.json, DefaultJSONProvider)  # a new Flask app has the default provider
    app.json.ensure_ascii = False
    engine_bus = bus or bootstrap(settings.database(), working_time=settings.working_time(),
                                  workflows_dir=settings.workflows_dir, script_limits=settings.script_limits())
    if bus is None:  # the settings' quiet hours and host list: the web refuses the subscriptions the sender would
        notifier_of(engine_bus).policy = settings.notify
    install(app, settings, engine_bus)
    _sessions(app, settings)
    register_error_handlers(app)
    register_api(app)
    app.register_blueprint(rules_api.bp, url_prefix="/api/v1")
    app.register_blueprint(admin_api.bp, url_prefix="/api/v1")  # the admin pages' API (city/admin)
    app.register_blueprint(admin_users_api.bp, url_prefix="/api/v1")
    register_pages(app)
    app.register_blueprint(admin_pages)  # /admin: departments, catalogue, routing, users (city/admin)
    register_public(app)  # Open311, citizens' pages, connectors, exchange (web/public)
    install_live(app)  # /api/v1/events/stream: the bell and the task lists, live
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

    register_health(app)
    return app


class _Sessions(SecureCookieSessionInterface):
    """Session cookies marked Secure as GRIDCASE_SECURE_COOKIES says: always, never, or (auto) when the request
    came over TLS (directly, or through a trusted proxy's X-Forwarded-Proto)."""

    def __init__(self, secure: bool | None) -> None:
        self.secure = secure

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure if self.secure is None else self.secure


def _sessions(app: Flask, settings: Settings) -> None:
    """Sessions for people: Secure cookies, a trusted proxy's forwarded address and scheme, and the session's
    epoch checked on every request (signing out or a new password ends every session of the user)."""
    if settings.trusted_proxies:  # only then: anyone else could forge these headers
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.session_interface = _Sessions(settings.secure_cookies)
    app.config["REMEMBER_COOKIE_SECURE"] = settings.secure_cookies is True
    manager = LoginManager(app)

    @manager.user_loader
    def _load(user_id: str) -> SignedIn | None:
        username, _, epoch = user_id.rpartition(":")
        found = session_user(deps(), username) if username and epoch.isdigit() else None
        if found is None or found[1] != int(epoch) or not allows(found[0], SIGN_IN_WITH_PASSWORD):
            return None  # ended (signed out elsewhere, new password), or from before epochs: sign in again
        return SignedIn(*found)
