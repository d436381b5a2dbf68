"""The connectors' API operations for the OpenAPI document (``web.api.openapi``): a module of its own, importing
nothing of ``web.api`` (which imports it)."""

from __future__ import annotations

from engine.persistence.public_records import DELIVERY_STATUSES

#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
CONNECTOR_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/connectors", "post", "载入对接配置 Load the connectors' configuration file ({\"connectors\": [...]}): new,"
     " changed (version+1), missing ones deactivated; 422 names every problem connectors[i].path (admins)", None,
     200, None, (400, 401, 403, 422)),
    ("/connectors", "get", "对接系统 The connectors with their configuration and version", None, 200, None,
     (401, 403)),
    ("/connectors/{code}", "get", "对接系统 One connector", None, 200, None, (401, 403, 404)),
    ("/connectors/{code}/deliveries", "get", "推送记录 The connector's pushes, newest first, with their attempts"
     " (?status=&case_no=&page=)", None, 200, None, (401, 403, 404, 422)),
    ("/connectors/deliveries/{delivery_id}/retry", "post", "重试推送 Queue a failed push again (admins)", None, 200,
     None, (401, 403, 404, 422)),
]
CONNECTOR_QUERIES = {"/connectors/{code}/deliveries": [
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(DELIVERY_STATUSES)}},
    {"name": "case_no", "in": "query", "schema": {"type": "string"}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]}
