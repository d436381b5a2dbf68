"""The OpenAPI 3 document at /api/v1/openapi.json, built from the marshmallow schemas."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from web.api import schemas as s
from web.api.admin_openapi import ADMIN_OPERATIONS
from web.api.analysis import ANALYSIS_OPERATIONS, ANALYSIS_QUERIES
from web.api.assessment_inspections import ASSESSMENT_INSPECTION_OPERATIONS, ASSESSMENT_INSPECTION_QUERIES
from web.api.assessment_registry import ASSESSMENT_REGISTRY_OPERATIONS, ASSESSMENT_REGISTRY_QUERIES
from web.api.assessment_rounds import ASSESSMENT_ROUND_OPERATIONS, ASSESSMENT_ROUND_QUERIES
from web.api.assessment_views import ASSESSMENT_VIEW_OPERATIONS, ASSESSMENT_VIEW_QUERIES
from web.api.audit import AuditCaseList, AuditQuery, ReplayView, VerifyView
from web.api.calendar import CALENDAR_OPERATIONS
from web.api.campaigns import CAMPAIGN_OPERATIONS
from web.api.decoration import DECORATION_OPERATIONS, DECORATION_QUERIES
from web.api.designer_tools import MigrateRequest, TimerPreview
from web.api.duplicates import DUPLICATE_OPERATIONS
from web.api.emergency import EMERGENCY_OPERATIONS
from web.api.emergency_dashboard import DASHBOARD_OPERATIONS
from web.api.enforcement import ENFORCEMENT_OPERATIONS, ENFORCEMENT_QUERIES
from web.api.enforcement_transfer import TRANSFER_OPERATIONS
from web.api.gps import GPS_OPERATIONS
from web.api.kpi import KPI_OPERATIONS, KPI_QUERIES
from web.api.notifications import NOTIFICATION_OPERATIONS
from web.api.processes import DeployRequest, DraftSave, FilesRequest
from web.api.property_credit import PROPERTY_CREDIT_OPERATIONS, PROPERTY_CREDIT_QUERIES
from web.api.rules import RuleResult, RuleTest
from web.api.signals import SignalRequest
from web.api.starts import START_OPERATIONS
from web.api.supervision import SUPERVISION_OPERATIONS
from web.api.tasks import ProcessTaskList, ProcessTaskQuery
from web.api.transport_registry import TRANSPORT_REGISTRY_OPERATIONS, TRANSPORT_REGISTRY_QUERIES
from web.api.transport_views import TRANSPORT_VIEW_OPERATIONS, TRANSPORT_VIEW_QUERIES
from web.api.users import TOKEN_OPERATIONS, PasswordChange, UserCreate
from web.api.vision import DetectionBatch, DetectionsStored, PrecisionList, PrecisionQuery
from web.connectors.openapi_ops import CONNECTOR_OPERATIONS, CONNECTOR_QUERIES
from web.exchange.openapi_ops import EXCHANGE_OPERATIONS, EXCHANGE_QUERIES
from web.open311.openapi_ops import OPEN311_OPERATIONS

# (path, method, summary, request schema, success status, response schema, error statuses)
OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/auth/token", "post", "Exchange a username and password for a bearer token", s.TokenRequest, 200,
     s.TokenResponse, (400, 401, 422, 429)),
    ("/cases", "post", "Report a problem (idempotent per channel + external_id)", s.CaseCreate, 201, s.CaseView,
     (400, 401, 403, 422)),
    ("/cases/{case_no}", "get", "A case: state, department, deadline, light, counters", None, 200, s.CaseView,
     (401, 404)),
    ("/cases/{case_no}/events", "get", "The case's audit events in order", None, 200, None, (401, 404)),
    ("/cases/{case_no}/attachments", "post", "Attach a photo, video or PDF (multipart field file)", None, 201,
     s.AttachmentView, (401, 403, 404, 422)),
    ("/cases/{case_no}/attachments/{digest}", "get", "An attachment's bytes", None, 200, None, (401, 404)),
    ("/tasks", "get", "The caller's visible tasks, each naming its process; ?process=ID filters (422: not deployed)",
     None, 200, ProcessTaskList, (401, 422)),
    ("/tasks/{task_id}", "get", "One task with its form data", None, 200, s.TaskView, (401, 404)),
    ("/tasks/{task_id}/claim", "post", "Claim a task", None, 200, s.TaskView, (401, 403, 404, 409)),
    ("/tasks/{task_id}/unclaim", "post", "Give a task back", None, 200, s.TaskView, (401, 403, 404, 409)),
    ("/tasks/{task_id}/complete", "post", "Complete a task with its form data", s.TaskComplete, 200, None,
     (400, 401, 403, 404, 409, 422)),
    ("/city/grids", "get", "Grid polygons as GeoJSON (level=district|resp|unit, bbox=w,s,e,n)", None, 200, None,
     (401, 422)),
    ("/city/locate", "get", "The grids of a point (lon, lat)", None, 200, None, (401, 404, 422)),
    ("/city/subtypes", "get", "Problem categories", None, 200, None, (401,)),
    ("/city/departments", "get", "Departments", None, 200, None, (401,)),
    ("/cases/{case_no}/diagram", "get", "The case's BPMN with active and completed elements", None, 200, None,
     (401, 404)),
    ("/audit/cases", "get", "Cases to audit by department, subtype, overdue, reworked, returned, period (auditors)",
     None, 200, AuditCaseList, (401, 403, 422)),
    ("/cases/{case_no}/replay", "get", "The case's events, its process version's BPMN and a replay frame per event",
     None, 200, ReplayView, (401, 403, 404)),
    ("/cases/{case_no}/replay/verify", "post",
     "Verify the hash chain, re-run the case from its recorded inputs, check its evidence files", None, 200,
     VerifyView, (401, 403, 404)),
    ("/vision/detections", "post", "Keep camera detection records, idempotent per record_id (vision worker)",
     DetectionBatch, 201, DetectionsStored, (400, 401, 403, 422)),
    ("/vision/precision", "get", "Each camera rule's alerts, confirmed and voided at acceptance, precision", None,
     200, PrecisionList, (401, 403, 422)),
    ("/users", "get", "Accounts (admins)", None, 200, None, (401, 403, 422)),
    ("/users", "post", "Add an account (admins)", UserCreate, 201, None, (400, 401, 403, 422)),
    ("/users/{username}/password", "put", "Set a password and revoke the account's tokens (admins)", PasswordChange,
     200,
     None, (400, 401, 403, 404, 422)),
    ("/messages", "post", "Deliver a BPMN message (correlate or start)", s.MessageRequest, 200, None,
     (400, 401, 403, 404, 422)),
    ("/signals", "post", "Broadcast a BPMN signal: every waiting case catches it, signal starts start (integration, "
     "admins)", SignalRequest, 200, None, (400, 401, 403, 422)),
    ("/processes", "get", "Deployed processes with their newest version (designers, admins, auditors)", None, 200,
     None, (401, 403)),
    ("/processes/sources", "get", "The BPMN and DMN files of workflows/ and rules/ (designers)", None, 200, None,
     (401, 403)),
    ("/processes/sources/{name}", "get", "One file of workflows/ or rules/ with its text (designers)", None, 200,
     None, (401, 403, 404)),
    ("/processes/{process_id}/versions", "get", "A process's deployed versions", None, 200, None, (401, 403, 404)),
    ("/processes/{process_id}/versions/{number}", "get", "One deployed version with its sources", None, 200, None,
     (401, 403, 404)),
    ("/processes/{process_id}/diff", "get", "Elements and rules added, removed and changed between two versions",
     None, 200, None, (401, 403, 404, 422)),
    ("/processes/validate", "post", "Validate BPMN and DMN files without deploying them (designers)", FilesRequest,
     200, None, (400, 401, 403, 422)),
    ("/processes/deploy", "post", "Deploy BPMN and DMN files as new versions (designers); 200 when unchanged",
     DeployRequest, 201, None, (400, 401, 403, 409, 422)),
    ("/processes/timer-preview", "post", "When a timer definition fires for sample data (designers)", TimerPreview,
     200, None, (400, 401, 403, 422)),
    ("/processes/forms/{name}", "get", "A task form of workflows/forms with its text, to edit as a draft (designers)",
     None, 200, None, (401, 403, 404)),
    ("/rules/evaluate", "post", "Evaluate a decision of a posted DMN on inputs: its result and the rules that matched",
     RuleTest, 200, RuleResult, (400, 401, 403, 422)),
    ("/processes/{process_id}/migrate", "post", "Move running cases to a version where safe; dry run by default",
     MigrateRequest, 200, None, (400, 401, 403, 404, 422)),
    ("/drafts", "get", "The caller's drafts (designers)", None, 200, None, (401, 403)),
    ("/drafts/{file_name}", "get", "One of the caller's drafts with its content", None, 200, None,
     (401, 403, 404, 422)),
    ("/drafts/{file_name}", "put", "Save a draft (201 when new)", DraftSave, 200, None, (400, 401, 403, 422)),
    ("/drafts/{file_name}", "delete", "Delete one of the caller's drafts", None, 200, None, (401, 403, 404, 422)),
    ("/jobs/fetch-and-lock", "post", "Lock up to max_jobs external jobs of the given topics (workers)", None, 200,
     None, (400, 401, 403, 422)),
    ("/jobs/{job_id}", "get", "One external job (workers)", None, 200, None, (401, 403, 404)),
    ("/jobs/{job_id}/complete", "post", "Complete a locked job with variables; exactly once (workers)", None, 200,
     None, (400, 401, 403, 404, 409, 422)),
    ("/jobs/{job_id}/failure", "post", "Report a failure: retries left and back-off; 0 retries opens an incident",
     None, 200, None, (400, 401, 403, 404, 409, 422)),
    ("/jobs/{job_id}/bpmn-error", "post", "Throw a BPMN error from the job's service task (workers)", None, 200,
     None, (400, 401, 403, 404, 409, 422)),
    ("/jobs/{job_id}/extend-lock", "post", "Extend the worker's lock on a job", None, 200, None,
     (400, 401, 403, 404, 409, 422)),
    ("/incidents", "get", "Incidents: jobs out of retries, failed timers (admins)", None, 200, None, (401, 403, 422)),
    ("/incidents/{incident_id}/retry", "post", "Retry an incident's job or timer (admins)", None, 200, None,
     (400, 401, 403, 404, 409, 422)),
    ("/incidents/{incident_id}/resolve", "post", "Resolve an incident with a note (admins)", None, 200, None,
     (400, 401, 403, 404, 409, 422)),
    *START_OPERATIONS,
    *ANALYSIS_OPERATIONS,
    *TOKEN_OPERATIONS,
    *KPI_OPERATIONS,
    *CALENDAR_OPERATIONS,
    *SUPERVISION_OPERATIONS,
    *NOTIFICATION_OPERATIONS,
    *DUPLICATE_OPERATIONS,
    *ADMIN_OPERATIONS,
    *CAMPAIGN_OPERATIONS,
    *EMERGENCY_OPERATIONS,
    *DASHBOARD_OPERATIONS,
    *TRANSPORT_VIEW_OPERATIONS,
    *TRANSPORT_REGISTRY_OPERATIONS,
    *GPS_OPERATIONS,
    *ENFORCEMENT_OPERATIONS,
    *TRANSFER_OPERATIONS,
    *DECORATION_OPERATIONS,
    *ASSESSMENT_REGISTRY_OPERATIONS,
    *ASSESSMENT_ROUND_OPERATIONS,
    *ASSESSMENT_INSPECTION_OPERATIONS,
    *ASSESSMENT_VIEW_OPERATIONS,
    *PROPERTY_CREDIT_OPERATIONS,
    *CONNECTOR_OPERATIONS,
    *OPEN311_OPERATIONS,
    *EXCHANGE_OPERATIONS,
]
# query parameters, by path (copied per document: the marshmallow plugin rewrites what it is given)
QUERIES: dict[str, list[dict[str, Any]]] = {
    "/tasks": [{"in": "query", "schema": ProcessTaskQuery}],
    "/audit/cases": [{"in": "query", "schema": AuditQuery}],
    "/vision/precision": [{"in": "query", "schema": PrecisionQuery}],
    "/city/grids": [{"name": "level", "in": "query",
                     "schema": {"type": "string", "enum": ["district", "resp", "unit"]}},
                    {"name": "bbox", "in": "query", "schema": {"type": "string"}}],
    "/city/locate": [{"name": n, "in": "query", "required": True, "schema": {"type": "number"}}
                     for n in ("lon", "lat")],
    "/processes/{process_id}/diff": [{"name": n, "in": "query", "required": True,
                                      "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
                                     for n in ("from", "to")],
    **ANALYSIS_QUERIES,
    **KPI_QUERIES,
    **TRANSPORT_VIEW_QUERIES,
    **TRANSPORT_REGISTRY_QUERIES,
    **ENFORCEMENT_QUERIES,
    **DECORATION_QUERIES,
    **ASSESSMENT_REGISTRY_QUERIES,
    **ASSESSMENT_ROUND_QUERIES,
    **ASSESSMENT_INSPECTION_QUERIES,
    **ASSESSMENT_VIEW_QUERIES,
    **PROPERTY_CREDIT_QUERIES,
    **CONNECTOR_QUERIES,
    **EXCHANGE_QUERIES,
}
# header parameters, by (path, method)
HEADERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("/processes/{process_id}/cases", "post"): [{
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "1–200 printable ASCII characters (else 400); the same key from the same caller for the same "
                       "process answers 200 with the first case, with other data 409",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"}}],
}
EXTRA_SUCCESS = {("/processes/deploy", "post"): 200, ("/drafts/{file_name}", "put"): 201,
                 ("/processes/{process_id}/cases", "post"): 200, ("/city/calendar", "post"): 200}


def _parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]


def _operation(summary: str, request: type | None, status: int, response: type | None,
               errors: tuple[int, ...], path: str, method: str) -> dict[str, Any]:
    parameters = _parameters(path) + deepcopy(QUERIES.get(path, [])) + deepcopy(HEADERS.get((path, method), []))
    op: dict[str, Any] = {"summary": summary, "parameters": parameters, "responses": {}}
    if path.endswith("/attachments") and method == "post":
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                             "addendum": {"type": "boolean", "default": False},
                                             "note": {"type": "string", "maxLength": 500}},
            "required": ["file"]}}}}
    if request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
    body: dict[str, dict[str, Any]] = {"application/json": {"schema": response if response else {}}}
    for code in (status, EXTRA_SUCCESS.get((path, method))):
        if code is not None:
            op["responses"][str(code)] = {"description": "success", "content": body}
    for code in errors:
        op["responses"][str(code)] = {"description": "error",
                                      "content": {"application/json": {"schema": s.ErrorView}}}
    if path != "/auth/token":
        op["security"] = [{"bearer": []}]
    return op


def openapi_document() -> dict[str, Any]:
    """The whole document (OpenAPI 3.0.3)."""
    spec = APISpec(title="gridcase API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "数字城管 case management: report, follow and work cases."},
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, request, status, response, errors in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(summary, request, status, response, errors, path, method)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
