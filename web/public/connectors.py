"""The connectors area's blueprints: the senders' signed inbound endpoint, the API and the admin page."""

from __future__ import annotations

from flask import Blueprint

from web.connectors import admin, api, inbound


def blueprints() -> list[Blueprint]:
    """The blueprints to mount (each with its own url_prefix)."""
    return [inbound.bp, api.bp, admin.bp]
