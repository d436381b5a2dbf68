"""The open311 area's blueprints: GeoReport v2 (/open311/v2), the api keys' API and admin page."""

from __future__ import annotations

from flask import Blueprint

from web.open311 import admin, keys_api, routes


def blueprints() -> list[Blueprint]:
    """The blueprints to mount (each with its own url_prefix)."""
    return [routes.bp, keys_api.bp, admin.bp]
