"""The keys of a ``hotline`` connector (the 12345 hotline and similar): where its secret is, how its work orders map
to a report (``inbound``) and what is pushed back where (``outbound``). Each problem is named by its path inside
the connector (``inbound.field_map.lon``); ``city.connectors.config`` prefixes ``connectors[i].``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from city.public.stage import STAGES
from engine.domain.input_limits import text_problem

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
PATH = re.compile(r"^[A-Za-z0-9_\-]{1,60}(\.[A-Za-z0-9_\-]{1,60}){0,5}$")
SUBTYPE = re.compile(r"^[0-9]{4}$")
REQUIRED_FIELDS = ("order_id", "content", "lon", "lat", "deadline", "category")
OPTIONAL_FIELDS = ("address", "caller_name", "caller_phone", "urgency")
BODY_VALUES = ("order_id", "case_no", "stage", "status", "stage_label", "changed_at", "department", "department_name",
               "result", "disposal_note", "close_type", "photos")
COORDINATES = ("wgs84", "gcj02")
URGENCIES = ("normal", "urgent")
MAX_ENTRIES = 500
INBOUND_KEYS = ("field_map", "category_map", "default_subtype", "urgency_map", "deadline_format", "coordinates")
OUTBOUND_KEYS = ("url", "stage_map", "body", "timeout_seconds", "max_attempts", "backoff_seconds")
HOTLINE_KEYS = ("secret_env", "channel", "inbound", "outbound")
# a key that looks like it holds a secret: the file is shown to shift leads, secrets live in environment variables
SECRET_LIKE = re.compile(r"secret|passw|token|api_?key|credential|private", re.IGNORECASE)
DEFAULTS = {"timeout_seconds": 10, "max_attempts": 10, "backoff_seconds": 30}
LIMITS = {"timeout_seconds": (1, 120), "max_attempts": (1, 100), "backoff_seconds": (1, 3600)}


def _text_map(value: Any, what: str, check_value: Any) -> dict[str, str]:
    """Problems of a map of short codes: ``{"": …}`` for the map, ``{key: …}`` for a value."""
    if not isinstance(value, dict) or len(value) > MAX_ENTRIES:
        return {"": f"must be an object of at most {MAX_ENTRIES} {what}"}
    problems = {}
    for key, item in value.items():
        if not key or len(key) > 60 or "\x00" in key:
            problems[key or "<empty>"] = "keys must be 1–60 characters"
        elif (message := check_value(item)) is not None:
            problems[key] = message
    return problems


def key_problems(value: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    """Each key of ``value`` not in ``allowed`` (a typo must not be ignored, a secret must not be kept), named by
    the key; neither its value nor a secret-like key's name in the message is echoed back beyond the key itself."""
    problems = {}
    for key in value:
        if key in allowed:
            continue
        name = key if isinstance(key, str) and key and len(key) <= 60 and text_problem(key) is None else "<key>"
        if SECRET_LIKE.search(name):
            problems[name] = "must not be in the file: a secret is never written here, secret_env names the " \
                             "environment variable holding it"
        else:
            problems[name] = "unknown key; allowed: " + ", ".join(allowed)
    return problems


def _prefixed(prefix: str, problems: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}.{k}" if k else prefix: v for k, v in problems.items()}


def _field_map_problems(field_map: Any) -> dict[str, str]:
    if not isinstance(field_map, dict):
        return {"": "must be an object: our field → a path in their JSON"}
    problems = {name: "is required (a path in their JSON)" for name in REQUIRED_FIELDS if name not in field_map}
    for name, path in field_map.items():
        if name not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            problems[name] = "unknown field; one of: " + ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        elif not isinstance(path, str) or not PATH.fullmatch(path):
            problems[name] = "must be a dotted path of their field names (a.b.c)"
    return problems


def _subtype(value: Any) -> str | None:
    return None if isinstance(value, str) and SUBTYPE.fullmatch(value) else "must be a 4-digit subtype code"


def _inbound_problems(inbound: Any) -> dict[str, str]:
    if not isinstance(inbound, dict):
        return {"": "must be an object"}
    problems = key_problems(inbound, INBOUND_KEYS)
    problems |= _prefixed("field_map", _field_map_problems(inbound.get("field_map")))
    problems |= _prefixed("category_map", _text_map(inbound.get("category_map", {}), "categories", _subtype))
    if "default_subtype" in inbound and _subtype(inbound["default_subtype"]):
        problems["default_subtype"] = "must be a 4-digit subtype code"
    problems |= _prefixed("urgency_map", _text_map(
        inbound.get("urgency_map", {}), "codes",
        lambda v: None if v in URGENCIES else "must be one of: " + ", ".join(URGENCIES)))
    fmt = inbound.get("deadline_format", "iso8601")
    if not isinstance(fmt, str) or not (fmt == "iso8601" or ("%" in fmt and len(fmt) <= 60)):
        problems["deadline_format"] = "must be \"iso8601\" or a strftime pattern (%Y-%m-%d %H:%M:%S)"
    if inbound.get("coordinates", "wgs84") not in COORDINATES:
        problems["coordinates"] = "must be one of: " + ", ".join(COORDINATES)
    return problems


def _number_problems(outbound: dict[str, Any]) -> dict[str, str]:
    problems = {}
    for key, (low, high) in LIMITS.items():
        value = outbound.get(key, DEFAULTS[key])
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems[key] = f"must be a whole number from {low} to {high}"
    return problems


def _url_problems(url: Any) -> dict[str, str]:
    try:
        parts = urlsplit(url) if isinstance(url, str) and len(url) <= 500 and text_problem(url) is None else None
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:  # a port out of range
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        return {"url": "must be an http or https URL"}
    if parts.username is not None or parts.password is not None:
        return {"url": "must not hold credentials (user:password@): the pushes are signed with secret_env's secret"}
    return {}


def _outbound_problems(outbound: Any) -> dict[str, str]:
    if not isinstance(outbound, dict):
        return {"": "must be an object"}
    problems = key_problems(outbound, OUTBOUND_KEYS)
    problems |= _url_problems(outbound.get("url"))
    stage_map = outbound.get("stage_map")
    if not isinstance(stage_map, dict) or not stage_map:
        problems["stage_map"] = "must map some of our stages to their status codes"
    else:
        problems |= _prefixed("stage_map", {
            k: "unknown stage; one of: " + ", ".join(STAGES) if k not in STAGES else "must be their status code"
            for k, v in stage_map.items()
            if k not in STAGES or not isinstance(v, str | int) or isinstance(v, bool) or len(str(v)) > 60})
    body = outbound.get("body")
    if not isinstance(body, dict) or not body:
        problems["body"] = "must map their field names to our values"
    else:
        problems |= _prefixed("body", _text_map(
            body, "fields", lambda v: None if v in BODY_VALUES else "must be one of: " + ", ".join(BODY_VALUES)))
    return problems | _number_problems(outbound)


def hotline_problems(item: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a hotline connector's own keys, by path (``{}``: nothing); which keys it may have at all
    is ``city.connectors.config``'s check (``HOTLINE_KEYS`` beside the common ones)."""
    problems = {}
    secret_env = item.get("secret_env")
    if not isinstance(secret_env, str) or not ENV_NAME.fullmatch(secret_env):
        problems["secret_env"] = "must name an environment variable (A-Z, 0-9, _), never the secret itself"
    channel = item.get("channel", "hotline")
    if not isinstance(channel, str) or not re.fullmatch(r"[a-z0-9_]{1,30}", channel):
        problems["channel"] = "must be a channel code (1–30 characters a-z, 0-9, _)"
    problems |= _prefixed("inbound", _inbound_problems(item.get("inbound")))
    return problems | _prefixed("outbound", _outbound_problems(item.get("outbound")))
