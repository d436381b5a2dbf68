"""(being written)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment_rounds_api", __name__)
