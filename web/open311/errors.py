"""Every error under /open311 in the spec's format of the requested extension: refusals of the commands and reads
(422 read as the spec's 400), the app's own checks (unkeepable text, a body too large), unknown paths and methods
(a catch-all route: routing errors reach no blueprint's handler otherwise), and a server fault (500)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, NotFound, default_exceptions

from engine.domain.errors import GridcaseError
from web.api.errors import ApiError
from web.open311.formats import error_response

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _status(status: int) -> int:
    return 400 if status == 422 else status  # the spec answers bad or missing parameters with 400


def _descriptions(message: str, fields: dict[str, str] | None) -> list[str]:
    return [f"{name}: {text}" for name, text in fields.items()] if fields else [message]


def allowed_methods(path: str) -> list[str]:
    """The methods another route of ``path`` takes (empty: no route has the path)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if not str(endpoint).endswith(".unknown_path"):
            allowed.append(method)
    return allowed


def install_errors(bp: Blueprint) -> None:
    """The blueprint's error handlers and its catch-all route."""

    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> ResponseReturnValue:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return error_response(_status(exc.status), _descriptions(exc.message, exc.fields), headers)

    @bp.errorhandler(GridcaseError)
    def _refused(exc: GridcaseError) -> ResponseReturnValue:
        fields = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else None)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return error_response(_status(exc.http_status), _descriptions(exc.message, fields), headers)

    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        headers = {name: value for name, value in exc.get_headers() if name == "Allow"}
        return error_response(exc.code or 500, [exc.description or exc.name], headers)

    # By code too: the app's own handlers of a code (its 404 and 500 pages) come before any blueprint's by class.
    bp.register_error_handler(HTTPException, _http_error)
    for code in default_exceptions:
        bp.register_error_handler(code, _http_error)

    @bp.errorhandler(Exception)
    def _fault(exc: Exception) -> ResponseReturnValue:
        log.exception("open311: %s %s failed", request.method, request.path)
        return error_response(500, ["internal server error: the request was not completed"])

    @bp.route("/", defaults={"rest": ""}, methods=METHODS)
    @bp.route("/<path:rest>", methods=METHODS)
    def unknown_path(rest: str) -> ResponseReturnValue:
        """No such endpoint (404), or not with this method (405 with Allow)."""
        allowed = allowed_methods(request.path)
        if allowed:
            return error_response(405, [f"{request.method} is not allowed here: use {', '.join(allowed)}"],
                                  {"Allow": ", ".join(allowed)})
        raise NotFound(f"no Open311 endpoint {rest[:100]!r}: see discovery.xml or discovery.json")
