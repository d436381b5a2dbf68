"""The upper-level exchange's API operations for the OpenAPI document (``web.api.openapi``): a module of its own,
importing nothing of ``web.api`` (which imports it)."""

from __future__ import annotations

from typing import Any

#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
EXCHANGE_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/exchange/{code}/batches", "get", "交换批次 The connector's exchange batches, newest first (?direction=export|"
     "import&page=N; admins, shift leads)", None, 200, None, (401, 403, 404, 422)),
    ("/exchange/{code}/export", "post", "立即导出 Export the cases changed since the last batch now (admins)", None,
     200, None, (401, 403, 404, 422)),
    ("/exchange/{code}/inbox", "post", "读取收件箱 Read the inbox now: acknowledgements and assigned cases (admins; 409"
     " while another run reads it)", None, 200, None, (401, 403, 404, 409, 422)),
]
EXCHANGE_QUERIES: dict[str, list[dict[str, Any]]] = {"/exchange/{code}/batches": [
    {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["export", "import"]}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]}
