"""What citizens and other systems reach: Open311 GeoReport v2 (/open311/v2), the citizens' pages (/citizen, the
tracking link /t/<token>), the connectors' inbound endpoints and the admin pages of keys, connectors and the
exchange. Each area's blueprints come from its own module."""

from __future__ import annotations

from flask import Flask

from web.public import citizens, connectors, exchange, open311


def register_public(app: Flask) -> None:
    """Mount every public area's blueprints."""
    for area in (open311, citizens, connectors, exchange):
        for blueprint in area.blueprints():
            app.register_blueprint(blueprint)
