"""The WSGI entry point for production servers: ``gunicorn web.wsgi:app`` (settings from GRIDCASE_*)."""

from __future__ import annotations

from web.app import create_app
from web.logging_setup import configure_logging
from web.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_format)  # gunicorn's workers: the command line's set-up is not run
app = create_app(settings)
