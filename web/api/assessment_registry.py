"""(being written)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment_registry_api", __name__)
