"""The WSGI entry point for production servers: ``gunicorn web.wsgi:app`` (settings from GRIDCASE_*)."""

from __future__ import annotations

from web.app import create_app

app = create_app()
