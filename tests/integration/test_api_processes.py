"""The process designer's API on SQLite and PostgreSQL: deploy (designers and admins only, invalid models
refused with nothing stored), versions and diffs, drafts private to their owner, and the source files on disk."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, ROOT, Api, error_of

from engine.domain import commands as c
from engine.domain.errors import ProcessInvalid

PROCESS = "case_lifecycle"
BPMN = "case_lifecycle.bpmn"
SHARE = 'policy = {"warning_share": 0.8'


def newest(api: Api, user: str = "designer01") -> dict[str, Any]:
    """The newest version of the case lifecycle with its sources."""
    listed = api.get("/processes", user)
    assert listed.status_code == 200, listed.json
    entry = next(p for p in listed.json["processes"] if p["process_id"] == PROCESS)
    version = api.get(f"/processes/{PROCESS}/versions/{entry['number']}", user)
    assert version.status_code == 200, version.json
    assert sorted(version.json["sources"]) == entry["files"]
    return dict(version.json)


def put(api: Api, path: str, user: str, body: Any) -> Any:
    return api.client.put(f"/api/v1{path}", json=body, headers=api.headers(user))


def delete(api: Api, path: str, user: str) -> Any:
    return api.client.delete(f"/api/v1{path}", headers=api.headers(user))


def second_designer(api: Api) -> str:
    name = f"designer_{uuid.uuid4().hex[:8]}"
    api.bus.handle(c.AddUser(name, "第二设计员", "process_designer", PASSWORD))
    return name


def test_a_designer_deploys_a_changed_lifecycle_and_the_diff_shows_the_change(api: Api) -> None:
    before = newest(api)
    share = f"0.{uuid.uuid4().int % 89 + 10}"  # a share no earlier test deployed
    files = {**before["sources"], BPMN: before["sources"][BPMN].replace(SHARE, f'policy = {{"warning_share": {share}')}
    assert files[BPMN] != before["sources"][BPMN]
    deployed = api.post("/processes/deploy", "designer01", {"files": files, "comment": f"warning share {share}"})
    assert deployed.status_code == 201, deployed.json
    [version] = deployed.json["versions"]
    assert version["process_id"] == PROCESS and version["number"] == before["number"] + 1 and version["created"]
    assert version["deployed_by"] == "designer01" and version["comment"] == f"warning share {share}"
    assert len(version["sha256"]) == 64 and version["sha256"] != before["sha256"] and version["deployed_at"]
    again = api.post("/processes/deploy", "designer01", {"files": files, "comment": "again"})
    assert again.status_code == 200, again.json
    assert again.json["versions"][0] | {"created": True} == version

    listed = api.get(f"/processes/{PROCESS}/versions", "designer01").json["versions"]
    assert listed[-1] == {k: version[k] for k in ("process_id", "number", "sha256", "deployed_at", "deployed_by",
                                                  "comment")}
    assert [v["number"] for v in listed] == list(range(1, version["number"] + 1))
    diff = api.get(f"/processes/{PROCESS}/diff?from={before['number']}&to={version['number']}", "designer01")
    assert diff.status_code == 200, diff.json
    assert diff.json["from"]["number"] == before["number"] and diff.json["to"]["number"] == version["number"]
    files_diff = {f["file"]: f for f in diff.json["files"]}
    assert set(files_diff) == set(files)
    assert all(f["status"] == "unchanged" and "diff" not in f for name, f in files_diff.items() if name != BPMN)
    bpmn = files_diff[BPMN]
    assert bpmn["status"] == "changed" and bpmn["kind"] == "bpmn"
    assert bpmn["diff"]["changed"] == [{"id": "register_report", "type": "scriptTask",
                                        "name": "Register the report (登记)", "changes": ["script changed"]}]
    assert bpmn["diff"]["added"] == bpmn["diff"]["removed"] == [] and not bpmn["diff"]["layout_changed"]
    stored = api.get(f"/processes/{PROCESS}/versions/{version['number']}", "auditor01")
    assert stored.status_code == 200 and stored.json["sources"] == files


def test_a_diff_of_a_changed_decision_names_its_rules(api: Api) -> None:
    before = newest(api)
    dmn = next(name for name, text in before["sources"].items() if 'id="p_default"' in text)
    marker = f"一般问题{uuid.uuid4().hex[:6]}"
    files = {**before["sources"], dmn: before["sources"][dmn].replace('"一般问题"', f'"{marker}"')}
    deployed = api.post("/processes/deploy", "admin", {"files": files, "comment": "priority wording"})
    assert deployed.status_code == 201, deployed.json
    number = deployed.json["versions"][0]["number"]
    files_diff = {f["file"]: f for f in api.get(f"/processes/{PROCESS}/diff?from={before['number']}&to={number}",
                                                "auditor01").json["files"]}
    assert files_diff[BPMN]["status"] == "unchanged"
    changed = files_diff[dmn]["diff"]["changed"]
    assert [d["id"] for d in changed] == ["priority"]
    assert changed[0]["rules"]["changed"][0]["id"] == "p_default"
    assert marker in changed[0]["rules"]["changed"][0]["changes"][0]


def test_only_designers_and_admins_deploy_and_auditors_only_read(api: Api) -> None:
    before = newest(api)
    body = {"files": before["sources"], "comment": "not allowed"}
    for user in ("seat01", "auditor01", "shiftlead01"):
        error_of(api.post("/processes/deploy", user, body), 403)
        error_of(api.post("/processes/validate", user, {"files": before["sources"]}), 403)
        error_of(api.get("/drafts", user), 403)
        error_of(put(api, "/drafts/x.bpmn", user, {"content": "<x/>"}), 403)
        error_of(api.get("/processes/sources", user), 403)
    for path in ("/processes", f"/processes/{PROCESS}/versions", f"/processes/{PROCESS}/versions/1",
                 f"/processes/{PROCESS}/diff?from=1&to=1"):
        assert api.get(path, "auditor01").status_code == 200
        error_of(api.get(path, "seat01"), 403)
    unchanged = api.post("/processes/deploy", "admin", body)
    assert unchanged.status_code == 200 and not unchanged.json["versions"][0]["created"]
    assert newest(api)["number"] == before["number"]


def test_an_invalid_model_is_refused_and_nothing_is_deployed(api: Api) -> None:
    before = newest(api)
    count = len(api.get(f"/processes/{PROCESS}/versions", "designer01").json["versions"])
    broken = before["sources"][BPMN].replace("</bpmn:definitions>", "")
    body = error_of(api.post("/processes/deploy", "designer01", {"files": {**before["sources"], BPMN: broken}}), 422)
    assert BPMN in body["message"] and "files" in body["fields"]
    without_rules = {BPMN: before["sources"][BPMN].replace(SHARE, 'policy = {"warning_share": 0.51')}
    refused = error_of(api.post("/processes/deploy", "designer01", {"files": without_rules}), 422)
    errors = [p for p in refused["problems"] if p["severity"] == "error"]
    assert {"decide_priority", "route_by_responsibility"} <= {p["element_id"] for p in errors}
    assert all(p["file"] == BPMN and p["message"] for p in errors)
    dangling = before["sources"][BPMN].replace('targetRef="record_priority"', 'targetRef="no_such_task"')
    error_of(api.post("/processes/deploy", "designer01", {"files": {**before["sources"], BPMN: dangling}}), 422)
    assert "files.a/b.bpmn.key" in error_of(api.post("/processes/deploy", "designer01",
                                                 {"files": {"a/b.bpmn": "<x/>"}}), 422)["fields"]
    assert "files" in error_of(api.post("/processes/deploy", "designer01", {"files": {}}), 422)["fields"]
    assert len(api.get(f"/processes/{PROCESS}/versions", "designer01").json["versions"]) == count
    assert newest(api)["sha256"] == before["sha256"]


def test_the_problems_of_a_refused_deploy_are_returned(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    problems = [{"file": BPMN, "element_id": "verify_report", "severity": "error", "message": "no form"}]

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        exc = ProcessInvalid(f"{BPMN}: 1 problem", field="files")
        exc.problems = problems  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setitem(api.bus.handlers, c.DeployProcesses, refuse)
    body = error_of(api.post("/processes/deploy", "designer01", {"files": {BPMN: "<x/>"}}), 422)
    assert body["problems"] == problems and body["code"] == "invalid"


def test_validation_reports_problems_without_deploying(api: Api) -> None:
    before = newest(api)
    valid = api.post("/processes/validate", "designer01", {"files": before["sources"]})
    assert valid.status_code == 200, valid.json
    assert not [p for p in valid.json["problems"] if p["severity"] == "error"] and valid.json["valid"]
    broken = {**before["sources"], BPMN: "<bpmn:definitions"}
    invalid = api.post("/processes/validate", "designer01", {"files": broken})
    assert invalid.status_code == 200, invalid.json
    errors = [p for p in invalid.json["problems"] if p["severity"] == "error"]
    assert errors and errors[0]["file"] == BPMN and errors[0]["message"] and not invalid.json["valid"]
    assert set(errors[0]) == {"file", "element_id", "severity", "message"}
    assert newest(api)["number"] == before["number"]


def test_versions_and_diffs_refuse_what_does_not_exist(api: Api) -> None:
    first = api.get(f"/processes/{PROCESS}/versions/1", "designer01").json
    assert first["number"] == 1 and first["sources"][BPMN] == (ROOT / "workflows" / BPMN).read_text(encoding="utf-8")
    error_of(api.get("/processes/no_such_process/versions", "designer01"), 404)
    error_of(api.get(f"/processes/{PROCESS}/versions/99999", "designer01"), 404)
    error_of(api.get(f"/processes/{PROCESS}/versions/99999999999999", "designer01"), 404)
    error_of(api.get(f"/processes/{PROCESS}/diff?from=1&to=99999", "designer01"), 404)
    assert {"from", "to"} <= set(error_of(api.get(f"/processes/{PROCESS}/diff", "designer01"), 422)["fields"])
    assert "from" in error_of(api.get(f"/processes/{PROCESS}/diff?from=x&to=1", "designer01"), 422)["fields"]
    # NUL in any path segment is refused before the route runs, naming the parameter
    assert "process_id" in error_of(api.get("/processes/bad%00id/versions", "designer01"), 422)["fields"]


def test_drafts_are_saved_per_designer_and_private(api: Api) -> None:
    other = second_designer(api)
    name = f"draft_{uuid.uuid4().hex[:8]}.bpmn"
    content = (ROOT / "workflows" / BPMN).read_text(encoding="utf-8")
    created = put(api, f"/drafts/{name}", "designer01", {"content": content, "base_version": 1})
    assert created.status_code == 201, created.json
    assert created.json["process_id"] == PROCESS and created.json["base_version"] == {"process_id": PROCESS,
                                                                                     "number": 1}
    replaced = put(api, f"/drafts/{name}", "designer01", {"content": content + "\n"})
    assert replaced.status_code == 200 and replaced.json["base_version"] is None
    assert replaced.json["size"] == len(content.encode("utf-8")) + 1
    mine = api.get("/drafts", "designer01").json["drafts"]
    assert name in {d["file_name"] for d in mine} and all("content" not in d for d in mine)
    assert api.get(f"/drafts/{name}", "designer01").json["content"] == content + "\n"

    assert name not in {d["file_name"] for d in api.get("/drafts", other).json["drafts"]}
    error_of(api.get(f"/drafts/{name}", other), 404)
    error_of(delete(api, f"/drafts/{name}", other), 404)
    theirs = put(api, f"/drafts/{name}", other, {"content": "<theirs/>"})
    assert theirs.status_code == 201 and theirs.json["process_id"] is None
    assert api.get(f"/drafts/{name}", "designer01").json["content"] == content + "\n"
    assert api.get(f"/drafts/{name}", other).json["content"] == "<theirs/>"

    assert delete(api, f"/drafts/{name}", "designer01").status_code == 200
    error_of(api.get(f"/drafts/{name}", "designer01"), 404)
    error_of(delete(api, f"/drafts/{name}", "designer01"), 404)
    assert api.get(f"/drafts/{name}", other).status_code == 200


def test_bad_drafts_are_refused_naming_the_field(api: Api) -> None:
    assert "file_name" in error_of(put(api, "/drafts/notes.txt", "designer01", {"content": "x"}), 422)["fields"]
    assert "file_name" in error_of(api.get("/drafts/notes.txt", "designer01"), 422)["fields"]
    error_of(put(api, "/drafts/..%2Fx.bpmn", "designer01", {"content": "x"}), 404)
    big = "x" * (2 * 1024 * 1024 + 1)
    assert "content" in error_of(put(api, "/drafts/big.bpmn", "designer01", {"content": big}), 422)["fields"]
    assert "content" in error_of(put(api, "/drafts/nul.bpmn", "designer01", {"content": "a\x00b"}), 422)["fields"]
    assert "base_version" in error_of(put(api, "/drafts/v.bpmn", "designer01",
                                          {"content": "<x/>", "base_version": 99999, "process_id": PROCESS}),
                                      422)["fields"]
    assert "process_id" in error_of(put(api, "/drafts/v.dmn", "designer01",
                                        {"content": "<x/>", "base_version": 1}), 422)["fields"]
    assert "colour" in error_of(put(api, "/drafts/v.bpmn", "designer01", {"content": "", "colour": 1}),
                                422)["fields"]


def test_the_sources_on_disk_are_listed_and_read_and_nothing_else(api: Api) -> None:
    listed = api.get("/processes/sources", "designer01")
    assert listed.status_code == 200, listed.json
    by_name = {s["name"]: s for s in listed.json["sources"]}
    assert by_name[BPMN] == {"name": BPMN, "folder": "workflows", "kind": "bpmn"}
    assert {"filing.dmn", "priority.dmn", "responsibility.dmn"} <= set(by_name)
    assert by_name["filing.dmn"]["folder"] == "rules"
    assert all(name.endswith((".bpmn", ".dmn")) for name in by_name)
    text = api.get(f"/processes/sources/{BPMN}", "designer01")
    assert text.status_code == 200 and text.json["content"] == (ROOT / "workflows" / BPMN).read_text(encoding="utf-8")
    assert api.get("/processes/sources/priority.dmn", "admin").json["folder"] == "rules"
    for name in ("..%2F..%2Fpyproject.toml", "..%2Fworkflows%2Fcase_lifecycle.bpmn", "%2Fetc%2Fpasswd",
                 "forms", "verify_report.json", "..", "missing.bpmn", "..%2Fconfig%2Fcity%2Fzhangzhou%2Fusers.json"):
        error_of(api.get(f"/processes/sources/{name}", "designer01"), 404)


def test_a_link_out_of_the_source_folders_is_not_served(city: str, tmp_path: Path) -> None:
    workflows, rules = tmp_path / "flows" / "workflows", tmp_path / "flows" / "rules"
    workflows.mkdir(parents=True)
    rules.mkdir()
    (workflows / "mine.bpmn").write_text("<mine/>", encoding="utf-8")
    (rules / "table.dmn").write_text("<table/>", encoding="utf-8")
    (tmp_path / "secret.bpmn").write_text("secret", encoding="utf-8")
    (workflows / "link.bpmn").symlink_to(tmp_path / "secret.bpmn")
    api = Api(city, tmp_path, GRIDCASE_WORKFLOWS_DIR=str(workflows))
    try:
        listed = api.get("/processes/sources", "designer01").json["sources"]
        assert listed == [{"name": "mine.bpmn", "folder": "workflows", "kind": "bpmn"},
                          {"name": "table.dmn", "folder": "rules", "kind": "dmn"}]
        assert api.get("/processes/sources/table.dmn", "designer01").json["content"] == "<table/>"
        error_of(api.get("/processes/sources/link.bpmn", "designer01"), 404)
    finally:
        api.close()
