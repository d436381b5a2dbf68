"""JSON errors for the API: ``{"error": {"code", "message", "fields"?}}`` with the right status."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.domain.errors import GridcaseError
from engine.domain.input_limits import echo, text_problem

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests"}


class ApiError(Exception):
    """An API refusal with its status, message and, for bad input, the fields at fault."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None, *,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields
        self.retry_after = retry_after  # seconds, sent as Retry-After (429, 503) so clients need not parse text


MESSAGE_CHARS = 500  # an error repeats at most this much of what it was sent (a 20 MB expression stays home)


def error_body(status: int, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error document; its texts clipped and made valid Unicode (they often repeat the refused input)."""
    body: dict[str, Any] = {"code": CODES.get(status, "error"), "message": echo(message, MESSAGE_CHARS)}
    if fields:
        body["fields"] = {echo(str(name), MESSAGE_CHARS): echo(text, MESSAGE_CHARS) if isinstance(text, str) else text
                          for name, text in fields.items()}
    return {"error": body}


def request_text_problem() -> tuple[str, str] | None:
    """The first path segment, query parameter or form field (name or value) holding text no database keeps
    (NUL, an unpaired surrogate), as (parameter, message); None when there is none."""
    given = [*(request.view_args or {}).items(), *request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        given += list(request.form.items(multi=True))
    for name, value in given:
        for text in (str(name), value if isinstance(value, str) else ""):
            problem = text_problem(text)
            if problem is not None:
                return str(name), problem
    return None


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages → {"dotted.field": "first message"}."""
    if isinstance(messages, list):
        return {prefix or "_schema": str(messages[0]) if messages else "invalid"}
    out: dict[str, str] = {}
    for key, value in messages.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api; other paths keep Flask's pages. Before any view runs, a parameter holding text
    no database keeps is refused (422 naming it under /api, 400 elsewhere): the JSON body is checked by
    ``web.api.cases.json_body``, the commands check what they are given again."""

    @app.before_request
    def _refuse_unkeepable_text() -> None:
        problem = request_text_problem()
        if problem is not None:  # the API answers it as JSON, a page's blueprint as its error page with the message
            name, message = problem
            status = 422 if request.path.startswith("/api/") else 400
            raise ApiError(status, f"{echo(name, 40)} {message}", {name: message})

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> ResponseReturnValue:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return jsonify(error_body(exc.status, exc.message, exc.fields)), exc.status, headers

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> ResponseReturnValue:
        fields = _flatten(exc.messages)
        return jsonify(error_body(422, "the request has invalid fields", fields)), 422

    @app.errorhandler(GridcaseError)
    def _engine_error(exc: GridcaseError) -> ResponseReturnValue:
        fields = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else None)
        retry_after = getattr(exc, "retry_after", None)  # TooManyRequests: when the window ends
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return jsonify(error_body(exc.http_status, exc.message, fields)), exc.http_status, headers

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        if not request.path.startswith("/api/"):
            return exc
        status = exc.code or 500
        return jsonify(error_body(status, exc.description or exc.name)), status
