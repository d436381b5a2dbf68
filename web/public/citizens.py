"""The citizens area's blueprints: the report page (/citizen/, the PWA) and the tracking page (/t/<token>)."""

from __future__ import annotations

from flask import Blueprint

from web.citizens import report, tracking


def blueprints() -> list[Blueprint]:
    """The blueprints to mount (each with its own url_prefix)."""
    return [report.bp, tracking.bp]
