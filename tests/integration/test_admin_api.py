"""The admin API (/api/v1/admin/…) over the demo city: departments, subtypes, moving a subtype's routing (a new
rules version the next case routes by), users disabled and re-enabled, roles, password resets, the change
history, and every refusal naming its field — on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from api_support import PASSWORD, Api, error_of
from werkzeug.test import TestResponse


def _send(api: Api, method: str, path: str, user: str, body: Any = None) -> TestResponse:
    return api.client.open(f"/api/v1{path}", method=method, json=body, headers=api.headers(user))


def _history(api: Api, kind: str, key: str) -> list[dict[str, Any]]:
    response = api.get(f"/admin/changes?kind={kind}&key={key}", "admin")
    assert response.status_code == 200
    changes: list[dict[str, Any]] = response.json["changes"]
    return changes


def test_a_department_is_added_edited_and_its_versions_kept(api: Api) -> None:
    body = {"code": "350602-S90", "name_zh": "测试街道", "name_en": "Test street", "level": "street",
            "district": "350602", "comment": "new street office"}
    assert api.post("/admin/departments", "admin", body).status_code == 201
    listed = {d["code"]: d for d in api.get("/admin/departments", "admin").json["departments"]}
    assert listed["350602-S90"]["level"] == "street" and not listed["350602-S90"]["disabled"]
    again = api.post("/admin/departments", "admin", body)
    assert "code" in error_of(again, 422)["fields"]
    nowhere = api.post("/admin/departments", "admin", {**body, "code": "X-1", "district": "999999"})
    assert "district" in error_of(nowhere, 422)["fields"]
    no_district = api.post("/admin/departments", "admin", {**body, "code": "X-2", "district": None})
    assert "district" in error_of(no_district, 422)["fields"]
    edited = _send(api, "PATCH", "/admin/departments/350602-S90", "admin", {"name_en": "Test street office"})
    assert edited.status_code == 200 and edited.json["name_en"] == "Test street office"
    versions = _history(api, "department", "350602-S90")
    assert [v["action"] for v in versions] == ["edit", "add"]
    assert versions[0]["before"]["name_en"] == "Test street" and versions[0]["after"]["name_en"] == "Test street office"
    assert versions[0]["at"].endswith("+00:00") and versions[0]["actor"] == "admin"
    assert versions[1]["comment"] == "new street office"
    assert _send(api, "PATCH", "/admin/departments/NOPE", "admin", {"name_en": "x"}).status_code == 404


def test_only_admins_reach_the_admin_api(api: Api) -> None:
    assert api.get("/admin/departments", "seat01").status_code == 403
    assert api.post("/admin/users/seat02/disable", "dispatcher01", {}).status_code == 403
    assert api.client.get("/api/v1/admin/subtypes").status_code == 401


def test_disabling_a_department_is_refused_while_rules_or_open_tasks_name_it(api: Api) -> None:
    named = api.post("/admin/departments/C19/disable", "admin", {})
    assert "routing rule" in error_of(named, 422)["fields"]["code"]
    case_no = api.new_case()
    dispatch = api.to_dispatch(case_no)
    department = api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json["data"]["disposal_unit"]
    api.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})  # a disposal task in its queue
    busy = api.post(f"/admin/departments/{department}/disable", "admin", {})
    assert "open task" in error_of(busy, 422)["fields"]["code"]
    body = {"code": "C90", "name_zh": "闲置单位", "name_en": "Idle unit", "level": "city"}
    assert api.post("/admin/departments", "admin", body).status_code == 201
    done = api.post("/admin/departments/C90/disable", "admin", {"comment": "merged"})
    assert done.status_code == 200 and done.json["disabled"] is True
    listed = {d["code"]: d for d in api.get("/admin/departments", "admin").json["departments"]}
    assert listed["C90"]["disabled"]
    assert api.post("/admin/departments/C90/enable", "admin").status_code == 200
    assert [v["action"] for v in _history(api, "department", "C90")] == ["enable", "disable", "add"]


def test_moving_a_subtypes_routing_deploys_a_new_version_the_next_case_routes_by(api: Api) -> None:
    body = {"code": "C91", "name_zh": "新处置单位", "name_en": "New disposal unit", "level": "city"}
    assert api.post("/admin/departments", "admin", body).status_code == 201
    before = api.get("/admin/routing", "admin").json
    assert "350602-D02" in before["routes"]["0601"]
    moved = _send(api, "PUT", "/admin/routing/0601", "admin", {"department": "C91", "comment": "pilot"})
    assert moved.status_code == 200, moved.json
    assert moved.json["version"] == before["version"] + 1
    assert len(moved.json["rules"]) >= 6  # a rule per district and urgency at least
    after = api.get("/admin/routing", "admin").json
    assert after["routes"]["0601"] == ["C91"] and after["routes"]["0101"] == before["routes"]["0101"]
    versions = api.get(f"/processes/{after['process_id']}/versions", "designer01").json["versions"]
    assert versions[-1]["deployed_by"] == "admin" and versions[-1]["comment"] == "pilot"
    case_no = api.new_case()
    dispatch = api.to_dispatch(case_no)
    assert api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json["data"]["disposal_unit"] == "C91"
    assert _history(api, "routing", "0601")[0]["after"]["department"] == "C91"
    named = api.post("/admin/departments/C91/disable", "admin", {})
    assert "routing rule" in error_of(named, 422)["fields"]["code"]
    unknown = _send(api, "PUT", "/admin/routing/0601", "admin", {"department": "NOPE"})
    assert "department" in error_of(unknown, 422)["fields"]
    missing = _send(api, "PUT", "/admin/routing/9999", "admin", {"department": "C91"})
    assert "subtype_code" in error_of(missing, 404)["fields"]


def test_a_subtype_is_edited_and_a_disabled_one_cannot_be_reported(api: Api) -> None:
    edited = _send(api, "PATCH", "/admin/subtypes/0602", "admin",
                   {"name_en": "Litter bins overflowing", "limit_amount": 2, "limit_unit": "working_days"})
    assert edited.status_code == 200 and edited.json["limit_amount"] == 2.0
    bad = _send(api, "PATCH", "/admin/subtypes/0602", "admin", {"limit_unit": "fortnights"})
    assert "limit_unit" in error_of(bad, 422)["fields"]
    assert api.post("/admin/subtypes/0602/disable", "admin", {}).status_code == 200
    refused = api.report(subtype_code="0602")
    assert "subtype_code" in error_of(refused, 422)["fields"]
    assert api.post("/admin/subtypes/0602/enable", "admin", {}).status_code == 200
    assert api.report(subtype_code="0602").status_code == 201
    new = {"code": "0699", "kind": "event", "aspect_code": "A03", "major_code": "06", "major_name_zh": "市容环境",
           "name_zh": "测试小类", "name_en": "Test subtype", "limit_amount": 1, "limit_unit": "working_days"}
    assert api.post("/admin/subtypes", "admin", new).status_code == 201
    assert "code" in error_of(api.post("/admin/subtypes", "admin", new), 422)["fields"]
    assert "aspect_code" in error_of(api.post("/admin/subtypes", "admin", {**new, "code": "0698",
                                                                          "aspect_code": "A99"}), 422)["fields"]
    assert [v["action"] for v in _history(api, "subtype", "0602")] == ["enable", "disable", "edit"]


def test_a_disabled_user_cannot_sign_in_and_their_tokens_end(api: Api) -> None:
    headers = api.headers("seat03")
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200
    done = api.post("/admin/users/seat03/disable", "admin", {"comment": "left"})
    assert done.status_code == 200 and done.json["revoked_tokens"] >= 1
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 401
    token = api.client.post("/api/v1/auth/token", json={"username": "seat03", "password": PASSWORD})
    assert token.status_code == 401
    found = api.get("/admin/users?q=seat03", "admin").json["users"]
    assert [u["disabled"] for u in found] == [True]
    assert api.post("/admin/users/seat03/enable", "admin", {}).status_code == 200
    api.forget_tokens("seat03")
    assert api.client.get("/api/v1/tasks", headers=api.headers("seat03")).status_code == 200
    self_off = api.post("/admin/users/admin/disable", "admin", {})
    assert "username" in error_of(self_off, 422)["fields"]


def test_a_role_change_and_a_password_reset(api: Api) -> None:
    moved = _send(api, "PUT", "/admin/users/seat04/role", "admin", {"role": "dispatcher"})
    assert moved.status_code == 200 and moved.json["role"] == "dispatcher"
    needs = _send(api, "PUT", "/admin/users/seat04/role", "admin", {"role": "department_member",
                                                                   "department": ""})
    assert "department" in error_of(needs, 422)["fields"]
    member = _send(api, "PUT", "/admin/users/seat04/role", "admin",
                   {"role": "department_member", "department": "350602-D02"})
    assert member.status_code == 200 and member.json["department_code"] == "350602-D02"
    reset = api.post("/admin/users/seat05/password-reset", "admin", {})
    one_time = reset.json["one_time_password"]
    assert reset.status_code == 200 and len(one_time) == 12
    old = api.client.post("/api/v1/auth/token", json={"username": "seat05", "password": PASSWORD})
    assert old.status_code == 401
    new = api.client.post("/api/v1/auth/token", json={"username": "seat05", "password": one_time})
    assert new.status_code in (200, 201)
    short = api.post("/admin/users/seat05/password-reset", "admin", {"password": "short"})
    assert "password" in error_of(short, 422)["fields"]
    actions = [v["action"] for v in _history(api, "user", "seat05")]
    assert actions == ["reset_password"] and one_time not in str(_history(api, "user", "seat05"))


def test_a_channel_is_added_renamed_and_disabled(api: Api) -> None:
    new = {"code": "town_app", "name_zh": "城市通", "name_en": "City app", "urgent": False}
    assert api.post("/admin/channels", "admin", new).status_code == 201
    assert "code" in error_of(api.post("/admin/channels", "admin", new), 422)["fields"]
    assert "code" in error_of(api.post("/admin/channels", "admin", {**new, "code": "Bad Code"}), 422)["fields"]
    listed = {c["code"]: c for c in api.get("/admin/channels", "admin").json["channels"]}
    assert listed["town_app"]["active"] and "hotline" in listed  # the defaults were kept beside it
    assert api.report(channel="town_app").status_code == 201
    edited = _send(api, "PATCH", "/admin/channels/town_app", "admin", {"name_en": "City app (iOS)", "urgent": True})
    assert edited.status_code == 200 and edited.json["urgent"] is True
    off = _send(api, "PATCH", "/admin/channels/town_app", "admin", {"active": False})
    assert off.status_code == 200 and off.json["active"] is False
    assert "channel" in error_of(api.report(channel="town_app"), 422)["fields"]
    assert [v["action"] for v in _history(api, "channel", "town_app")] == ["disable", "edit", "add"]
    assert _send(api, "PATCH", "/admin/channels/nope", "admin", {"urgent": True}).status_code == 404


def test_a_subtypes_national_code_is_set_and_cleared(api: Api) -> None:
    set_ = _send(api, "PATCH", "/admin/subtypes/0603", "admin", {"national_code": "GB-060103"})
    assert set_.status_code == 200 and set_.json["national_code"] == "GB-060103"
    listed = {s["code"]: s for s in api.get("/admin/subtypes", "admin").json["subtypes"]}
    assert listed["0603"]["national_code"] == "GB-060103"
    assert "national_code" in error_of(_send(api, "PATCH", "/admin/subtypes/0603", "admin",
                                             {"national_code": "no spaces"}), 422)["fields"]
    cleared = _send(api, "PATCH", "/admin/subtypes/0603", "admin", {"national_code": ""})
    assert cleared.status_code == 200 and cleared.json["national_code"] is None
