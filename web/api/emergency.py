"""Emergency command's API (应急指挥): /api/v1/emergencies…"""

from __future__ import annotations

from flask import Blueprint

#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
EMERGENCY_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = []

bp = Blueprint("emergency_api", __name__)
