"""The people-facing pages with the Flask test client over a seeded demo city on SQLite."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from city_template import sqlite_city
from flask import Flask
from flask.testing import FlaskClient

from city.intake.report import detection_message
from engine.domain import commands as c
from engine.persistence.uow import UnitOfWork
from engine.service.queries import TaskFilter, case_events, task_list
from web.app import create_app
from web.settings import Settings

PASSWORD = "gridcase-demo"
SCRIPT = "<script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPORT = {"channel": "hotline", "subtype": "0601", "description": "垃圾堆积", "location": {"lon": 117.65, "lat": 24.51},
          "urgency": "normal", "evidence": [], "reporter": "seat01",
          "duplicate_of": None}  # routed to 350602-S07 (石亭街道)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app over a fresh SQLite database with the demo city seeded and the lifecycle deployed."""
    folder = tmp_path_factory.mktemp("pages")
    url = sqlite_city(tmp_path_factory, folder)  # a copy of the session's seeded city (tests/city_template.py)
    yield create_app(Settings(database_url=url, secret_key="test-pages", attachments_dir=folder / "attachments"))


class Browser:
    """A test client that keeps the CSRF token of the last page it read."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = self.landing = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        found = re.search(r'name="csrf-token" content="([^"]+)"', response.text) or re.search(
            r'name="csrf_token" value="([^"]+)"', response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)


def sign_in(app: Flask, username: str) -> Browser:
    browser = Browser(app)
    browser.get("/login")
    response = browser.post("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    browser.landing = response.headers["Location"]
    browser.get(browser.landing)
    return browser


def start_case(app: Flask, **report: Any) -> str:
    bus = app.extensions["gridcase.bus"]
    ref = bus.handle(c.StartCase("case_lifecycle", {"report": {**REPORT, **report}}, "seat01"))
    return next(t["case_no"] for t in _tasks(app) if t["case_id"] == ref.case_id)


def _tasks(app: Flask, **filters: Any) -> list[dict[str, Any]]:
    deps = app.extensions["gridcase.bus"].deps
    return task_list(deps, TaskFilter("test", None, **filters), deps.clock.now())["tasks"]


def task_of(app: Flask, case_no: str) -> dict[str, Any]:
    (task,) = _tasks(app, case_no=case_no)  # the case's one ready task
    return task


def complete(app: Flask, case_no: str, data: dict[str, Any], actor: str) -> None:
    bus, task = app.extensions["gridcase.bus"], task_of(app, case_no)
    bus.handle(c.ClaimTask(task["id"], actor))
    bus.handle(c.CompleteHumanTask(task["id"], data, actor))


def to_disposal(app: Flask, case_no: str) -> dict[str, Any]:
    complete(app, case_no, {"verification": {"found": True}}, "collector001")
    complete(app, case_no, {"filing": {"decision": "file"}}, "shiftlead01")
    complete(app, case_no, {"dispatch": {}}, "dispatcher01")
    return task_of(app, case_no)


@pytest.mark.parametrize(("username", "landing"), [
    ("seat01", "/inbox"), ("collector001", "/collector"), ("shiftlead01", "/inbox"), ("dispatcher01", "/inbox"),
    ("supervisor01", "/inbox"), ("dept_350602s07_01", "/queue"), ("auditor01", "/cases"), ("admin", "/cases"),
    ("designer01", "/designer")])
def test_each_role_lands_on_its_work_list(app: Flask, username: str, landing: str) -> None:
    browser = sign_in(app, username)
    page = browser.get(browser.landing)
    assert browser.landing == landing
    assert page.status_code == 200 and 'name="csrf-token"' in page.text and "退出" in page.text


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(app: Flask) -> None:
    browser = Browser(app)
    browser.get("/login")
    response = browser.post("/login", {"username": "seat01", "password": "wrong-password"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert browser.get("/inbox").status_code == 302


def test_signing_in_needs_the_csrf_token(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "seat01", "password": PASSWORD})
    assert response.status_code in (400, 403)
    assert client.get("/inbox").headers["Location"].startswith("/login")


def test_pages_send_strangers_to_the_login_page_and_roles_elsewhere_get_403(app: Flask) -> None:
    assert Browser(app).get("/queue").headers["Location"].startswith("/login?next=/queue")
    polled = app.test_client().get("/inbox/rows", headers={"HX-Request": "true"})  # the session ran out
    assert polled.status_code == 401 and polled.headers["HX-Redirect"].startswith("/login")
    collector = sign_in(app, "collector001")
    assert collector.get("/inbox").status_code == 403
    assert "无权访问" in collector.get("/queue").text
    assert collector.get("/no-such-page").status_code == 404
    assert collector.client.post("/logout").status_code == 403  # signing out needs the CSRF token too
    assert collector.post("/logout").status_code == 302
    assert collector.get("/collector").status_code == 302


def test_the_inbox_lists_the_groups_tasks_with_lights_filters_and_a_polled_fragment(app: Flask) -> None:
    hotline, media = start_case(app, channel="hotline"), start_case(app, channel="media")
    complete(app, hotline, {"verification": {"found": True}}, "collector001")
    complete(app, media, {"verification": {"found": True}}, "collector001")
    lead = sign_in(app, "shiftlead01")
    page = lead.get("/inbox")
    assert hotline in page.text and media in page.text
    assert 'hx-trigger="tasks-changed from:body delay:300ms, every 60s"' in page.text
    assert 'data-light="red"' in page.text
    filtered = lead.get("/inbox?channel=media")
    assert media in filtered.text and hotline not in filtered.text
    rows = lead.get("/inbox/rows?channel=hotline")
    assert rows.status_code == 200 and "<html" not in rows.text
    assert hotline in rows.text and media not in rows.text
    assert 'hx-get="/inbox/rows?channel=hotline"' in rows.text
    assert hotline not in sign_in(app, "dispatcher01").get("/inbox").text  # not the dispatcher's step yet
    to_disposal(app, start_case(app))
    queue = sign_in(app, "dept_350602s07_01").get("/queue")
    assert "row-light-green" in queue.text and "light light-green" in queue.text


def _form_page(browser: Browser, case_no: str, app: Flask) -> tuple[str, Any]:
    task = task_of(app, case_no)
    return task["id"], browser.get(f"/tasks/{task['id']}")


def _report(seat: Browser) -> str:
    assert "0601 暴露垃圾 / " in seat.get("/report/new").text
    created = seat.post("/report/new", {"channel": "hotline", "subtype_code": "0601", "lon": "117.65", "lat": "24.51",
                                        "description": f"路边垃圾 {SCRIPT}", "urgency": "normal"})
    assert created.status_code == 302
    page = seat.get(created.headers["Location"])
    assert page.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert SCRIPT not in page.text
    return str(created.headers["Location"].rsplit("/", 1)[1])


def _dispose(app: Flask, member: Browser, case_no: str) -> None:
    task = task_of(app, case_no)
    assert case_no in member.get("/queue").text
    claimed = member.post(f"/tasks/{task['id']}/claim", headers={"HX-Request": "true", "X-CSRF-Token": member.token})
    assert claimed.status_code == 200 and 'id="task-table"' in claimed.text and "退回" in claimed.text
    assert case_no in member.get("/queue?mine=1").text
    upload = member.client.post(f"/api/v1/cases/{case_no}/attachments", headers={"X-CSRF-Token": member.token},
                                data={"file": (io.BytesIO(PNG), "after.png")}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.text
    done = member.post(f"/tasks/{task['id']}", {"disposal.outcome": "disposed", "disposal.result": "已清理",
                                                "disposal.evidence": upload.json["sha256"]})
    assert done.status_code == 302 and done.headers["Location"] == "/queue"


def test_a_case_walks_through_the_pages_from_report_to_close(app: Flask) -> None:
    case_no = _report(sign_in(app, "seat01"))
    collector = sign_in(app, "collector001")
    assert case_no in collector.get("/collector").text
    task_id, form = _form_page(collector, case_no, app)
    assert 'type="file" accept="image/*" capture="environment"' in form.text and "核实" in form.text
    done = collector.post(f"/tasks/{task_id}", {"verification.found": "true", "verification.note": "属实"})
    assert done.status_code == 302 and done.headers["Location"] == "/collector"
    assert "已办理" in collector.get("/collector").text
    lead = sign_in(app, "shiftlead01")
    task_id, form = _form_page(lead, case_no, app)
    assert "立案条件" in form.text and "符合立案条件" in form.text
    assert lead.post(f"/tasks/{task_id}", {"filing.decision": "file"}).status_code == 302
    dispatcher = sign_in(app, "dispatcher01")
    task_id, form = _form_page(dispatcher, case_no, app)
    assert "建议处置单位" in form.text and "350602-S07" in form.text
    assert dispatcher.post(f"/tasks/{task_id}", {"dispatch.department": ""}).status_code == 302
    _dispose(app, sign_in(app, "dept_350602s07_01"), case_no)
    task_id, _ = _form_page(collector, case_no, app)
    assert collector.post(f"/tasks/{task_id}", {"check.passed": "true"}).status_code == 302
    task_id, form = _form_page(lead, case_no, app)
    assert "建议结案类型" in form.text
    assert lead.post(f"/tasks/{task_id}", {"closing.close_type": "normal"}).status_code == 302
    final = sign_in(app, "auditor01").get(f"/cases/{case_no}")
    assert "已办结" in final.text and "已结案" in final.text and "after.png" in final.text
    for who in ("seat01", "collector001", "shiftlead01", "dispatcher01", "dept_350602s07_01"):
        assert who in final.text  # the timeline says who did what
    assert "/api/v1/cases/" in final.text and "流程图" in final.text


def test_form_errors_are_shown_next_to_their_fields(app: Flask) -> None:
    case_no = start_case(app)
    task = to_disposal(app, case_no)
    member = sign_in(app, "dept_350602s07_01")
    member.get(f"/tasks/{task['id']}")
    response = member.post(f"/tasks/{task['id']}", {"disposal.outcome": "extension", "disposal.reason": "天气",
                                                    "disposal.extension_amount": "abc"})
    assert response.status_code == 422
    assert re.search(r'class="field-error" data-field="disposal.extension_amount"[^>]*>请输入数字<', response.text)
    response = member.post(f"/tasks/{task['id']}", {"disposal.outcome": "disposed"})
    assert response.status_code == 422
    assert re.search(r'class="field-error" data-field="disposal.result"[^>]*>必填<', response.text)
    assert 'value="disposed" selected' in response.text  # the posted values are kept
    assert task_of(app, case_no)["assignee"] is None  # a refused form leaves the task unclaimed


def test_the_process_refusal_is_shown_next_to_its_field(app: Flask) -> None:
    case_no = start_case(app)
    complete(app, case_no, {"verification": {"found": True}}, "collector001")
    complete(app, case_no, {"filing": {"decision": "file"}}, "shiftlead01")
    task = task_of(app, case_no)
    dispatcher = sign_in(app, "dispatcher01")
    dispatcher.get(f"/tasks/{task['id']}")
    response = dispatcher.post(f"/tasks/{task['id']}", {"dispatch.department": "350602-D01"})
    assert response.status_code == 422
    assert 'class="field-error" data-field="dispatch.reason"' in response.text
    assert task_of(app, case_no)["assignee"] is None


def test_another_departments_task_page_is_not_found(app: Flask) -> None:
    task = to_disposal(app, start_case(app))
    other = sign_in(app, "dept_c01_01")
    assert other.get(f"/tasks/{task['id']}").status_code == 404
    assert other.post(f"/tasks/{task['id']}", {"disposal.outcome": "disposed"}).status_code == 404
    assert other.post(f"/tasks/{task['id']}/claim").status_code == 404
    assert "未找到" in other.get(f"/cases/{task['case_no']}").text


def test_user_text_is_escaped_everywhere(app: Flask) -> None:
    case_no = start_case(app, description=SCRIPT)
    collector = sign_in(app, "collector001")
    for page in (collector.get("/collector"), collector.get(f"/tasks/{task_of(app, case_no)['id']}"),
                 collector.get(f"/cases/{case_no}")):
        assert SCRIPT not in page.text
        assert "&lt;script&gt;" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_case_number_opens_no_public_page(app: Flask) -> None:
    """The old public page /status/<case_no> is gone: a guessable number shows nothing (citizens follow /t/<token>)."""
    case_no = start_case(app, description="张三家门口 13800000000")
    complete(app, case_no, {"verification": {"found": True, "note": "核实人备注"}}, "collector001")
    for path in (f"/status/{case_no}", "/status/20990101999999"):
        page = app.test_client().get(path)
        assert page.status_code == 404
        assert "13800000000" not in page.text and "核实人备注" not in page.text


def test_english_is_one_click_away_and_remembered(app: Flask) -> None:
    task = to_disposal(app, start_case(app))
    member = sign_in(app, "dept_350602s07_01")
    page = member.get(f"/tasks/{task['id']}?lang=en")
    assert "Outcome" in page.text and "Photos after disposal" in page.text and "Submit" in page.text
    assert "Request an extension" in page.text and "处置情况" not in page.text
    assert "Sign out" in member.get("/queue").text  # the cookie remembers it
    assert "处置情况" in member.get(f"/tasks/{task['id']}?lang=zh").text


def test_a_report_with_bad_fields_shows_each_problem_next_to_its_field(app: Flask) -> None:
    seat = sign_in(app, "seat01")
    seat.get("/report/new")
    response = seat.post("/report/new", {"channel": "hotline", "subtype_code": "9999", "lon": "x", "lat": "",
                                         "description": ""})
    assert response.status_code == 422
    for field in ("lon", "lat", "description"):
        assert f'class="field-error" data-field="{field}"' in response.text
    response = seat.post("/report/new", {"channel": "hotline", "subtype_code": "9999", "lon": "117.65",
                                         "lat": "24.51", "description": "x"})
    assert 'class="field-error" data-field="subtype_code"' in response.text
    assert sign_in(app, "dept_c01_01").get("/report/new").status_code == 403


def test_task_lists_show_the_steps_name_not_its_bpmn_id(app: Flask) -> None:
    detection = {"camera_id": "CAM-0007", "subtype": "0601", "lon": 117.65, "lat": 24.51, "image": "f.jpg",
                 "confidence": 0.9}
    (ref,) = app.extensions["gridcase.bus"].handle(detection_message(detection, "vision01"))
    seat = sign_in(app, "seat01")
    row = next(r for r in seat.get("/inbox").text.split("<tr")[1:] if ref.case_no in r)
    assert "<td>Review the camera detection (视频审核)</td>" in row and "review_detection" not in row
    case_page = seat.get(f"/cases/{ref.case_no}").text
    assert "Review the camera detection (视频审核)</a>" in case_page


def test_the_task_page_completes_with_one_write_transaction(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    task = to_disposal(app, start_case(app))
    member = sign_in(app, "dept_350602s07_01")
    member.get(f"/tasks/{task['id']}")
    writes, enter = [], UnitOfWork.__enter__

    def counting_enter(self: UnitOfWork) -> UnitOfWork:
        opened = enter(self)
        writes.extend([1] if not self.read_only else [])
        return opened

    monkeypatch.setattr(UnitOfWork, "__enter__", counting_enter)
    posted = member.post(f"/tasks/{task['id']}", {"disposal.outcome": "disposed", "disposal.result": "清理完毕"})
    monkeypatch.undo()
    assert posted.status_code == 302, posted.text[:800]
    assert len(writes) == 1
    events = case_events(app.extensions["gridcase.bus"].deps, task["case_id"])
    kinds = [(e["event_type"], e["actor_kind"]) for e in events if e["task_id"] == task["id"]]
    assert ("task_claimed", "person") in kinds and ("task_completed", "person") in kinds
