"""The emergency command dashboard in a real browser (Debian's Chromium at 1920×1080): a supervisor has the large
screen open; a problem reported through the API in the emergency's area raises the incident count and adds a point
to the map, and an acknowledgement raises the team's count — without a reload, through the dashboard's live stream
(the hub's poller on SQLite), which the page shows as 实时 (live)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import PASSWORD, serve_city

from city.bootstrap import bootstrap
from city.emergency.commands import AcknowledgeAssembly, DeclareEmergency
from engine.persistence.db import create_db_engine
from engine.service.bus import MessageBus
from web.settings import Settings

MEMBER = "dept_350602s07_01"
TEAM = "石亭街道 street office"
POINT = (117.65, 24.51)  # district 350602


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`gridcase serve` and `gridcase scheduler` over a copy of the seeded city; (base URL, database URL)."""
    yield from serve_city(tmp_path_factory, "dashboard_server")


def city_bus(url: str) -> MessageBus:
    """A bus over the server's database, as another host's command line would have (the same commands)."""
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "e2e"})
    return bootstrap(create_db_engine(url), working_time=settings.working_time(), workflows_dir=settings.workflows_dir)


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None,
         token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def token(base: str, username: str) -> str:
    return str(call(base, "POST", "/auth/token", {"username": username, "password": PASSWORD})["token"])


def test_the_dashboard_counts_a_report_and_an_acknowledgement_without_reloading(browser: Any,
                                                                                server: tuple[str, str]) -> None:
    base, url = server
    bus = city_bus(url)
    now = datetime.now(UTC)
    declared = bus.handle(DeclareEmergency(
        kind="typhoon", level="I", area={"districts": ["350602"], "streets": []}, starts_at=now.isoformat(),
        ends_at=(now + timedelta(hours=12)).isoformat(), commander="supervisor01", actor="supervisor01",
        name="台风 e2e",
        teams=({"name": TEAM, "departments": ["350602-S07"]}, {"name": "调度 dispatchers", "role": "dispatcher"}),
        assembly_point={"name": "指挥中心", "lon": POINT[0], "lat": POINT[1]}))
    eid = int(declared["id"])

    page = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "supervisor01")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/emergencies/{eid}/dashboard")
    page.locator("#ed-mode").filter(has_text="实时").wait_for(timeout=15_000)  # the live stream is up
    assert page.locator("#ed-level").inner_text().startswith("I")
    incidents = int(page.locator("#count-incidents").inner_text())
    markers = int(page.locator("#ed-map").get_attribute("data-markers") or "0")
    team_row = page.locator("#teams tbody tr", has_text=TEAM)
    assert team_row.locator("td").nth(2).inner_text() == "0"  # acknowledged
    size = page.evaluate("[document.getElementById('ed').offsetWidth, document.getElementById('ed').offsetHeight]")
    assert size == [1920, 1080]  # the large screen, no scrolling
    page.evaluate("window.__notReloaded = true")

    case = call(base, "POST", "/cases", {"subtype_code": "0601", "description": "暴露垃圾 during the typhoon",
                                         "lon": POINT[0], "lat": POINT[1], "channel": "hotline"},
                token(base, "seat01"))
    page.locator("#count-incidents").filter(has_text=re.compile(f"^{incidents + 1}$")).wait_for(timeout=15_000)
    page.locator(f"#ed-map[data-markers='{markers + 1}']").wait_for(timeout=15_000)
    assert page.locator("#ed-mode").inner_text() == "实时"  # by the stream, not the fallback polling
    assert case["case_no"]

    bus.handle(AcknowledgeAssembly(eid, MEMBER))
    team_row.locator("td").nth(2).filter(has_text=re.compile("^1$")).wait_for(timeout=15_000)
    assert int(page.locator("#count-acknowledged").inner_text()) == 1
    assert page.evaluate("window.__notReloaded === true")  # the same page: nothing reloaded it
