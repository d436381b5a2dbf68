"""Census campaigns' API (专项普查): /api/v1/campaigns…"""

from __future__ import annotations

from flask import Blueprint

#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
CAMPAIGN_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = []

bp = Blueprint("campaigns_api", __name__)
