"""The http connector: a service task that calls a URL on an allow-listed host (stdlib ``urllib``, no dependency).

Model (``spiffworkflow:property`` entries): ``connector`` = ``http``; ``httpUrl`` (``{name}`` placeholders filled
from the case data, each URL-encoded); ``httpMethod`` (GET, POST, PUT, PATCH, DELETE; default GET); ``httpBody`` (a
sandboxed Python expression over the task's data, sent as JSON); ``httpResult`` (the case variable receiving
``{"status", "body"}``; default ``http_response``); ``httpTimeout`` (seconds, default 10, at most 60).

The allow-list (``GRIDCASE_HTTP_CONNECTOR_HOSTS``) is the only way a model reaches the network: a host not on it, a
scheme other than http(s), or a redirect to a host not on it fails with no retries (an incident naming the host
and the setting). A 4xx answer throws BPMN error ``HTTP_<status>``; a 5xx answer, a connection error or a timeout
fails and is retried with the model's back-off.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from engine.connectors.base import Completed, ConnectorSettings, Evaluate, Failed, Outcome, Thrown, reserved_topic

NAME = "http"
SETTING = "GRIDCASE_HTTP_CONNECTOR_HOSTS"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_BODY = 64 * 1024  # bytes of an answer kept in the case
DEFAULT_RESULT = "http_response"
DEFAULT_TIMEOUT, MAX_TIMEOUT = 10.0, 60.0
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST_ENTRY = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?")


class HostRefused(Exception):
    """A URL (or a redirect's target) the allow-list does not cover."""


def parse_allow_list(text: str) -> frozenset[str]:
    """``GRIDCASE_HTTP_CONNECTOR_HOSTS``: comma-separated ``host`` (any port) or ``host:port``; ValueError naming
    the setting for an entry that is neither."""
    hosts = frozenset(entry.strip().lower() for entry in text.split(",") if entry.strip())
    for entry in sorted(hosts):
        match = _HOST_ENTRY.fullmatch(entry)
        if match is None or (match.group(1) is not None and not 0 < int(match.group(1)) < 65536):
            raise ValueError(f"{SETTING}: {entry!r} is not a host name or host:port")
    return hosts


def check(properties: Mapping[str, str]) -> None:
    """ValueError naming the property when the model's http call is not valid (deploy and lint)."""
    url = (properties.get("httpUrl") or "").strip()
    if not url:
        raise ValueError('the http connector needs the property "httpUrl"')
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"httpUrl {url!r} must start with http:// or https://")
    leftover = _PLACEHOLDER.sub("", url)
    if "{" in leftover or "}" in leftover:
        raise ValueError(f"httpUrl {url!r}: placeholders are {{name}} with a variable name")
    method = _method(properties)
    if method not in METHODS:
        raise ValueError(f"httpMethod {method!r} is not one of {', '.join(METHODS)}")
    if (properties.get("httpBody") or "").strip() and method == "GET":
        raise ValueError("httpBody with httpMethod GET: a GET request sends no body")
    result = _result(properties)
    if not _IDENTIFIER.fullmatch(result):
        raise ValueError(f"httpResult {result!r} must be a variable name")
    _timeout(properties)


def _method(properties: Mapping[str, str]) -> str:
    return (properties.get("httpMethod") or "GET").strip().upper()


def _result(properties: Mapping[str, str]) -> str:
    return (properties.get("httpResult") or DEFAULT_RESULT).strip()


def _timeout(properties: Mapping[str, str]) -> float:
    text = (properties.get("httpTimeout") or "").strip()
    try:
        seconds = float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"httpTimeout {text!r} must be a number of seconds") from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise ValueError(f"httpTimeout {text!r} must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return seconds


def render_url(template: str, data: Mapping[str, Any]) -> str:
    """The URL with each ``{name}`` replaced by the case variable ``name``, URL-encoded (so a value cannot change
    the host or add query parameters); ValueError naming a variable that is missing or not a plain value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in data:
            raise ValueError(f"httpUrl: the case data has no variable {name!r}")
        found = data[name]
        if isinstance(found, bool):
            found = "true" if found else "false"
        if not isinstance(found, str | int | float):
            raise ValueError(f"httpUrl: variable {name!r} is a {type(found).__name__}, not text or a number")
        return urllib.parse.quote(str(found), safe="")

    return _PLACEHOLDER.sub(value, template.strip())


def prepare(properties: Mapping[str, str], data: Mapping[str, Any], evaluate: Evaluate) -> dict[str, Any]:
    """The call the job carries: method, URL, body (the expression's value), result variable and timeout."""
    call: dict[str, Any] = {"connector": NAME, "method": _method(properties),
                            "url": render_url(properties.get("httpUrl") or "", data),
                            "result": _result(properties), "timeout": _timeout(properties)}
    expression = (properties.get("httpBody") or "").strip()
    if expression:
        try:  # strictly JSON (no NaN, no sets); what is stored is what is sent
            call["body"] = json.loads(json.dumps(evaluate(expression), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"httpBody: its value cannot be sent as JSON ({exc})") from None
    return call


def response_value(status: int, raw: bytes) -> dict[str, Any]:
    """What the result variable receives: ``{"status", "body"}``, the body parsed when it is JSON, else text of at
    most 64 KiB (``raw`` may hold one byte more: a longer answer is cut, and then never parsed)."""
    if len(raw) <= MAX_BODY:
        text = raw.decode("utf-8", "replace")
        try:
            return {"status": status, "body": json.loads(text, parse_constant=_no_constant)}
        except ValueError:
            return {"status": status, "body": text}
    return {"status": status, "body": raw[:MAX_BODY].decode("utf-8", "ignore")}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is no JSON value a case keeps")


def allowed(url: str, hosts: frozenset[str]) -> str:
    """The URL's host when the allow-list covers it (``host`` any port, ``host:port`` that one); HostRefused
    otherwise, naming the host and the setting."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise HostRefused(f"{url!r} is not an http(s) URL: the http connector calls only http(s) URLs on the "
                          f"hosts {SETTING} names")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise HostRefused(f"{url!r} has no valid port") from None
    shown = f"[{host}]" if ":" in host else host
    if shown in hosts or f"{shown}:{port}" in hosts:
        return shown
    listed = ", ".join(sorted(hosts)) or "empty: every call is refused"
    raise HostRefused(f"host {shown}:{port} is not allowed: add it to {SETTING} (now {listed})")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a host the allow-list covers (a redirect must not leave it)."""

    def __init__(self, hosts: frozenset[str]) -> None:
        super().__init__()
        self.hosts = hosts

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        allowed(urllib.parse.urljoin(req.full_url, newurl), self.hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def call(prepared: Mapping[str, Any], settings: ConnectorSettings) -> Outcome:
    """Make the prepared call; never raises (every problem is an outcome)."""
    method, url, result = str(prepared["method"]), str(prepared["url"]), str(prepared["result"])
    try:
        allowed(url, settings.http_hosts)
    except HostRefused as exc:
        return Failed(str(exc), retry=False)
    data = json.dumps(prepared["body"]).encode("utf-8") if "body" in prepared else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Accept": "application/json", "Content-Type": "application/json"})
    # No proxy from the environment: the allow-list names the hosts the connector itself connects to.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _CheckedRedirects(settings.http_hosts))
    try:
        with opener.open(request, timeout=float(prepared["timeout"])) as response:
            return Completed({result: response_value(response.status, response.read(MAX_BODY + 1))})
    except HostRefused as exc:
        return Failed(f"{method} {url} redirected: {exc}", retry=False)
    except urllib.error.HTTPError as exc:
        with exc:
            answer = {result: response_value(exc.code, exc.read(MAX_BODY + 1))}
        if 400 <= exc.code < 500:
            return Thrown(f"HTTP_{exc.code}", f"{method} {url} answered {exc.code}", answer)
        return Failed(f"{method} {url} answered {exc.code}")
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, DNS, TLS, timed out
        reason = getattr(exc, "reason", exc)
        return Failed(f"{method} {url} failed: {reason}")


class HttpConnector:
    """The registry's entry for ``connector`` = ``http``."""

    name = NAME
    topic = reserved_topic(NAME)
    lock_ms = int((MAX_TIMEOUT + 30) * 1000)  # the longest call plus reporting it
    expressions: tuple[str, ...] = ("httpBody",)

    def check(self, properties: Mapping[str, str]) -> None:
        """See ``check``."""
        check(properties)

    def prepare(self, properties: Mapping[str, str], data: Mapping[str, Any], evaluate: Evaluate) -> dict[str, Any]:
        """See ``prepare``."""
        return prepare(properties, data, evaluate)

    def call(self, call_: Mapping[str, Any], settings: ConnectorSettings) -> Outcome:
        """See ``call``."""
        return call(call_, settings)
