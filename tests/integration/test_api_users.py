"""Admins manage accounts through the API; nobody else may; the task list filters by grid."""

from __future__ import annotations

import uuid

from api_support import Api, error_of


def test_an_admin_adds_an_account_that_can_then_sign_in(api: Api) -> None:
    name = f"dispatch_{uuid.uuid4().hex[:8]}"
    added = api.post("/users", "admin", {"username": name, "role": "dispatcher", "password": "long-enough"})
    assert added.status_code == 201 and added.json["role"] == "dispatcher"
    assert name in {u["username"] for u in api.get("/users?role=dispatcher", "admin").json["users"]}
    signed = api.client.post("/api/v1/auth/token", json={"username": name, "password": "long-enough"})
    assert signed.status_code == 200
    changed = api.client.put(f"/api/v1/users/{name}/password", json={"password": "another-one"},
                             headers=api.headers("admin"))
    assert changed.status_code == 200 and changed.json["revoked_tokens"] == 1
    revoked = api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {signed.json['token']}"})
    assert revoked.status_code == 401


def test_bad_accounts_are_refused_naming_the_field(api: Api) -> None:
    fields = error_of(api.post("/users", "admin", {"username": "dept_x1", "role": "department_member",
                                                   "password": "long-enough", "department": "NOPE"}), 422)["fields"]
    assert "department" in fields
    assert "role" in error_of(api.post("/users", "admin", {"username": "abc", "role": "king",
                                                           "password": "long-enough"}), 422)["fields"]
    assert "username" in error_of(api.post("/users", "admin", {"username": "seat01", "role": "seat_operator",
                                                               "password": "long-enough"}), 422)["fields"]


def test_only_admins_manage_accounts(api: Api) -> None:
    for user in ("seat01", "auditor01", "shiftlead01"):
        error_of(api.get("/users", user), 403)
        error_of(api.post("/users", user, {"username": "sneaky", "role": "admin", "password": "long-enough"}), 403)


def test_the_task_list_filters_by_responsibility_and_unit_grid(api: Api) -> None:
    case_no = api.new_case()
    case = api.get(f"/cases/{case_no}", "shiftlead01").json
    for key in ("resp_grid", "unit_grid"):
        mine = api.get(f"/tasks?{key}={case[key]}&case_no={case_no}", "collector001").json
        assert [t["case_no"] for t in mine["tasks"]] == [case_no]
        assert api.get(f"/tasks?{key}=elsewhere&case_no={case_no}", "collector001").json["tasks"] == []
