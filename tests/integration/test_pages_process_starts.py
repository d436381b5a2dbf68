"""The start page and the pages of a case of any process (SQLite and PostgreSQL): 发起流程 lists what the person may
start with its start form, a posted form starts the case (CSRF as everywhere) and opens the new case's page, a
refused field is shown next to itself; the navigation links the page only for those who may start something; the
task page and the case page of a non-lifecycle case show its process and data, not the lifecycle's facts."""

from __future__ import annotations

import re
from typing import Any

from api_support import Api
from pages_support import Browser
from start_support import APPLICATION, INSPECTOR, OPEN_PROCESS, PROCESS, REVIEWER, STARTER, deploy_both

FORM = {"application.applicant": "漳州路桥公司", "application.road": "胜利西路", "application.days": "3"}


def post(browser: Browser, url: str, fields: dict[str, str]) -> Any:
    return browser.client.post(url, data={**fields, "csrf_token": browser.token})


def test_a_starter_sees_the_start_page_and_starts_a_case_that_opens_its_page(api: Api) -> None:
    deploy_both(api)
    seat = Browser(api, STARTER)
    page = seat.get("/start")
    assert page.status_code == 200
    assert f'id="start-{PROCESS}"' in page.text and f'id="start-{OPEN_PROCESS}"' not in page.text
    assert 'name="application.applicant"' in page.text and "占道施工申请" in page.text
    assert 'href="/start"' in page.text  # the navigation's link
    english = seat.get("/start?lang=en")
    assert "Start a process" in english.text and "Apply to occupy a road" in english.text
    assert "发起流程" not in english.text
    seat.get("/start?lang=zh")  # the language is remembered: back to Chinese
    started = post(seat, f"/start/{PROCESS}", FORM)
    assert started.status_code == 302, started.text
    case_no = re.fullmatch(r"/cases/(\d+)", started.headers["Location"]).group(1)  # type: ignore[union-attr]
    case_page = seat.get(f"/cases/{case_no}")
    assert case_page.status_code == 200
    assert 'data-process="road_occupation"' in case_page.text and "胜利西路" in case_page.text
    assert "application.days" in case_page.text and "审核申请" in case_page.text  # its data and ready task
    assert "已发起" in case_page.text  # the flash
    recent = seat.get("/cases").text  # the recent cases name its process where the lifecycle's show a subtype
    assert re.search(rf"{case_no}</a></td>.*?<td>{PROCESS}</td>", recent, re.S)
    replay = Browser(api, "auditor01").get(f"/audit/cases/{case_no}")
    assert replay.status_code == 200 and f"· {PROCESS}</small>" in replay.text


def test_a_refused_field_is_shown_next_to_itself_and_nothing_starts(api: Api) -> None:
    deploy_both(api)
    seat = Browser(api, STARTER)
    seat.get("/start")
    refused = post(seat, f"/start/{PROCESS}", {**FORM, "application.days": "0"})
    assert refused.status_code == 422
    assert re.search(r'data-field="application\.days" role="alert">[^<]+<', refused.text), refused.text[-3000:]
    missing = post(seat, f"/start/{PROCESS}", {**FORM, "application.road": ""})
    assert missing.status_code == 422 and 'data-field="application.road"' in missing.text


def test_without_the_csrf_token_nothing_starts(api: Api) -> None:
    deploy_both(api)
    seat = Browser(api, STARTER)
    seat.get("/start")
    assert seat.client.post(f"/start/{PROCESS}", data=FORM).status_code in (400, 403)


def test_who_may_start_nothing_sees_no_link_an_empty_page_and_is_refused(api: Api) -> None:
    deploy_both(api)
    inspector = Browser(api, INSPECTOR)
    page = inspector.get("/start")
    assert page.status_code == 200 and "start-process" not in page.text and 'href="/start"' not in page.text
    assert post(inspector, f"/start/{PROCESS}", FORM).status_code == 403
    assert post(inspector, "/start/no_such_process", FORM).status_code == 404


def test_the_task_and_case_pages_of_another_process_show_its_process_and_data(api: Api) -> None:
    deploy_both(api)
    started = api.post(f"/processes/{PROCESS}/cases", STARTER, {"data": APPLICATION})
    assert started.status_code == 201, started.json
    case_no = started.json["case_no"]
    reviewer = Browser(api, REVIEWER)
    inbox = reviewer.get("/inbox")
    task_id = re.search(rf'<a href="/cases/{case_no}">.*?href="/tasks/([^"]+)"', inbox.text, re.S)
    assert task_id, inbox.text[-3000:]
    task_page = reviewer.get(f"/tasks/{task_id.group(1)}")
    assert task_page.status_code == 200
    assert 'class="card summary process-case"' in task_page.text and "胜利西路" in task_page.text
    assert "小类" not in task_page.text and 'name="review.approved"' in task_page.text
    done = post(reviewer, f"/tasks/{task_id.group(1)}", {"review.approved": "true"})
    assert done.status_code == 302, done.text
    inspector = Browser(api, INSPECTOR)
    queue = inspector.get("/queue")
    assert f"/cases/{case_no}" in queue.text
    page = inspector.get(f"/cases/{case_no}")
    assert page.status_code == 200 and "现场核查" in page.text and "review.approved" in page.text
    assert "小类" not in page.text  # not the lifecycle's page
