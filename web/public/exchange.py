"""The exchange area's blueprints: the upper-level exchange's API and admin page."""

from __future__ import annotations

from flask import Blueprint

from web.exchange import admin, api


def blueprints() -> list[Blueprint]:
    """The blueprints to mount (each with its own url_prefix)."""
    return [api.bp, admin.bp]
