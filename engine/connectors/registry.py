"""The built-in connectors by name: one module each."""

from __future__ import annotations

from engine.connectors.base import Connector
from engine.connectors.http import HttpConnector
from engine.connectors.notify import NotifyConnector

CONNECTORS: dict[str, Connector] = {connector.name: connector for connector in (HttpConnector(), NotifyConnector())}


def connector_named(name: str) -> Connector:
    """The connector the model's ``connector`` property names; ValueError listing the known ones."""
    found = CONNECTORS.get(name.strip())
    if found is None:
        raise ValueError(f"unknown connector {name!r}: one of {', '.join(sorted(CONNECTORS))}")
    return found
