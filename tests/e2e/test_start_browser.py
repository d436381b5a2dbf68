"""A process other than the lifecycle, started and worked through the pages in a real browser (Debian's Chromium):
a seat operator follows the navigation to 发起流程, fills the process's start form and lands on the new case's
page; a shift lead and the roads department each complete their task from their work lists; the case page shows
the case completed and an admin's replay of it opens on its diagram."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from browser_support import PASSWORD, sign_in

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "start"
PROCESS = "road_occupation"


def api(base: str, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(f"{base}/api/v1{path}", json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def deploy_fixture(base: str) -> None:
    """Deploy the fixture and its forms as a designer does, through the API."""
    token = api(base, "/auth/token", {"username": "designer01", "password": PASSWORD})["token"]
    files = {"road_occupation.bpmn": (FOLDER / "road_occupation.bpmn").read_text(encoding="utf-8")}
    files |= {f"forms/{f.name}": f.read_text(encoding="utf-8") for f in sorted((FOLDER / "forms").iterdir())}
    api(base, "/processes/deploy", {"files": files, "comment": "e2e"}, token)


def complete_from_list(page: Any, base: str, landing: str, case_no: str, values: dict[str, str]) -> None:
    """Open the case's task from the person's work list and complete it with ``values``."""
    page.goto(f"{base}{landing}")
    page.locator("tr.task-row", has_text=case_no).locator("a.button.primary").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".process-case").count() == 1  # the generic summary, not the lifecycle's
    for name, value in values.items():
        page.locator(f'[name="{name}"]').select_option(value)
    page.click("form[method=post] button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "/tasks/" not in page.url, page.content()[:2000]


def test_a_process_is_started_from_its_form_and_worked_to_the_end_in_the_browser(browser: Any,
                                                                                 city_server: str) -> None:
    base = city_server
    deploy_fixture(base)
    seat = sign_in(browser, base, "seat01")
    seat.click("header.site nav a[href='/start']")
    seat.wait_for_load_state("networkidle")
    section = seat.locator(f"#start-{PROCESS}")
    assert "占道施工申请" in section.locator("h2").inner_text()
    section.locator('[name="application.applicant"]').fill("漳州路桥公司")
    section.locator('[name="application.road"]').fill("胜利西路")
    section.locator('[name="application.days"]').fill("0")
    section.locator("button[type=submit]").click()
    seat.wait_for_load_state("networkidle")
    refused = seat.locator(f'#start-{PROCESS} .field-error[data-field="application.days"]')
    assert refused.count() == 1  # next to its field, the other values kept
    assert seat.locator(f'#start-{PROCESS} [name="application.road"]').input_value() == "胜利西路"
    seat.locator(f'#start-{PROCESS} [name="application.days"]').fill("5")
    seat.locator(f"#start-{PROCESS} button[type=submit]").click()
    seat.wait_for_load_state("networkidle")
    assert "/cases/" in seat.url, seat.content()[:2000]
    case_no = seat.url.rstrip("/").rsplit("/", 1)[-1]
    assert seat.locator(".process-case .status").get_attribute("data-status") == "running"
    assert "胜利西路" in seat.locator(".case-data").inner_text()

    complete_from_list(sign_in(browser, base, "shiftlead01"), base, "/inbox", case_no, {"review.approved": "true"})
    complete_from_list(sign_in(browser, base, "dept_350602d02_01"), base, "/queue", case_no,
                       {"inspection.compliant": "true"})

    seat.goto(f"{base}/cases/{case_no}")
    assert seat.locator(".process-case .status").get_attribute("data-status") == "completed"
    assert seat.locator(".process-case a.button").count() == 0  # no ready task left
    admin = sign_in(browser, base, "admin")
    admin.goto(f"{base}/cases/{case_no}")
    admin.click(f"a.replay[href='/audit/cases/{case_no}']")
    admin.wait_for_selector("#replay[data-ready=true]", timeout=15000)
    admin.wait_for_selector("#replay-diagram[data-ready=true]", timeout=15000)
    assert admin.locator("#replay-timeline li").count() >= 6
    assert admin.locator(".djs-element[data-element-id=inspect_site]").count() == 1
