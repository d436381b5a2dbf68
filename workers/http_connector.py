"""A built-in connector for the worker client: jobs of an ``http`` topic call a URL on an allow-listed host.

    worker = ExternalTaskWorker(base_url, token, "http-1").subscribe("http", http_handler({"api.example.org"}))

The job's variables name the call: ``http_url`` (required), ``http_method`` (GET, POST, PUT, PATCH or DELETE;
default GET) and ``http_body`` (JSON, sent with POST/PUT/PATCH). The handler returns ``{"http_response": {"status",
"body"}}`` (the body parsed as JSON when it is, else text of at most 64 KiB). A host not on the allow-list, or a
scheme other than http/https, is a failure (retried, then an incident: the model or the allow-list needs a fix); a
4xx answer throws BPMN error ``HTTP_<status>`` (model it with an error boundary event); a 5xx answer or a connection
error is a failure, retried with the worker's back-off. Not wired to a server process yet: run it in a worker.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from workers.client import BpmnError, Job

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_BODY = 64 * 1024


class HostNotAllowed(Exception):
    """The job asked for a URL the connector may not call."""


def http_handler(allowed_hosts: Iterable[str], timeout: float = 10.0) -> Callable[[Job], dict[str, Any]]:
    """A handler calling the job's ``http_url`` when its host is in ``allowed_hosts`` (``host`` or ``host:port``)."""
    allowed = frozenset(h.lower() for h in allowed_hosts)

    def handle(job: Job) -> dict[str, Any]:
        url, method = str(job.variables.get("http_url") or ""), str(job.variables.get("http_method") or "GET")
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host or (
                host not in allowed and f"{host}:{parts.port}" not in allowed):
            raise HostNotAllowed(f"{url!r}: only http(s) URLs on {sorted(allowed)} may be called")
        if method.upper() not in METHODS:
            raise ValueError(f"http_method {method!r} is not one of {', '.join(METHODS)}")
        body = job.variables.get("http_body")
        data = json.dumps(body).encode("utf-8") if body is not None and method.upper() in ("POST", "PUT", "PATCH") \
            else None
        request = urllib.request.Request(url, data=data, method=method.upper(),
                                         headers={"Accept": "application/json", "Content-Type": "application/json"})
        try:
            with _NO_REDIRECTS.open(request, timeout=timeout) as response:
                return {"http_response": {"status": response.status, "body": _decoded(response.read(MAX_BODY))}}
        except urllib.error.HTTPError as exc:
            with exc:
                answer = {"http_response": {"status": exc.code, "body": _decoded(exc.read(MAX_BODY))}}
            if 400 <= exc.code < 500:
                raise BpmnError(f"HTTP_{exc.code}", f"{method.upper()} {url} answered {exc.code}", answer) from None
            raise RuntimeError(f"{method.upper()} {url} answered {exc.code}") from None  # 5xx, or a redirect

    return handle


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allow-list: it is the answer, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def _decoded(raw: bytes) -> Any:
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
