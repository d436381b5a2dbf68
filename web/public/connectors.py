"""The connectors area's blueprints (placeholder: its modules fill the list)."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The blueprints to mount (each with its own url_prefix)."""
    return []
