"""Open311 GeoReport v2 at /open311/v2 (docs/open311.md): discovery, services, a service's definition, requests
(POST with an api key; GET with the spec's filters), one request, a token's request — each as ``.json`` or ``.xml``.

Reads are public data: any origin may read them (``Access-Control-Allow-Origin: *``) and each client address has a
per-minute allowance; a POST counts against its key's allowance first (``CountRequest``, in its own transaction),
then sends ``SubmitServiceRequest``. Apps call without cookies, so there is no session and no CSRF token here."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from city.open311 import views
from city.open311.commands import SubmitServiceRequest
from city.open311.filters import request_filter
from city.open311.keys import key_limit
from city.open311.settings import Open311Settings
from city.public.settings import public_base_url
from engine.domain.commands import CountRequest
from web.api import client_address
from web.api.errors import ApiError
from web.context import bus, deps
from web.open311.errors import allowed_methods, install_errors
from web.open311.formats import FORMATS, render

PREFIX = "/open311/v2"
bp = Blueprint("open311", __name__, url_prefix=PREFIX)


@bp.record_once
def _check_settings(_state: BlueprintSetupState) -> None:
    # A bad GRIDCASE_OPEN311_* value stops the start naming the variable (ValueError), not every call with a 500.
    Open311Settings.from_env()


install_errors(bp)
WINDOW = 60  # seconds: the allowances are per minute
PARAMETERS = ("api_key", "jurisdiction_id", "service_code", "lat", "long", "description", "address_string",
              "address_id", "media_url", "email", "phone", "first_name", "last_name", "device_id", "account_id")
CHANGESET = "2026-12-07T00:00:00Z"  # when this endpoint's interface last changed (the discovery's changeset)


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ApiError(404, f"format {fmt[:20]!r} is not supported: use .json or .xml")
    return fmt


def _locale() -> str:
    return "en" if (request.values.get("locale") or "").lower().startswith("en") else "zh"


def _count_read() -> None:
    bus().handle(CountRequest("open311_address", client_address(), Open311Settings.from_env().reads_per_minute,
                              WINDOW, actor="public:open311"))


CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
                "Access-Control-Max-Age": "86400"}


@bp.before_request
def _preflight() -> ResponseReturnValue | None:
    """OPTIONS (a browser's CORS preflight): the path's methods and the read-only CORS grant, no body. Flask's own
    answer was an HTML 200 listing the catch-all route's PUT and DELETE, without CORS headers."""
    if request.method != "OPTIONS":
        return None
    allowed = allowed_methods(request.path)
    if not allowed:
        raise NotFound(f"no Open311 endpoint {request.path[:100]!r}: see discovery.xml or discovery.json")
    methods = [*allowed[:1], "HEAD", *allowed[1:]] if allowed[0] == "GET" else allowed
    return Response(status=204, headers={"Allow": ", ".join([*methods, "OPTIONS"]), **CORS_HEADERS})


@bp.after_request
def _public_reads(response: Response) -> Response:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"  # public data: any web app may read it
    return response


@bp.get("/discovery.<fmt>")
def discovery(fmt: str) -> ResponseReturnValue:
    """The spec's service discovery document."""
    _fmt(fmt)
    _count_read()
    base = public_base_url() or request.url_root.rstrip("/")  # the request's own root only when the site's is unset
    endpoint = {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base + PREFIX,
                "changeset": CHANGESET, "type": "production", "formats": ["text/xml", "application/json"]}
    document = {"changeset": CHANGESET, "contact": "the city's command centre (数字城管指挥中心)",
                "key_service": "ask the city's administrators for an api key", "endpoints": [endpoint]}
    return render(fmt, "discovery", document)


@bp.get("/services.<fmt>")
def service_list(fmt: str) -> ResponseReturnValue:
    """GET Service List."""
    _fmt(fmt)
    _count_read()
    return render(fmt, "services", views.service_list(deps(), _locale(), request.args.get("jurisdiction_id")))


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> ResponseReturnValue:
    """GET Service Definition."""
    _fmt(fmt)
    _count_read()
    found = views.service_definition(deps(), code, request.args.get("jurisdiction_id"))
    return render(fmt, "service_definition", found)


@bp.get("/requests.<fmt>")
def request_list(fmt: str) -> ResponseReturnValue:
    """GET Service Requests (the spec's filters; 90 days and 1,000 requests at most)."""
    _fmt(fmt)
    _count_read()
    chosen = request_filter(request.args)
    return render(fmt, "service_requests",
                  views.request_list(deps(), chosen, _locale(), request.args.get("jurisdiction_id")))


@bp.get("/requests/<case_no>.<fmt>")
def one_request(case_no: str, fmt: str) -> ResponseReturnValue:
    """GET Service Request."""
    _fmt(fmt)
    _count_read()
    return render(fmt, "service_requests",
                  views.one_request(deps(), case_no, _locale(), request.args.get("jurisdiction_id")))


@bp.get("/tokens/<token>.<fmt>")
def token_request(token: str, fmt: str) -> ResponseReturnValue:
    """GET service_request_id from a token."""
    _fmt(fmt)
    _count_read()
    return render(fmt, "service_requests", views.token_request(deps(), token, request.args.get("jurisdiction_id")))


def _parameters() -> dict[str, Any]:
    """The POST's parameters: form-encoded as the spec says, or a JSON object (numbers read as their text)."""
    if request.mimetype != "application/json":
        return {name: request.form.get(name) for name in PARAMETERS}
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):
        raise ApiError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object of the request's parameters")
    given = {name: body.get(name) for name in PARAMETERS}
    return {name: str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
            for name, value in given.items()}


@bp.post("/requests.<fmt>")
def submit_request(fmt: str) -> ResponseReturnValue:
    """POST Service Request: ``[{service_request_id, service_notice, account_id, token}]``."""
    _fmt(fmt)
    given = _parameters()
    limit = key_limit(deps(), given["api_key"]) if isinstance(given["api_key"], str) else None
    if limit is None:  # no key of ours: counted by address, then refused by the command (403)
        _count_read()
    else:
        bus().handle(CountRequest("open311_key", str(limit[0]), limit[1], WINDOW, actor="public:open311"))
    locale = _locale()
    done = bus().handle(SubmitServiceRequest(**given, locale=locale, actor_kind="api_client"))
    answer = [{"service_request_id": done["case_no"], "service_notice": views.notice(locale),
               "account_id": None, "token": done["token"]}]
    return render(fmt, "service_requests", answer)
