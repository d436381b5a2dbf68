"""``POST /connectors/<code>/orders``: a sender system transfers a work order (docs/connectors.md). No session, no
CSRF: the HMAC signature over ``"<timestamp>.<raw body>"`` with the connector's shared secret is the
authentication (401 with a JSON error otherwise); an unknown or inactive connector is 404; a body over 256 KB 413.
The order is one ``ReceiveWorkOrder``: 201 ``{"case_no", "created": true}``, or 200 with ``created: false`` for an
order id already taken in."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from city.connectors.commands import ReceiveWorkOrder
from city.connectors.config import CODE
from city.connectors.inbound import hotline_config
from city.connectors.orders import MAX_BODY_BYTES
from city.connectors.signing import secret_of, signature_problem
from web import context
from web.api.errors import ApiError

bp = Blueprint("connector_inbound", __name__, url_prefix="/connectors")


def _raw_body() -> bytes:
    """The body, at most ``MAX_BODY_BYTES`` read (413 past that, also when no length was announced)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, f"the body must be at most {MAX_BODY_BYTES} bytes", {"body": "too large"})
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body must be at most {MAX_BODY_BYTES} bytes", {"body": "too large"})
    return body


@bp.post("/<code>/orders")
def receive_order(code: str) -> ResponseReturnValue:
    """Take a signed work order in (see the module's docstring)."""
    if not CODE.fullmatch(code):
        raise ApiError(404, "no such connector", {"connector": "unknown"})
    deps = context.deps()
    config = hotline_config(deps, code)
    body = _raw_body()
    problem = signature_problem(secret_of(config["config"]), request.headers.get("X-Gridcase-Timestamp"),
                                request.headers.get("X-Gridcase-Signature"), body, deps.clock.now().timestamp())
    if problem is not None:
        raise ApiError(401, problem, {"signature": problem})
    result = context.bus().handle(ReceiveWorkOrder(code, body, f"connector:{code}", actor_kind="api_client"))
    return jsonify(result), 201 if result["created"] else 200
