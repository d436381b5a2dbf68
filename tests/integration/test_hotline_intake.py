"""Work orders refused at the door (both databases): a bad, missing or stale signature, an unknown or inactive
connector, an oversize body, hostile JSON (NUL, deep nesting, huge numbers), fields the mapping cannot read — each a
4xx naming the problem, with nothing written; and the configuration loader's refusals, versions and deactivation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import Api, error_of, rows
from hotline_support import SECRET, SECRET_ENV, hotline, load, order, post_order
from notify_support import free_port

from engine.domain.clock import FakeClock


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch, api: Api) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    api.deps.clock = FakeClock(api.deps.clock.now())


def _written(api: Api) -> tuple[int, int]:
    return (len(rows(api, "SELECT id FROM connector_cases")),
            len(rows(api, "SELECT id FROM cases WHERE channel = 'hotline' AND external_id LIKE 'door:%'")))


@pytest.fixture
def door(api: Api) -> Api:
    assert load(api, hotline("door", free_port())).status_code == 200
    return api


def _refused(api: Api, status: int, field: str, **kwargs: Any) -> dict[str, Any]:
    before = _written(api)
    error = error_of(post_order(api, "door", kwargs.pop("body", order("GD-X")), **kwargs), status)
    assert field in error.get("fields", {}), error
    assert _written(api) == before
    return error


def test_signature_problems_are_401(door: Api) -> None:
    now = int(door.deps.clock.now().timestamp())
    assert "does not match" in _refused(door, 401, "signature", secret="wrong")["message"]
    assert "Unix seconds" in _refused(door, 401, "signature", stamp=-1)["message"]
    assert "300 seconds" in _refused(door, 401, "signature", stamp=now - 301)["message"]
    assert "sha256=" in _refused(door, 401, "signature", signature="md5=abc")["message"]
    raw = door.client.post("/connectors/door/orders", data=b"{}", content_type="application/json")
    assert raw.status_code == 401


def test_unknown_and_inactive_connectors_are_404(door: Api) -> None:
    assert post_order(door, "nosuch", order("GD-1")).status_code == 404
    assert post_order(door, "BAD CODE", order("GD-1")).status_code == 404
    assert load(door, hotline("other", free_port())).status_code == 200  # door missing from the file: inactive
    assert post_order(door, "door", order("GD-1")).status_code == 404


def test_an_oversize_body_is_413(door: Api) -> None:
    _refused(door, 413, "body", body=order("GD-BIG", sqnr="x" * 300_000))


@pytest.mark.parametrize(("body", "field"), [
    (b'{"gdbh": "GD-\\u0000", "sqnr": "x"}', "gdbh"),
    (b"[" * 5000 + b"]" * 5000, "body"),
    (b'{"gdbh": ' + b"9" * 5000 + b"}", "body"),
    (b'{"gdbh": 1e999}', "body"),
    (b"\xff\xfe not json", "body"),
    (b'["a list"]', "body"),
])
def test_hostile_json_is_422(door: Api, body: bytes, field: str) -> None:
    _refused(door, 422, field, body=body)


def test_fields_are_named_by_their_path_and_ours(door: Api) -> None:
    bad = order("GD-2", location={"lng": "east", "lat": 95}, blsx="tomorrow", sqlb="NOPE")
    del bad["sqnr"]
    fields = _refused(door, 422, "sqnr", body=bad)["fields"]
    assert fields["sqnr"].startswith("content:") and fields["location.lng"].startswith("lon:")
    assert fields["location.lat"].startswith("lat:") and fields["blsx"].startswith("deadline:")
    assert "NOPE" in fields["sqlb"]


@pytest.mark.parametrize("deadline", ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "1999-12-31 23:59:59"])
def test_a_deadline_out_of_range_is_422(door: Api, deadline: str) -> None:
    fields = _refused(door, 422, "blsx", body=order("GD-Y" + deadline[:4], blsx=deadline))["fields"]
    assert fields["blsx"].startswith("deadline:") and "2000" in fields["blsx"]


def _file(*connectors: dict[str, Any]) -> dict[str, Any]:
    return {"connectors": list(connectors)}


def test_the_loader_names_every_problem_and_writes_nothing(api: Api) -> None:
    good = hotline("cfg-a", free_port())
    bad = hotline("cfg-b", free_port())
    bad["secret_env"] = "the secret itself"
    bad["inbound"]["field_map"].pop("lat")
    bad["inbound"]["category_map"]["X"] = "12"
    bad["outbound"] = {**bad["outbound"], "url": "ftp://x", "max_attempts": 0, "stage_map": {"done": "1"},
                       "body": {"a": "secret"}}
    before = rows(api, "SELECT code, version FROM connector_configs ORDER BY code")
    error = error_of(api.post("/connectors", "admin", _file(good, bad, {"code": "cfg-a", "kind": "x"})), 422)
    assert set(error["fields"]) >= {
        "connectors[1].secret_env", "connectors[1].inbound.field_map.lat", "connectors[1].inbound.category_map.X",
        "connectors[1].outbound.url", "connectors[1].outbound.max_attempts", "connectors[1].outbound.stage_map.done",
        "connectors[1].outbound.body.a", "connectors[2].code", "connectors[2].kind", "connectors[2].name"}
    assert not any(k.startswith("connectors[0]") for k in error["fields"])
    assert rows(api, "SELECT code, version FROM connector_configs ORDER BY code") == before
    assert error_of(api.post("/connectors", "shiftlead01", _file(good)), 403)


def test_the_loader_refuses_unknown_keys_and_never_keeps_a_secret(api: Api) -> None:
    item = hotline("leaky", free_port(), timout_seconds=1)  # a typo: silently the default 10 s before
    item["secret"] = "THE-REAL-HMAC-SECRET"
    item["inbound"]["field_mapp"] = {"x": "y"}
    error = error_of(api.post("/connectors", "admin", _file(item)), 422)
    assert set(error["fields"]) == {"connectors[0].secret", "connectors[0].inbound.field_mapp",
                                    "connectors[0].outbound.timout_seconds"}
    assert "THE-REAL-HMAC-SECRET" not in json.dumps(error)
    assert rows(api, "SELECT code FROM connector_configs WHERE code = 'leaky'") == []


def test_versions_and_deactivation(api: Api) -> None:
    first, second = hotline("ver-a", 1), hotline("ver-b", 2)
    assert load(api, first, second).json["inserted"] == ["ver-a", "ver-b"]
    assert load(api, first, second).json["unchanged"] == ["ver-a", "ver-b"]
    changed = {**first, "name": "改名的热线"}
    answer = load(api, changed).json
    assert answer["updated"] == ["ver-a"] and answer["deactivated"] == ["ver-b"]
    shown = {c["code"]: c for c in api.get("/connectors", "shiftlead01").json["connectors"]}
    assert (shown["ver-a"]["version"], shown["ver-a"]["active"]) == (2, True)
    assert (shown["ver-b"]["version"], shown["ver-b"]["active"]) == (2, False)
    assert json.dumps(shown["ver-a"]["config"]["secret_env"]) == json.dumps(SECRET_ENV)
    assert load(api, changed, second).json["updated"] == ["ver-b"]  # back: active again, version 3
    assert api.get("/connectors/ver-b", "admin").json["version"] == 3
