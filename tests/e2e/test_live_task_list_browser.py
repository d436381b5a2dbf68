"""The live task list in a real browser (Debian's Chromium): a department member has their queue open; a
dispatcher dispatches (派遣) a case to that department through the API; without reloading, the member's list shows
the new task and the bell's unread count goes up (the live channel: the server's poller on SQLite, the step hook's
inbox items for the department's members). Moving from page to page in one tab never meets the five-streams
limit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, sign_in, unused_port, wait_for_health
from city_template import postgres_city

MEMBER = "dept_350602s07_01"  # disposes 0601 暴露垃圾 in district 350602
PG_URL = os.environ.get("GRIDCASE_TEST_DATABASE_URL")
GRIDCASE = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``gridcase serve --prod`` (gunicorn, two workers of eight threads) over a PostgreSQL database of its own holding
    the demo city and the lifecycle (a copy of the session's seeded city: tests/city_template.py); its base URL."""
    if PG_URL is None:
        # a machine without PostgreSQL (make test says so first); .ci/run always sets it, so CI never skips this
        pytest.skip("PostgreSQL tests need GRIDCASE_TEST_DATABASE_URL")
    folder = tmp_path_factory.mktemp("pg_server")
    port = unused_port()
    with postgres_city(PG_URL) as url:
        env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
               "GRIDCASE_LOG_LEVEL": "WARNING", "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments")}
        env.pop("GRIDCASE_METRICS_DIR", None)
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen([*GRIDCASE, "serve", "--prod", "--workers", "2", "--threads", "8"], env=env,
                                      cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        try:
            wait_for_health(port, time.monotonic() + 60, request_timeout=5)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None,
         token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def token(base: str, username: str) -> str:
    return str(call(base, "POST", "/auth/token", {"username": username, "password": PASSWORD})["token"])


def step(base: str, case_no: str, bpmn_id: str, username: str, data: dict[str, Any]) -> None:
    """Complete the case's ready task ``bpmn_id`` as ``username`` through the API."""
    bearer = token(base, username)
    tasks = call(base, "GET", f"/tasks?case_no={case_no}", token=bearer)["tasks"]
    task = next(t for t in tasks if t["bpmn_id"] == bpmn_id)
    call(base, "POST", f"/tasks/{task['id']}/complete", {"data": data}, bearer)


def test_the_queue_shows_a_dispatched_task_and_the_bell_counts_it_without_reloading(browser: Any,
                                                                                      city_server: str) -> None:
    live_queue(browser, city_server)


def test_the_same_on_postgresql_under_gunicorn_across_worker_processes(browser: Any, pg_server: str) -> None:
    """Two gunicorn workers: the member's stream and the dispatcher's request may be served by different processes,
    which only PostgreSQL's notifications connect."""
    live_queue(browser, pg_server)


def live_queue(browser: Any, base: str) -> None:
    """The member's queue open, a case dispatched to the department through the API: the row and the bell's count
    arrive without a reload; the bell leads to the inbox, marked read."""
    case_no = str(call(base, "POST", "/cases", {"subtype_code": "0601", "description": "暴露垃圾 live list",
                                                "lon": 117.65, "lat": 24.51, "channel": "hotline"},
                       token(base, "seat01"))["case_no"])
    step(base, case_no, "verify_report", "collector001", {"verification": {"found": True}})
    step(base, case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})

    member = sign_in(browser, base, MEMBER)
    for _ in range(7):  # page after page in one tab: each page's stream replaces the last, never five at once
        member.goto(f"{base}/queue")
        member.wait_for_selector("body[data-live=open]", timeout=15_000)  # the stream is up
    assert member.locator("tr.task-row", has_text=case_no).count() == 0
    before = int(member.locator("#bell .bell-count").inner_text())
    member.evaluate("window.__notReloaded = true")

    step(base, case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})  # 派遣 to the department

    member.locator("tr.task-row", has_text=case_no).wait_for(timeout=15_000)
    member.wait_for_function(f"Number(document.querySelector('#bell .bell-count').textContent) > {before}",
                             timeout=15_000)
    assert member.evaluate("window.__notReloaded === true")  # the same page: nothing reloaded it
    assert "处置" in member.locator("tr.task-row", has_text=case_no).inner_text()

    member.click("#bell")  # the bell leads to the inbox, newest first, the dispatched case linked
    member.wait_for_load_state("networkidle")
    assert "/notifications" in member.url
    newest = member.locator("tr.inbox-item").first
    assert "unread" in (newest.get_attribute("class") or "")
    member.locator("form.mark-all button").click()
    member.wait_for_load_state("networkidle")
    assert member.locator("#bell .bell-count").inner_text() == "0"
    assert member.locator("tr.inbox-item.unread").count() == 0
