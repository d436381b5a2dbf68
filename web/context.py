"""The running app's dependencies, typed: its message bus, the engine's dependencies and the settings.

``create_app`` stores them in ``app.extensions``; routes and pages read them here, inside a request or an app
context, instead of each module reaching into ``current_app`` itself.
"""

from __future__ import annotations

from flask import Flask, current_app

from engine.service.bus import MessageBus
from engine.service.deps import Deps
from web.settings import Settings

BUS, SETTINGS = "gridcase.bus", "gridcase.settings"


def install(app: Flask, settings: Settings, bus: MessageBus) -> None:
    """Store the app's settings and bus (``create_app`` does, once)."""
    app.extensions[SETTINGS] = settings
    app.extensions[BUS] = bus


def bus() -> MessageBus:
    """The app's message bus: engine commands go through it."""
    found: MessageBus = current_app.extensions[BUS]
    return found


def deps() -> Deps:
    """The engine's dependencies (database, clock, caches, forms)."""
    found: Deps = bus().deps
    return found


def settings() -> Settings:
    """The app's settings."""
    found: Settings = current_app.extensions[SETTINGS]
    return found
