"""Transport registries' API (渣土运输登记): /api/v1/transport/registry, /transport/companies|vehicles|sites|permits.

Who may: ``MANAGE_TRANSPORT`` (admins) loads registry files — the same ``LoadTransportRegistry`` as the admin page
and ``gridcase transport load``, which refuses with every problem named ``"<file>: row <N>: <field>"`` (422, nothing
written); ``READ_TRANSPORT`` reads the registries (a department member only of a department supervising transport:
the city package's transport.json)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.transport import registry_views
from city.transport.commands import LoadTransportRegistry
from city.transport.registry_files import CODE, FILE_NAMES
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import MANAGE_TRANSPORT, READ_TRANSPORT

bp = Blueprint("transport_registry_api", __name__)


class RegistryFilesRequest(Strict):
    """Body of ``POST /transport/registry``: the files by name (any of companies.csv, vehicles.csv,
    sites.geojson, permits.geojson) with their text."""

    # names are checked by the command (an unknown one is a problem named like the others), the count here
    files = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)), values=fields.String(),
                        required=True, validate=validate.Length(min=1, max=2 * len(FILE_NAMES)),
                        metadata={"description": "file name → its text (CSV with a header; GeoJSON)"})


def _geometry_wanted() -> bool:
    """``?geometry=0`` leaves the polygons and corridors out (a table needs none)."""
    value = request.args.get("geometry", "1")
    if value not in ("0", "1"):
        raise ApiError(422, "geometry must be 0 or 1", {"geometry": "must be 0 or 1"})
    return value == "1"


@bp.post("/transport/registry")
@authenticated(MANAGE_TRANSPORT)
def load() -> ResponseReturnValue:
    """Load registry files: rows inserted or updated by code, in one transaction; the counts per registry."""
    body, who = RegistryFilesRequest().load(json_body()), caller()
    result = context.bus().handle(LoadTransportRegistry(dict(body["files"]), who.username,
                                                        actor_kind=who.actor_kind))
    return jsonify(result)


@bp.get("/transport/companies")
@authenticated(READ_TRANSPORT)
def companies() -> ResponseReturnValue:
    """The companies (运输企业) with their counts of vehicles and permits."""
    return jsonify({"companies": registry_views.companies(context.deps())})


@bp.get("/transport/vehicles")
@authenticated(READ_TRANSPORT)
def vehicles() -> ResponseReturnValue:
    """The vehicles with their company and permits (``?company=CODE``: one company's)."""
    company = request.args.get("company") or None
    if company is not None and not CODE.fullmatch(company):
        raise ApiError(422, "company must be a company code", {"company": "must be a company code"})
    return jsonify({"vehicles": registry_views.vehicles(context.deps(), company)})


@bp.get("/transport/sites")
@authenticated(READ_TRANSPORT)
def sites() -> ResponseReturnValue:
    """The source (出土点) and disposal (消纳场) sites with their polygons (``?geometry=0``: without)."""
    return jsonify({"sites": registry_views.sites(context.deps(), _geometry_wanted())})


@bp.get("/transport/permits")
@authenticated(READ_TRANSPORT)
def permits() -> ResponseReturnValue:
    """The permits (核准) with their validity now and corridors (``?geometry=0``: without)."""
    return jsonify({"permits": registry_views.permits(context.deps(), _geometry_wanted())})


GEOMETRY_QUERY = [{"name": "geometry", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}]
#: query parameters by path, for the OpenAPI document
TRANSPORT_REGISTRY_QUERIES = {
    "/transport/vehicles": [{"name": "company", "in": "query", "schema": {"type": "string"}}],
    "/transport/sites": GEOMETRY_QUERY,
    "/transport/permits": GEOMETRY_QUERY,
}
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
TRANSPORT_REGISTRY_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/transport/registry", "post", "载入渣土运输登记 Load registry files (companies.csv, vehicles.csv, sites.geojson,"
     " permits.geojson): upserted by code in one transaction; 422 names every problem by file, row and field"
     " (admins)", RegistryFilesRequest, 200, None, (400, 401, 403, 409, 422)),
    ("/transport/companies", "get", "运输企业 Transport companies with their vehicle and permit counts", None, 200,
     None, (401, 403)),
    ("/transport/vehicles", "get", "车辆 Registered trucks with company and permits (?company=CODE)", None, 200, None,
     (401, 403, 422)),
    ("/transport/sites", "get", "出土点与消纳场 Source and disposal sites (?geometry=0: without polygons)", None, 200,
     None, (401, 403, 422)),
    ("/transport/permits", "get", "核准 Transport permits with validity now (?geometry=0: without corridors)", None,
     200, None, (401, 403, 422)),
]
