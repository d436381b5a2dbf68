"""JSON errors for the API: ``{"error": {"code", "message", "fields"?}}`` with the right status."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.domain.errors import GridcaseError

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests"}


class ApiError(Exception):
    """An API refusal with its status, message and, for bad input, the fields at fault."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields


def error_body(status: int, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error document."""
    body: dict[str, Any] = {"code": CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages → {"dotted.field": "first message"}."""
    if isinstance(messages, list):
        return {prefix or "_schema": str(messages[0]) if messages else "invalid"}
    out: dict[str, str] = {}
    for key, value in messages.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api; other paths keep Flask's pages."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> ResponseReturnValue:
        return jsonify(error_body(exc.status, exc.message, exc.fields)), exc.status

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> ResponseReturnValue:
        fields = _flatten(exc.messages)
        return jsonify(error_body(422, "the request has invalid fields", fields)), 422

    @app.errorhandler(GridcaseError)
    def _engine_error(exc: GridcaseError) -> ResponseReturnValue:
        fields = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else None)
        return jsonify(error_body(exc.http_status, exc.message, fields)), exc.http_status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        if not request.path.startswith("/api/"):
            return exc
        status = exc.code or 500
        return jsonify(error_body(status, exc.description or exc.name)), status
