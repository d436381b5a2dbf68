"""The assessment registries' API (考评登记): /api/v1/assessment/registry, /assessment/objects…,
/assessment/checklists/{scheme}.

Who may: ``MANAGE_ASSESSMENT_REGISTRY`` (admins) loads registry files — JSON ``{files: {name: text}}`` or a
multipart upload of the files — and (de)activates an object, with the same commands as the admin page and
``gridcase assessment load|set-active`` (422 naming every problem ``"<file>: row <N>: <field>"``, nothing written);
``READ_ASSESSMENT_REGISTRY`` reads the objects and checklists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.assessment import registry_views
from city.assessment.commands import LoadAssessmentRegistry, SetAssessedObjectActive
from city.assessment.registry_files import CODE, FILE_NAMES
from city.assessment.registry_objects import KINDS
from engine.persistence.assessment_records import SCHEMES
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.api.schemas import Strict
from web.policy import MANAGE_ASSESSMENT_REGISTRY, READ_ASSESSMENT_REGISTRY

bp = Blueprint("assessment_registry_api", __name__)
ALL_KINDS = tuple(kind for kinds in KINDS.values() for kind in kinds)  # the kind filter's (the admin page's too)


class AssessmentFilesRequest(Strict):
    """Body of ``POST /assessment/registry``: the files by name (any of companies.csv, objects.geojson,
    checklists.json) with their text."""

    files = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)), values=fields.String(),
                        required=True, validate=validate.Length(min=1, max=2 * len(FILE_NAMES)),
                        metadata={"description": "file name → its text (CSV with a header; GeoJSON; JSON)"})


class ActiveRequest(Strict):
    """Body of ``POST /assessment/objects/{scheme}/{code}/active``."""

    active = fields.Boolean(required=True, truthy={True}, falsy={False},  # JSON true/false only, not "yes"
                            metadata={"description": "take part in the coming rounds"})


def _uploaded_files() -> dict[str, str]:
    """A multipart upload's files by their base name (422 naming one that is not UTF-8 text)."""
    found: dict[str, str] = {}
    for upload in request.files.values():
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        try:
            found[name] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiError(422, "a file is not UTF-8 text", {name or "files": "not UTF-8 text"}) from None
    if not found:
        raise ApiError(422, "name at least one file", {"files": "name at least one file"})
    return found


@bp.post("/assessment/registry")
@authenticated(MANAGE_ASSESSMENT_REGISTRY)
def load() -> ResponseReturnValue:
    """Load registry files: companies and objects upserted by code, changed checklists versioned, one
    transaction; the counts per registry and the new checklist versions."""
    who = caller()
    files = _uploaded_files() if request.files else dict(AssessmentFilesRequest().load(json_body())["files"])
    return jsonify(context.bus().handle(LoadAssessmentRegistry(files, who.username)))


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise ApiError(422, f"{name} must be one of {', '.join(choices)}", {name: f"must be {' or '.join(choices)}"})
    return value


def _filters() -> dict[str, Any]:
    """The objects' query filters, each checked (422 naming it)."""
    district, query, active = (request.args.get(n) or None for n in ("district", "q", "active"))
    if district is not None and not CODE.fullmatch(district):
        raise ApiError(422, "district must be a district code", {"district": "must be a district code"})
    if query is not None and len(query) > 100:
        raise ApiError(422, "q is at most 100 characters", {"q": "at most 100 characters"})
    if active not in (None, "0", "1"):
        raise ApiError(422, "active must be 0 or 1", {"active": "must be 0 or 1"})
    page = whole_arg("page", 1, 1, 100_000)
    return {"scheme": _choice("scheme", SCHEMES), "kind": _choice("kind", ALL_KINDS), "district": district,
            "query": query, "active": None if active is None else active == "1", "page": page}


@bp.get("/assessment/objects")
@authenticated(READ_ASSESSMENT_REGISTRY)
def objects() -> ResponseReturnValue:
    """A page of assessed objects (考评对象), filtered by scheme, district, kind, text and active."""
    return jsonify(registry_views.objects(context.deps(), **_filters()))


def _scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ApiError(404, f"no scheme {scheme}", {"scheme": f"must be {' or '.join(SCHEMES)}"})
    return scheme


@bp.get("/assessment/objects/<scheme>/<code>")
@authenticated(READ_ASSESSMENT_REGISTRY)
def one_object(scheme: str, code: str) -> ResponseReturnValue:
    """One object with its polygon and its newest 12 inspections."""
    found = registry_views.one_object(context.deps(), _scheme(scheme), code)
    if found is None:
        raise ApiError(404, f"no assessed object {scheme}/{code}", {"code": "no such object"})
    return jsonify(found)


@bp.post("/assessment/objects/<scheme>/<code>/active")
@authenticated(MANAGE_ASSESSMENT_REGISTRY)
def set_active(scheme: str, code: str) -> ResponseReturnValue:
    """Take an object out of the coming rounds or back in."""
    body, who = ActiveRequest().load(json_body()), caller()
    return jsonify(context.bus().handle(SetAssessedObjectActive(_scheme(scheme), code, body["active"],
                                                                who.username)))


@bp.get("/assessment/checklists/<scheme>")
@authenticated(READ_ASSESSMENT_REGISTRY)
def checklists(scheme: str) -> ResponseReturnValue:
    """The scheme's checklist (考评细则): its versions, newest first."""
    return jsonify({"scheme": scheme, "versions": registry_views.checklists(context.deps(), _scheme(scheme))})


_OBJECT_QUERY = [{"name": name, "in": "query", "schema": {"type": "string"}}
                 for name in ("scheme", "district", "kind", "q", "active", "page")]
#: query parameters by path, for the OpenAPI document
ASSESSMENT_REGISTRY_QUERIES = {"/assessment/objects": _OBJECT_QUERY}
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
ASSESSMENT_REGISTRY_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/assessment/registry", "post", "载入考评登记 Load assessment registry files (companies.csv, objects.geojson,"
     " checklists.json; JSON or multipart): upserted by code, changed checklists versioned, one transaction; 422"
     " names every problem by file, row and field (admins)", AssessmentFilesRequest, 200, None,
     (400, 401, 403, 409, 422)),
    ("/assessment/objects", "get", "考评对象 Assessed objects (?scheme=&district=&kind=&q=&active=0|1&page=)", None,
     200, None, (401, 403, 422)),
    ("/assessment/objects/{scheme}/{code}", "get", "考评对象 One assessed object with its latest inspections", None,
     200, None, (401, 403, 404)),
    ("/assessment/objects/{scheme}/{code}/active", "post", "启用/停用考评对象 Take an object out of the coming"
     " rounds or back in (admins)", ActiveRequest, 200, None, (400, 401, 403, 404, 422)),
    ("/assessment/checklists/{scheme}", "get", "考评细则 A scheme's checklist versions, newest first", None, 200,
     None, (401, 403, 404)),
]
