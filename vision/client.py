"""The web API as the vision worker sees it: bearer token, JSON, retries with backoff.

Every call the worker makes is idempotent — a case is started with an external id the server
deduplicates on, an attachment is stored once per content hash — so retrying after a timeout or a
restart never creates anything twice.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiUnavailable(Exception):
    """The API could not be reached (or kept failing) within the retry budget: try again later."""


class ApiRefused(Exception):
    """The API answered with a 4xx: retrying the same request cannot help."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


@dataclass
class ApiClient:
    """A small JSON client for ``/api/v1`` with exponential backoff on connection errors and 5xx/429."""

    base_url: str
    token: str
    attempts: int = 5
    backoff: float = 0.5  # seconds, doubled each attempt
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def _request(self, method: str, path: str, body: bytes | None = None,
                 content_type: str = "application/json") -> Any:
        url = f"{self.base_url.rstrip('/')}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                text = exc.read().decode("utf-8", "replace")
                if exc.code not in RETRY_STATUSES:
                    raise ApiRefused(exc.code, text) from None
                reason = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                reason = str(getattr(exc, "reason", exc))
            if attempt == self.attempts:
                raise ApiUnavailable(f"{method} {path}: {reason} after {attempt} attempts")
            log.warning("%s %s failed (%s); retrying in %.1f s", method, path, reason, delay)
            self.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def post_json(self, path: str, payload: Any) -> Any:
        """POST a JSON body; the decoded JSON answer."""
        return self._request("POST", path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def get_json(self, path: str) -> Any:
        """GET; the decoded JSON answer."""
        return self._request("GET", path)

    def start_case(self, detection: dict[str, Any], external_id: str) -> list[str]:
        """Send the ``video_detection`` message; the case numbers it started (or had started before)."""
        answer = self.post_json("/messages", {"name": "video_detection", "payload": {"detection": detection},
                                              "correlation": {}, "external_id": external_id})
        return list(answer.get("cases", []))

    def case(self, case_no: str) -> dict[str, Any] | None:
        """The case as the API shows it, or None when it does not exist."""
        try:
            found: dict[str, Any] = self.get_json(f"/cases/{case_no}")
        except ApiRefused as exc:
            if exc.status == 404:
                return None
            raise
        return found

    def upload(self, case_no: str, filename: str, content: bytes) -> dict[str, Any]:
        """Attach a file to a case (multipart); the stored attachment's description."""
        boundary = uuid.uuid4().hex
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n")
        body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
        stored: dict[str, Any] = self._request("POST", f"/cases/{case_no}/attachments", body,
                                               f"multipart/form-data; boundary={boundary}")
        return stored

    def record_detections(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Keep detection records for analysis (camera, time, class, score, box, zone, dwell)."""
        kept: dict[str, Any] = self.post_json("/vision/detections", {"detections": records})
        return kept
