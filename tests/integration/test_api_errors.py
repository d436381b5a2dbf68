"""Every error status of the API, each as the JSON error document ``{"error": {"code", "message", "fields"?}}``.

400 a body that is not JSON · 401 no, bad or revoked token, wrong password · 403 a role that may not act ·
404 unknown or invisible things · 409 claims held by someone else · 422 bad fields (marshmallow, the task's form
schema, the process's own ``reject()``) · 429 repeated wrong passwords.
"""

from __future__ import annotations

from api_support import PASSWORD, Api, error_of

from engine.domain import commands as c

DEPT, DEPT2, OTHER_DEPT = "dept_350602s07_01", "dept_350602s07_02", "dept_c01_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "清理完毕"}}


def test_a_body_that_is_not_a_json_object_is_400(api: Api) -> None:
    headers = {**api.headers("seat01"), "Content-Type": "text/plain"}
    assert error_of(api.client.post("/api/v1/cases", data="subtype_code=0601", headers=headers), 400)["code"] == \
        "bad_request"
    error_of(api.client.post("/api/v1/cases", data="[1, 2]", headers={**headers, "Content-Type": "application/json"}),
             400)
    error_of(api.client.post("/api/v1/auth/token", data="{not json", content_type="application/json"), 400)
    case_no = api.new_case()
    task = api.task(case_no, "verify_report", "collector001")
    error_of(api.client.post(f"/api/v1/tasks/{task['id']}/complete", data="found=1",
                             headers={**api.headers("collector001"), "Content-Type": "text/plain"}), 400)


def test_no_token_a_bad_token_a_revoked_token_or_a_wrong_password_is_401(api: Api) -> None:
    assert error_of(api.client.get("/api/v1/tasks"), 401)["code"] == "unauthorized"
    error_of(api.client.get("/api/v1/cases/20260101000001"), 401)
    error_of(api.client.post("/api/v1/cases", json={}), 401)
    for header in ("Bearer nonsense", "Bearer gct_" + "x" * 43, "Basic c2VhdDAxOmdyaWRjYXNlLWRlbW8=", "Bearer "):
        error_of(api.client.get("/api/v1/tasks", headers={"Authorization": header}), 401)
    for username, password in (("seat01", "wrong password"), ("nobody", PASSWORD)):
        error = error_of(api.client.post("/api/v1/auth/token", json={"username": username, "password": password}),
                         401)
        assert error["message"] == "wrong username or password"
    fresh = api.client.post("/api/v1/auth/token", json={"username": "supervisor01", "password": PASSWORD}).json
    bearer = {"Authorization": f"Bearer {fresh['token']}"}
    assert api.client.get("/api/v1/tasks", headers=bearer).status_code == 200
    assert api.bus.handle(c.RevokeApiTokens("supervisor01")) >= 1
    api.forget_tokens("supervisor01")
    assert "revoked" in error_of(api.client.get("/api/v1/tasks", headers=bearer), 401)["message"]


def test_roles_that_may_not_do_something_get_403(api: Api) -> None:
    assert error_of(api.report("designer01"), 403)["code"] == "forbidden"
    error_of(api.report("auditor01"), 403)
    error_of(api.report("dept_350602s07_01"), 403)
    case_no = api.new_case()
    task = api.task(case_no, "verify_report", "auditor01")  # auditors see every task
    error_of(api.complete(task["id"], {"verification": {"found": True}}, "auditor01"), 403)
    error_of(api.post(f"/tasks/{task['id']}/claim", "auditor01"), 403)
    error_of(api.post("/messages", "seat01", {"name": "video_detection", "payload": {}}), 403)
    assert api.get(f"/tasks/{task['id']}", "collector001").json["assignee"] is None  # nothing happened


def test_unknown_or_invisible_things_are_404(api: Api) -> None:
    for number in ("20990101000001", "xx", "0"):
        assert error_of(api.get(f"/cases/{number}", "seat01"), 404)["code"] == "not_found"
        error_of(api.get(f"/cases/{number}/events", "auditor01"), 404)
    error_of(api.get("/tasks/00000000-0000-0000-0000-000000000000", "seat01"), 404)
    error_of(api.post("/tasks/no-such-task/claim", DEPT), 404)
    error_of(api.get("/no-such-route", "seat01"), 404)
    case_no = api.new_case()
    disposal = api.to_disposal(case_no)
    listed = api.get(f"/tasks?case_no={case_no}", OTHER_DEPT)
    assert listed.status_code == 200 and listed.json["tasks"] == [] and listed.json["total"] == 0
    error_of(api.get(f"/tasks/{disposal['id']}", OTHER_DEPT), 404)
    for action in ("claim", "unclaim"):
        error_of(api.post(f"/tasks/{disposal['id']}/{action}", OTHER_DEPT), 404)
    error_of(api.complete(disposal["id"], DISPOSED, OTHER_DEPT), 404)
    error_of(api.get(f"/cases/{case_no}", OTHER_DEPT), 404)
    error_of(api.get(f"/cases/{case_no}/attachments/{'0' * 64}", "seat01"), 404)
    assert api.get(f"/tasks/{disposal['id']}", DEPT).json["assignee"] is None


def test_a_task_held_by_someone_else_is_409(api: Api) -> None:
    case_no = api.new_case()
    disposal = api.to_disposal(case_no)
    assert api.post(f"/tasks/{disposal['id']}/claim", DEPT).status_code == 200
    assert DEPT in error_of(api.post(f"/tasks/{disposal['id']}/claim", DEPT2), 409)["message"]
    assert error_of(api.post(f"/tasks/{disposal['id']}/unclaim", DEPT2), 409)["code"] == "conflict"
    error_of(api.complete(disposal["id"], DISPOSED, DEPT2), 409)
    assert api.get(f"/tasks/{disposal['id']}", DEPT2).json["assignee"] == DEPT
    unclaimed = api.post(f"/tasks/{disposal['id']}/unclaim", DEPT)
    assert unclaimed.status_code == 200 and unclaimed.json["assignee"] is None
    assert api.post(f"/tasks/{disposal['id']}/claim", DEPT2).json["assignee"] == DEPT2


def test_bad_fields_are_422_naming_them(api: Api) -> None:
    # The body's shape first (missing, unknown, wrongly typed fields), then ReportProblem's one check of the values.
    error = error_of(api.report("seat01", subtype_code=None, channel="fax", surprise=1), 422)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"subtype_code", "surprise"}
    assert set(error_of(api.report("seat01", channel="fax", lat=91), 422)["fields"]) == {"channel", "lat"}
    for fields, named in (({"lat": 91}, "lat"), ({"subtype_code": "61"}, "subtype_code"),
                          ({"description": ""}, "description"), ({"evidence": ["not-a-sha"]}, "evidence.0"),
                          ({"urgency": "whenever"}, "urgency"), ({"lon": "east"}, "lon")):
        assert set(error_of(api.report("seat01", **fields), 422)["fields"]) == {named}, fields
    assert set(error_of(api.client.post("/api/v1/auth/token", json={"username": "seat01"}), 422)["fields"]) == \
        {"password"}
    assert "limit" in error_of(api.get("/tasks?limit=0", "seat01"), 422)["fields"]
    assert "state" in error_of(api.get("/tasks?state=lost", "seat01"), 422)["fields"]


def test_a_completion_against_the_form_schema_is_422_naming_the_field(api: Api) -> None:
    case_no = api.new_case()
    task = api.task(case_no, "verify_report", "collector001")
    for data in ({"verification": {"found": "yes"}}, {"verification": {}}):
        assert "verification.found" in error_of(api.complete(task["id"], data, "collector001"), 422)["fields"], data
    error_of(api.post(f"/tasks/{task['id']}/complete", "collector001", {"verification": {"found": True}}), 422)
    assert api.get(f"/tasks/{task['id']}", "collector001").json["assignee"] is None


def test_a_completion_the_process_rejects_is_422_naming_the_field(api: Api) -> None:
    case_no = api.new_case()
    dispatch = api.to_dispatch(case_no)
    error = error_of(api.complete(dispatch["id"], {"dispatch": {"department": "C01"}}, "dispatcher01"), 422)
    assert list(error["fields"]) == ["dispatch.reason"]
    still = api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json
    assert still["state"] == "ready" and still["assignee"] is None


def test_dispatching_to_a_department_that_does_not_exist_is_422(api: Api) -> None:
    """Unchecked, the case would wait in a candidate group that nobody works."""
    case_no = api.new_case()
    dispatch = api.to_dispatch(case_no)
    override = {"dispatch": {"department": "NO-SUCH-DEPT", "reason": "wrong unit"}}
    error = error_of(api.complete(dispatch["id"], override, "dispatcher01"), 422)
    assert "dispatch.department" in error["fields"]


def test_six_wrong_passwords_block_the_user_with_429(api: Api) -> None:
    wrong = {"username": "shiftlead01", "password": "not the password"}
    statuses = [api.client.post("/api/v1/auth/token", json=wrong).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    right = api.client.post("/api/v1/auth/token", json={**wrong, "password": PASSWORD})
    assert error_of(right, 429)["code"] == "too_many_requests"
    other = api.client.post("/api/v1/auth/token", json={"username": "dispatcher01", "password": PASSWORD})
    assert other.status_code == 200  # only that user is blocked
