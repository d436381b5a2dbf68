"""Property: no hostile value sent to any operation of the OpenAPI document gets a 5xx, on SQLite and PostgreSQL.

Each operation of ``/api/v1/openapi.json`` gets a plausible request built from its parameters and request schema
(with real case numbers, task ids and file names in its path where it has them, so that requests reach past the
404s), and then hypothesis spoils it: a path segment, query parameter or body field (at any depth) replaced by a
hostile value — huge and negative numbers, integers past 64 bits, NaN and Infinity, NUL, lone surrogates, absurdly
deep nesting, moments outside any calendar, full-width, Arabic-Indic and superscript digits, very long strings —
an unknown field added, or the whole body replaced. Every answer must be below 500.

Reproducible and modest: ``derandomize`` (the examples are the same on every run), a fixed number of examples per
operation, no deadline. The server errors are collected, not raised, so that one run reports all of them.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from api_support import Api, png_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 16  # drawn per operation and database; with the sweep some 1,400 requests each, a minute or two
DEPT = "dept_350602s07_01"
TARGET_USER = "hostile_target"  # the account the user routes act on (changing admin's password would sign us out)
TEXTS = ["\x00", "nul\x00inside", "\ud800", "tail\udfff", "٠٦٠١", "０６０１", "𝟎𝟔𝟎𝟏", "²", "2026120600000²",
         "99999999999999999999999999999", "-1", "0", "1e30", "-1e308", "NaN", "Infinity", "-Infinity", "", "   ",
         "x" * 100_000, "长" * 20_000, "\u202eevil", "\r\nX-Injected: 1", "../../etc/passwd", "' OR '1'='1 --",
         "<script>alert(1)</script>", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0000-00-00",
         "2026-02-30", "1899-12-31", "+275760-09-13T00:00:00Z", "P999999999999D", 'duration("P999999999999D")',
         "\ufeff0601", "0601\n", "%00", "{{7*7}}", "🙂" * 500, "true", "null", "[]", "{}"]
NUMBERS: list[Any] = [10**20, -(10**20), 2**63, -(2**63) - 1, 2**64, 10**400, 1e308, -1e308, 1e30, -1e30,
                      math.nan, math.inf, -math.inf, -1, 0, 2**31, -(2**31) - 1, 1e-320, 0.5]
OTHERS: list[Any] = [None, True, False, [], {}, [None], {"": None}, ["\x00"], {"\x00": 1}, {"\ud800": "\ud800"}]
# Swept through every path and query parameter besides the drawn examples: the sharpest of each kind.
SWEPT = ["99999999999999999999999999999", "2026120600000²", "٢٠٢٦١٢٠٦٠٠٠٠٠١", "\x00", "\ud800", "9" * 5000,
         "0001-01-01T00:00:00+14:00", "NaN", "-1", "x" * 100_000]
DEPTHS = [33, 900, 5_000, 100_000]
RAW_BODIES = [b"", b"null", b"[]", b"\"text\"", b"NaN", b"{\"a\": 1e999}", b"\xff\xfe\x00", b"{" * 50_000,
              b"{\"a\": " + b"1" * 5000 + b"}", ("{\"a\": \"" + "\\ud800" + "\"}").encode()]


@dataclass(frozen=True)
class Deep:
    """A value nested ``depth`` levels: written out by ``_dump`` (json.dumps itself would run out of stack)."""

    depth: int
    mapping: bool

    def text(self) -> str:
        return ('{"a":' * self.depth + "1" + "}" * self.depth) if self.mapping else "[" * self.depth + "]" * self.depth


def _dump(value: Any) -> str:
    """JSON text, ASCII-escaped (so lone surrogates go out as \\udXXX), NaN and Infinity as Python writes them."""
    if isinstance(value, Deep):
        return value.text()
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


# The listed values are drawn far more often than the arbitrary ones: they are the ones that used to break things.
HOSTILE_VALUES = st.one_of(st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.sampled_from(NUMBERS),
                           st.sampled_from(NUMBERS), st.sampled_from(OTHERS),
                           st.builds(Deep, st.sampled_from(DEPTHS), st.booleans()),
                           st.text(max_size=30), st.integers(), st.floats())
HOSTILE_TEXT = st.one_of(st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.sampled_from([str(n) for n in NUMBERS]),
                         st.text(max_size=30))


# ---- plausible requests from the document ----

def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _plausible(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A value of the schema's type, as a careful client would send it."""
    schema = _resolve(document, schema)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {name: _plausible(document, sub, depth + 1) for name, sub in schema.get("properties", {}).items()
                if not sub.get("readOnly")} if depth < 4 else {}
    if kind == "array":
        return [_plausible(document, schema.get("items", {}), depth + 1)]
    if kind in ("number", "integer"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-12-01T08:00:00+08:00"
    if schema.get("format") == "date":
        return "2026-12-01"
    return {"^[0-9]{4}$": "0601", "^[0-9a-f]{64}$": "ab" * 32}.get(schema.get("pattern", ""), "x")


def _examples(ids: dict[str, str], dmn: str) -> dict[tuple[str, str], Any]:
    """Bodies that reach deep into the operations where the generic plausible body would stop early."""
    report = {"subtype_code": "0601", "description": "暴露垃圾", "lat": 24.51, "lon": 117.65, "channel": "hotline",
              "urgency": "normal", "evidence": [ids["digest"]], "duplicate_of": ids["case_no"]}
    detection = {"camera_id": "cam-1", "subtype": "0601", "lon": 117.65, "lat": 24.51, "image": "f.jpg",
                 "confidence": 0.9, "rule": "r", "zone": "z", "description": "视频"}
    return {
        ("POST", "/cases"): report,
        ("POST", "/messages"): {"name": "video_detection", "payload": {"detection": detection}, "correlation": {}},
        ("POST", "/tasks/{task_id}/complete"): {"data": {}},  # each task's own data: see _real_ids
        ("POST", "/rules/evaluate"): {"dmn": dmn, "decision": "priority", "inputs": {
            "report": {"channel": "hotline", "subtype": "0601", "urgency": "normal"}}},
        ("POST", "/processes/timer-preview"): {"kind": "timeDuration", "expression": "PT1H",
                                               "data": {"limit": 2}, "at": "2026-12-01T08:00:00+08:00"},
        ("POST", "/auth/token"): {"username": "nobody-here", "password": "not-the-password"},
        ("POST", "/users"): {"username": "hostile_new", "role": "collector", "password": "long-enough-1",
                             "department": "350602-D02", "district": "350602"},
        ("POST", "/processes/validate"): {"files": {"hostile.bpmn": "<definitions/>"}},
        ("POST", "/processes/deploy"): {"files": {"hostile.bpmn": "<definitions/>"}},
        ("POST", "/processes/{process_id}/migrate"): {"to": 1, "dry_run": True},
    }


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[tuple[str, str, dict[str, Any]], ...]  # (in, name, schema)
    body: Any  # a plausible JSON body, or None
    multipart: bool

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _operations(document: dict[str, Any], examples: dict[tuple[str, str], Any]) -> list[Operation]:
    found = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            parameters = tuple((p["in"], p["name"], p.get("schema", {})) for p in spec.get("parameters", []))
            content = spec.get("requestBody", {}).get("content", {})
            body = examples.get((method.upper(), path))
            if body is None and "application/json" in content:
                body = _plausible(document, content["application/json"]["schema"])
            found.append(Operation(method.upper(), path, parameters, body, "multipart/form-data" in content))
    return found


# ---- spoiling a plausible request ----

def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a body a value sits at (the body itself too)."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _slots(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _slots(item, (*path, index))
    return out


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)  # type: ignore[index]
    return copy


@st.composite
def _body(draw: st.DrawFn, plausible: Any) -> bytes:
    """The plausible body with one to three places spoiled, a hostile field added, or a hostile body instead."""
    how = draw(st.sampled_from(["spoil", "spoil", "spoil", "add", "raw"]))
    if how == "raw" or not isinstance(plausible, dict):
        return draw(st.sampled_from(RAW_BODIES)) if how == "raw" else _dump(draw(HOSTILE_VALUES)).encode()
    body = plausible
    if how == "add":
        slots = [s for s in _slots(body) if isinstance(_get(body, s), dict)]
        where = draw(st.sampled_from(slots))
        body = _replaced(body, where, {**_get(body, where), draw(HOSTILE_TEXT): draw(HOSTILE_VALUES)})
    else:
        for _ in range(draw(st.integers(1, 3))):
            slots = _slots(body)[1:] or [()]
            body = _replaced(body, draw(st.sampled_from(slots)), draw(HOSTILE_VALUES))
    return _dump(body).encode()


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _segment(text: str) -> str:
    """A path segment or query value, percent-encoded as bytes (a lone surrogate goes out as invalid UTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# ---- the run ----

def _real_ids(api: Api) -> dict[str, Any]:
    """A case with an attachment waiting for filing, one at disposal, one whose extension waits for review."""
    filing = api.new_case()
    api.step(filing, "verify_report", "collector001", {"verification": {"found": True}})
    upload = api.client.post(f"/api/v1/cases/{filing}/attachments", headers=api.headers("seat01"),
                             data={"file": (io.BytesIO(png_bytes()), "p.png")})
    assert upload.status_code == 201, upload.json
    disposal = api.to_disposal(api.new_case())
    extension = api.new_case()
    api.to_disposal(extension)
    api.step(extension, "dispose_problem", DEPT, {"disposal": {"outcome": "extension", "reason": "雨天",
                                                               "extension_amount": 2}})
    review = api.task(extension, "review_extension", "shiftlead01")
    created = api.post("/users", "admin", {"username": TARGET_USER, "role": "collector", "password": "long-enough-1",
                                           "department": "350602-D02", "district": "350602"})
    assert created.status_code in (200, 201, 409, 422), created.json  # 409/422: made by the other database's run
    where = api.get("/city/locate?lon=117.65&lat=24.51", "admin").json
    return {"case_no": filing, "digest": upload.json["sha256"], "process_id": "case_lifecycle", "number": "1",
            "name": "case_lifecycle.bpmn", "file_name": "case_lifecycle.bpmn", "username": TARGET_USER,
            "token_id": "1", "code": "350602-D02", "unit_grid": where["unit_grid"],
            "tasks": [(api.task(filing, "file_or_void", "shiftlead01")["id"], "shiftlead01",
                       {"filing": {"decision": "file"}}),
                      (disposal["id"], DEPT, {"disposal": {"outcome": "extension", "reason": "雨天",
                                                           "extension_amount": 2}}),
                      (review["id"], "shiftlead01", {"extension_review": {"approved": True, "amount": 2}})]}


def _user_and_path(draw: st.DrawFn, operation: Operation, ids: dict[str, Any]) -> tuple[str, str, Any]:
    """Who sends it (admins do all but work tasks), the path with each parameter real or hostile, and the
    plausible body (a task's own form data for a task's completion)."""
    user, path, body = "admin", operation.path, operation.body
    for place, name, _schema in operation.parameters:
        if place != "path":
            continue
        if name == "task_id":
            task_id, user, data = draw(st.sampled_from(ids["tasks"]))
            body = {"data": data} if body is not None else None
            value = task_id if draw(st.integers(0, 2)) == 0 else draw(HOSTILE_TEXT)
        else:
            value = ids.get(name, "x") if draw(st.integers(0, 2)) == 0 else draw(HOSTILE_TEXT)
        path = path.replace("{" + name + "}", _segment(value) or "%20")
    return user, path, body


def _query(draw: st.DrawFn, operation: Operation, document: dict[str, Any]) -> str:
    pairs = []
    for place, name, schema in operation.parameters:
        if place == "query" and draw(st.booleans()):
            value = draw(HOSTILE_TEXT) if draw(st.booleans()) else str(_plausible(document, schema)).lower()
            pairs.append(f"{_segment(name)}={_segment(value)}")
    if draw(st.integers(0, 4)) == 0:
        pairs.append(f"{_segment(draw(HOSTILE_TEXT))}={_segment(draw(HOSTILE_TEXT))}")
    return "?" + "&".join(pairs) if pairs else ""


def _attack(api: Api, document: dict[str, Any], operation: Operation, ids: dict[str, Any],
            seen: Counter[tuple[str, int]], failures: list[str]) -> None:
    @given(data=st.data())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(data: st.DataObject) -> None:
        user, path, plausible = _user_and_path(data.draw, operation, ids)
        url = f"/api/v1{path}{_query(data.draw, operation, document)}"
        headers = {} if operation.path == "/auth/token" else api.headers(user)
        options: dict[str, Any] = {"method": operation.method, "headers": headers}
        if operation.multipart:
            name = data.draw(HOSTILE_TEXT) if data.draw(st.booleans()) else "p.png"
            content = png_bytes() if data.draw(st.booleans()) else data.draw(st.binary(max_size=64))
            options["data"] = {"file": (io.BytesIO(content), name.encode("utf-8", "surrogatepass").decode(
                "utf-8", "replace")), "note": data.draw(HOSTILE_TEXT).encode("utf-8", "surrogatepass").decode(
                "utf-8", "replace"), "addendum": data.draw(st.sampled_from(["true", "false", "maybe"]))}
        elif plausible is not None:
            options["data"] = data.draw(_body(plausible))
            options["content_type"] = "application/json"
        response = api.client.open(url, **options)
        body = response.get_data()
        response.close()
        seen[operation.label, response.status_code] += 1
        if response.status_code >= 500:
            sent = options.get("data", b"")
            failures.append(f"{operation.label} → {response.status_code}: {url[:300]} as {user}, body "
                            f"{sent[:300]!r}: {body[:300]!r}")

    run()


def _sweep(api: Api, operation: Operation, ids: dict[str, Any], seen: Counter[tuple[str, int]],
           failures: list[str]) -> None:
    """Each ``SWEPT`` value once in each path and query parameter, the rest of the request plausible."""
    real = {name: ids.get(name, "x") for place, name, _ in operation.parameters if place == "path"}
    user = "admin"
    if "task_id" in real:
        real["task_id"], user, _data = ids["tasks"][0]
    headers = {} if operation.path == "/auth/token" else api.headers(user)
    body = {"data": _dump(operation.body).encode(), "content_type": "application/json"} \
        if operation.body is not None and not operation.multipart else {}
    for place, name, _schema in operation.parameters:
        for value in SWEPT:
            values = {**real, name: value} if place == "path" else real
            path = operation.path
            for key, text in values.items():
                path = path.replace("{" + key + "}", _segment(text))
            url = f"/api/v1{path}" + (f"?{_segment(name)}={_segment(value)}" if place == "query" else "")
            response = api.client.open(url, method=operation.method, headers=headers, **body)
            response.get_data()
            response.close()
            seen[operation.label, response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{operation.label} → {response.status_code}: {place} {name}={value[:40]!r}")


def test_no_hostile_value_to_any_operation_gets_a_server_error(api: Api) -> None:
    ids = _real_ids(api)
    document = api.client.get("/api/v1/openapi.json").json
    dmn = (ROOT / "rules" / "priority.dmn").read_text("utf-8")
    operations = _operations(document, _examples(ids, dmn))
    assert len(operations) >= 45 and {"POST /cases", "POST /rules/evaluate", "GET /cases/{case_no}"} <= {
        op.label for op in operations}
    seen: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    for operation in operations:
        _sweep(api, operation, ids, seen, failures)
        _attack(api, document, operation, ids, seen, failures)
    tried = sum(seen.values())
    print(f"\n{api.deps.db.dialect.name}: {tried} hostile requests to {len(operations)} operations, "
          f"{sum(n for (_, status), n in seen.items() if status >= 500)} answered 5xx; statuses "
          f"{sorted(Counter(status for (_, status) in seen.elements()).items())}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n\n".join(failures[:15])
    assert tried >= EXAMPLES * len(operations) // 2  # hypothesis ran (it may drop duplicate examples)
    reached = {label for (label, status) in seen if status not in (401, 403)}
    assert reached == {op.label for op in operations}, {op.label for op in operations} - reached

