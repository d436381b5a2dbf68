"""(being written)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment_views_api", __name__)
