"""The Open311 api keys' API operations for the OpenAPI document (``web.api.openapi``): a module of its own,
importing nothing of ``web.api`` (which imports it). GeoReport v2 itself (/open311/v2) is the spec's, not ours:
docs/open311.md."""

from __future__ import annotations

#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
OPEN311_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/open311/keys", "get", "Open311 API 密钥 The Open311 apps' api keys, newest first (prefixes only; admins)",
     None, 200, None, (401, 403)),
    ("/open311/keys", "post", "创建 API 密钥 Create a key {name, contact, per_minute?}: the answer holds the key,"
     " shown this once; 409 for a name taken (admins)", None, 201, None, (400, 401, 403, 409, 422)),
    ("/open311/keys/{key_id}/revoke", "post", "吊销 API 密钥 Revoke a key: its app's requests are refused (403)"
     " from now on (admins)", None, 200, None, (401, 403, 404)),
]
