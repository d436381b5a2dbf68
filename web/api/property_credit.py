"""(being written)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("property_credit_api", __name__)
