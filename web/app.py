"""The Flask application factory (pages and API arrive with the web issue; this serves health)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from config.settings import Settings
from engine.domain.errors import GridcaseError
from engine.service.bootstrap import bootstrap
from engine.service.bus import MessageBus


def create_app(settings: Settings | None = None, bus: MessageBus | None = None) -> Flask:
    """Build the app; the web process never runs a scheduler."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.extensions["gridcase.bus"] = bus or bootstrap(settings.database_url, working_time=settings.working_time())

    @app.errorhandler(GridcaseError)
    def _gridcase_error(exc: GridcaseError) -> ResponseReturnValue:
        return jsonify(exc.to_dict()), exc.http_status

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        db = app.extensions["gridcase.bus"].deps.db
        with db.connect() as conn:
            cases = conn.execute(sa.text("SELECT COUNT(*) FROM cases")).scalar_one()
            timers = conn.execute(sa.text("SELECT COUNT(*) FROM timers WHERE status = 'pending'")).scalar_one()
        working_time = app.extensions["gridcase.bus"].deps.working_time
        warnings = working_time.calendar.warnings(datetime.now(working_time.zone).date()) if working_time else []
        return jsonify(status="ok", database=db.dialect.name, cases=cases, pending_timers=timers, warnings=warnings)

    return app
