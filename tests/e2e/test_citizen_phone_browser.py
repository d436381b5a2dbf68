"""A citizen's report on a phone (Debian's Chromium, 390×844) through to the rating and the 回访: `gridcase serve` and
its scheduler over the demo city, codes sent by the scheduler's sender as SMS to a REAL local HTTP receiver
(``GRIDCASE_CITIZEN_SMS_ADDRESS=json://127.0.0.1:<port>/sms/{phone}``). The citizen opens /citizen/, adds a photo,
takes the phone's position, picks the subtype by picture and by search, asks for the code, confirms it and reports;
the demo staff drive the case to 结案 through the API (the disposal with a photo); the citizen opens the tracking
link, sees the before and after photos and rates 不满意; seat01 finds the 回访 task and reopens the case; the
citizen's page then shows the reopened case. Also: the PWA's files, and no horizontal scroll at 360 px."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import threading
import time
import urllib.request
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from browser_support import GRIDCASE, PASSWORD, ROOT, sign_in, unused_port, wait_for_health
from city_template import sqlite_city

PHONE = {"width": 390, "height": 844}
WHERE = {"longitude": 117.65, "latitude": 24.51}  # in district 350602 (the demo city's C12 streets)
DEPT = "dept_350602s07_01"
CITIZEN_PHONE = "13912345678"


class SmsReceiver:
    """The SMS gateway stand-in: records each JSON body posted to it, by path."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append((self.path, json.loads(raw or b"null")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def code_for(self, phone: str, deadline: float) -> str:
        """The 6-digit code of the first SMS to ``phone`` (the scheduler sends it within seconds)."""
        while True:
            for path, body in self.posts:
                found = re.findall(r"(?<!\d)\d{6}(?!\d)", json.dumps(body, ensure_ascii=False))
                if path.endswith(phone) and found:
                    return found[0]
            assert time.monotonic() < deadline, f"no SMS reached the receiver: {self.posts}"
            time.sleep(0.3)


@pytest.fixture(scope="module")
def citizen_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SmsReceiver]]:
    """`gridcase serve` and `gridcase scheduler` over a copy of the demo city, SMS to the local receiver."""
    receiver = SmsReceiver()
    folder = tmp_path_factory.mktemp("citizen_city")
    url, port = sqlite_city(tmp_path_factory, folder), unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
           "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"), "GRIDCASE_LOG_LEVEL": "WARNING",
           "GRIDCASE_CITIZEN_SMS_ADDRESS": f"json://127.0.0.1:{receiver.port}/sms/{{phone}}",
           "GRIDCASE_NOTIFY_HOSTS": "127.0.0.1"}
    with (folder / "server.log").open("wb") as log:
        processes = [subprocess.Popen([*GRIDCASE, *command], env=env, cwd=ROOT, stdout=log, stderr=log)
                     for command in (["serve"], ["scheduler"])]
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}", receiver
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
            receiver.httpd.shutdown()
            receiver.httpd.server_close()


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["token"])


def _call(base: str, username: str, method: str, path: str, body: Any = None,
          content_type: str = "application/json") -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {_token(base, username)}", "Content-Type": content_type}
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _step(base: str, case_no: str, bpmn_id: str, username: str, data: dict[str, Any]) -> None:
    """Complete the case's task ``bpmn_id`` as ``username`` once it is ready (the scheduler runs notify steps)."""
    deadline = time.monotonic() + 60
    while True:
        tasks = [t for t in _call(base, username, "GET", f"/tasks?case_no={case_no}")["tasks"]
                 if t["bpmn_id"] == bpmn_id]
        if tasks:
            break
        assert time.monotonic() < deadline, f"{bpmn_id} never became ready for {username}"
        time.sleep(0.5)
    _call(base, username, "POST", f"/tasks/{tasks[0]['id']}/complete", {"data": data})


def _upload(base: str, case_no: str, username: str, photo: bytes) -> str:
    boundary = "gridcase-e2e-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"after.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    stored = _call(base, username, "POST", f"/cases/{case_no}/attachments", body,
                   f"multipart/form-data; boundary={boundary}")
    return str(stored["sha256"])


def _close(base: str, case_no: str) -> None:
    """Verify, file, dispatch, dispose with a photo, check on site and close, as the demo staff."""
    _step(base, case_no, "verify_report", "collector001", {"verification": {"found": True}})
    _step(base, case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    _step(base, case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
    digest = _upload(base, case_no, DEPT, png(64, 48, (30, 160, 60)))
    _step(base, case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "disposed", "result": "清理完毕",
                                                                "evidence": [digest]}})
    _step(base, case_no, "check_on_site", "collector001", {"check": {"passed": True}})
    _step(base, case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})


def _report_on_a_phone(browser: Any, base: str, receiver: SmsReceiver) -> tuple[Any, str, str]:
    """The citizen's report through the page; (context, case number, tracking link)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True,
                                  geolocation=WHERE, permissions=["geolocation"])
    phone = context.new_page()
    phone.goto(f"{base}/citizen/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.set_input_files("#photo-input", files=[{"name": "现场.png", "mimeType": "image/png",
                                                  "buffer": png(2400, 1800, (200, 120, 40))}])
    phone.wait_for_selector("#previews img")
    phone.click("#locate")
    phone.wait_for_selector("#place-status[data-located='1']")
    assert (float(phone.input_value("#lon")), float(phone.input_value("#lat"))) == (117.65, 24.51)
    phone.click(".major[data-major='01']")  # by picture: 公用设施, its first subtype
    phone.click(".subtype[data-code='0101']")
    assert phone.get_attribute("#chosen", "data-code") == "0101"
    phone.fill("#subtype-search", "0601")  # by search
    phone.click(".subtype[data-code='0601']")
    assert phone.input_value("#subtype_code") == "0601"
    phone.fill("#description", "路口垃圾堆放多日")
    phone.fill("#phone", CITIZEN_PHONE)
    phone.click("#send-code")
    phone.wait_for_selector("#send-code:disabled")  # the 60 s countdown
    phone.fill("#code", receiver.code_for(CITIZEN_PHONE, time.monotonic() + 60))
    phone.click("#confirm-code")
    phone.wait_for_selector("#phone-status[data-confirmed='1']")
    phone.click("#submit-report")
    phone.wait_for_selector("#done:not([hidden])")
    case_no, link = phone.text_content("#done-case") or "", phone.get_attribute("#done-link", "href") or ""
    assert re.fullmatch(r"/t/[A-Za-z0-9_-]{43}", link) and case_no, (case_no, link)
    assert (phone.text_content("#done-link") or "").endswith(link)
    return context, case_no, link


def _seat_operator_reopens(browser: Any, base: str, case_no: str) -> None:
    """seat01 finds the 回访 task (process citizen_callback) in the inbox, sees the rated case and its rating on the
    task page, and completes it with 重新办理."""
    seat = sign_in(browser, base, "seat01")
    deadline = time.monotonic() + 30
    while True:
        seat.goto(f"{base}/inbox")
        links = seat.locator("tr.task-row:has(td.process[data-process='citizen_callback']) a[href^='/tasks/']")
        if links.count():
            break
        assert time.monotonic() < deadline, seat.content()[:1000]
        time.sleep(0.5)
    links.first.click()
    seat.wait_for_selector("#rated-case")
    assert seat.text_content("#rated-case a") == case_no and "不满意" in (seat.text_content("#rated-case") or "")
    seat.select_option("select[name='callback.outcome']", "reopen")
    seat.fill("textarea[name='callback.note']", "现场仍有垃圾，重新派遣")
    seat.click(".task-form button[type=submit]")
    seat.wait_for_load_state("networkidle")
    seat.context.close()


def test_a_citizen_reports_rates_and_a_seat_operator_reopens(browser: Any,
                                                             citizen_city: tuple[str, SmsReceiver]) -> None:
    base, receiver = citizen_city
    context, case_no, link = _report_on_a_phone(browser, base, receiver)
    _close(base, case_no)
    phone = context.new_page()
    phone.goto(f"{base}{link}")
    assert phone.get_attribute("#stage", "data-stage") == "closed" and phone.text_content("#case-no") == case_no
    for which in ("before", "after"):
        assert phone.evaluate(f"[...document.querySelectorAll('#photos-{which} img')].every(i => i.complete "
                              "&& i.naturalWidth > 0)") and phone.locator(f"#photos-{which} img").count() == 1
    assert phone.evaluate("document.querySelector('#photos-before img').naturalWidth") == 1600  # resized: 2400 px
    before = phone.request.get(base + (phone.get_attribute("#photos-before img", "src") or ""))
    assert before.headers["content-type"] == "image/jpeg"  # the browser sent a JPEG
    assert CITIZEN_PHONE not in phone.content()
    phone.check("input[name=rating][value=dissatisfied]")
    phone.fill("#comment", "垃圾只清了一半")
    phone.click("#rate")
    phone.wait_for_selector("#rating-value[data-rating='dissatisfied']")
    _seat_operator_reopens(browser, base, case_no)
    phone.reload()
    earlier = phone.locator(f"#history li[data-case-no='{case_no}']")
    assert earlier.locator(".earlier-outcome").get_attribute("data-outcome") in ("reopen", "reopened")  # 重新办理
    reopened = phone.text_content("#case-no") or ""
    assert reopened and reopened != case_no and reopened in (earlier.text_content() or "")
    context.close()


def test_the_pwa_files_and_a_narrow_phone(browser: Any, citizen_city: tuple[str, SmsReceiver]) -> None:
    base, _ = citizen_city
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/citizen/")
    page.wait_for_selector(".major[data-major='06'] img")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    manifest = page.request.get(f"{base}/citizen/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["scope"] == "/citizen/" and manifest.json()["display"] == "standalone"
    worker = page.request.get(f"{base}/citizen/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base}/citizen/"
    context.close()
