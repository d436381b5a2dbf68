"""The process designer in a real browser: change the lifecycle's warning, validate, deploy and see a new case
use it; break a gateway condition and see the error on its element; edit a DMN rule, test it in the panel,
deploy, and see a new case routed by it."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from typing import Any

from browser_support import sign_in

from web.settings import Settings

DESIGNER = "designer01"


def _api(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(f"{base}/api/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _token(base: str, user: str) -> str:
    return str(_api(base, "POST", "/auth/token", body={"username": user, "password": "gridcase-demo"})["token"])


def _open(page: Any, name: str) -> None:
    page.locator("#source-files a", has_text=name).click()
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)


def _designer(browser: Any, base: str) -> Any:
    page = sign_in(browser, base, DESIGNER)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/designer")
    page.wait_for_selector("#source-files a")
    return page


def select(page: Any, element_id: str) -> None:
    """Select an element as a click would (the palette may cover it at the fitted zoom)."""
    page.evaluate("id => window.gridcaseDesigner.focus(id)", element_id)


def _disposal_times(base: str, subtype: str = "0601") -> dict[str, str]:
    """Report a case and walk it to disposal through the API; its due and warning times."""
    case = _api(base, "POST", "/cases", _token(base, "seat01"), {
        "subtype_code": subtype, "description": "designer e2e", "lat": 24.51, "lon": 117.65, "channel": "patrol"})
    for user, step, data in (("shiftlead01", "file_or_void", {"filing": {"decision": "file"}}),
                             ("dispatcher01", "confirm_dispatch", {"dispatch": {}})):
        token = _token(base, user)
        tasks = _api(base, "GET", f"/tasks?case_no={case['case_no']}", token)["tasks"]
        (task,) = [t for t in tasks if t["bpmn_id"] == step]
        _api(base, "POST", f"/tasks/{task['id']}/complete", token, {"data": data})
    view = _api(base, "GET", f"/cases/{case['case_no']}", _token(base, "shiftlead01"))
    return {"due_at": view["due_at"], "warn_at": view["warn_at"], "department": view["department"],
            "dispatched": view["tasks"][0]["created_at"]}


def test_a_designer_changes_the_warning_and_new_cases_use_it(browser: Any, city_server: str) -> None:
    page = _designer(browser, city_server)
    _open(page, "case_lifecycle.bpmn")
    select(page, "register_report")
    script = page.locator('#properties textarea[data-prop="script"]')
    script.fill(script.input_value().replace('"warning_share": 0.8', '"warning_share": 0.5'))
    script.press("Tab")
    select(page, "disposal_warning")  # inside the collapsed disposal subprocess: its timer, previewed
    page.wait_for_selector("#properties .timer-preview.ok")
    assert "2026-12-01T02:00:00+00:00" in page.inner_text("#properties .timer-preview")  # warn_at of the sample
    page.click("#validate")
    page.wait_for_selector("#designer-status.ok")
    page.fill("#deploy-comment", "预警提前到时限的一半")
    page.click("#deploy")
    page.wait_for_function("() => document.getElementById('designer-status').textContent.includes('case_lifecycle v2')")
    page.fill("#diff-from", "1")
    page.fill("#diff-to", "2")
    page.click("#diff-run")
    page.wait_for_selector("#diff-new[data-ready=true]")
    assert "register_report" in page.inner_text("#diff-list")
    assert page.locator('#diff-new [data-element-id="register_report"].diff-changed').count() >= 1
    times = _disposal_times(city_server)
    due, warn, start = (datetime.fromisoformat(times[k]) for k in ("due_at", "warn_at", "dispatched"))
    working = Settings.from_env({}).working_time()
    share = working.elapsed(start, warn, "working_hours") / working.elapsed(start, due, "working_hours")
    assert abs(share - 0.5) < 0.01  # the warning now comes at half the limit, in working time


def test_a_broken_condition_is_shown_on_its_element(browser: Any, city_server: str) -> None:
    page = _designer(browser, city_server)
    _open(page, "case_lifecycle.bpmn")
    page.evaluate("""() => {
        const m = window.gridcaseDesigner.modeler(), flow = m.get('elementRegistry').get('case_void');
        const expr = m.get('moddle').create('bpmn:FormalExpression', {body: 'filing["decision"] =='});
        m.get('modeling').updateProperties(flow, {conditionExpression: expr});
    }""")
    page.click("#validate")
    problem = page.locator('#problems li.problem.error[data-element="case_void"]')
    problem.wait_for()
    assert page.locator('[data-element-id="case_void"].problem-error').count() >= 1
    problem.click()
    assert page.evaluate("() => window.gridcaseDesigner.modeler().get('selection').get()[0].id") == "case_void"


def test_a_designer_picks_a_milestone_and_a_lifecycle_without_one_is_refused(browser: Any, city_server: str) -> None:
    page = _designer(browser, city_server)
    _open(page, "case_lifecycle.bpmn")
    select(page, "confirm_dispatch")
    milestone = page.locator('#properties select[data-prop="milestone"]')
    assert milestone.input_value() == "dispatched"
    select(page, "register_report")  # a script task: only the milestones no person's task must carry
    options = page.locator('#properties select[data-prop="milestone"] option').all_inner_texts()
    assert any(o.startswith("reported") for o in options) and not any(o.startswith("dispatched") for o in options)
    select(page, "confirm_dispatch")
    page.select_option('#properties select[data-prop="milestone"]', "")
    page.click("#validate")
    page.locator('#problems li.problem.error[data-element="case_lifecycle"]').wait_for()
    assert "'dispatched'" in page.inner_text("#problems")
    select(page, "confirm_dispatch")
    page.select_option('#properties select[data-prop="milestone"]', "dispatched")
    page.click("#validate")
    page.wait_for_selector("#designer-status.ok")


def test_a_designer_edits_a_rule_tests_it_and_routes_a_new_case_by_it(browser: Any, city_server: str) -> None:
    page = _designer(browser, city_server)
    _open(page, "responsibility.dmn")
    page.evaluate("""() => {
        const dmn = window.gridcaseDesigner.modeler();
        const table = dmn.getViews().find(v => v.element.id === 'responsibility');
        return dmn.open(table);
    }""")
    # the case's grid lies in a street (石亭街道): its 0601 goes by the street-office rule, which the designer edits
    page.wait_for_selector('#canvas [data-row-id="r_0601_street_normal"]', timeout=30000)
    page.evaluate("""() => {
        const viewer = window.gridcaseDesigner.modeler().getActiveViewer();
        const rule = viewer.get('elementRegistry').get('r_0601_street_normal');
        const cell = rule.cells.find(c => c.businessObject.$type === 'dmn:LiteralExpression'
                                      && c.businessObject.text === 'report.street_office'
                                      && c.col.id === 'out_disposal_unit');
        viewer.get('modeling').editCell(cell.businessObject, '"350602-D05"');
    }""")
    page.select_option("#rule-decision", "responsibility")
    page.fill("#rule-inputs", json.dumps({"report": {"subtype": "0601", "district": "350602", "urgency": "normal",
                                                      "street_office": "350602-S07"}}))
    page.click("#rule-run")
    page.wait_for_function("() => document.getElementById('rule-result').textContent.includes('350602-D05')")
    assert "r_0601_street_normal" in page.inner_text("#rule-result")
    page.click("#deploy")
    page.wait_for_function("() => document.getElementById('designer-status').textContent.includes('case_lifecycle v')")
    assert _disposal_times(city_server)["department"] == "350602-D05"


def test_a_designer_edits_a_task_form_and_deploys_it_with_the_process(browser: Any, city_server: str) -> None:
    page = _designer(browser, city_server)
    _open(page, "case_lifecycle.bpmn")
    page.locator('#form-files a[data-form="forms/dispose_problem.json"]').click()
    page.wait_for_function("() => document.getElementById('form-text').value.includes('\"properties\"')")
    page.fill("#form-text", '{"type": "objekt"}')
    page.click("#form-save")  # an invalid form is not kept
    page.wait_for_selector("#form-status.field-error")
    form = json.loads((Settings.from_env({}).workflows_dir / "forms" / "dispose_problem.json").read_text("utf-8"))
    form["title"] = "处置（表单随版本部署）"
    page.fill("#form-text", json.dumps(form, ensure_ascii=False, indent=2))
    page.click("#form-validate")
    page.wait_for_selector("#form-status.ok")
    page.click("#form-save")
    page.wait_for_function("() => document.getElementById('form-status').className === 'ok'")
    page.fill("#deploy-comment", "处置表单改标题")
    page.click("#deploy")
    page.wait_for_function("() => document.getElementById('designer-status').textContent.includes('case_lifecycle v')")
    token = _token(city_server, DESIGNER)
    newest = _api(city_server, "GET", "/processes", token)["processes"]
    (lifecycle,) = [p for p in newest if p["process_id"] == "case_lifecycle"]
    assert "forms/dispose_problem.json" in lifecycle["files"]
    stored = _api(city_server, "GET", f"/processes/case_lifecycle/versions/{lifecycle['number']}", token)["sources"]
    assert json.loads(stored["forms/dispose_problem.json"])["title"] == "处置（表单随版本部署）"
