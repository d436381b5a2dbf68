"""Transport supervision's pages in a real browser (Debian's Chromium): the live map shows the vehicles at their
newest positions; a vehicle's recorded track plays back — the marker moves along it, the slider follows, the permit
corridor and the alert on the track are drawn, and dragging the slider moves the marker; the alert list filters by
company. The data are rows written into the server's database (tests/transport_support.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from browser_support import sign_in, unused_port, wait_for_health
from city_template import sqlite_city
from playwright.sync_api import expect
from sqlalchemy.engine import Engine
from transport_support import CORRIDOR, alert, drive, fleet

from engine.persistence.db import create_db_engine

GRIDCASE = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """`gridcase serve` over a copy of the seeded city; (base URL, an engine on its database)."""
    folder = tmp_path_factory.mktemp("transport_server")
    url = sqlite_city(tmp_path_factory, folder)
    port = unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
           "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"), "GRIDCASE_LOG_LEVEL": "WARNING"}
    engine = create_db_engine(url)
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen([*GRIDCASE, "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}", engine
        finally:
            process.terminate()
            process.wait(timeout=20)
            engine.dispose()


def _tag() -> str:
    return uuid.uuid4().hex[:5].upper()


def test_the_live_map_shows_the_vehicles(browser: Any, server: tuple[str, Engine]) -> None:
    base, engine = server
    tag, now = _tag(), datetime.now(UTC)
    plates = [f"闽E{tag}{n}" for n in range(3)]
    made = fleet(engine, now, {f"L{tag}": plates})
    drive(engine, plates[0], made.vehicles[plates[0]], now - timedelta(minutes=2), 10)
    drive(engine, plates[1], made.vehicles[plates[1]], now - timedelta(minutes=2), 10, speed=0.0)
    drive(engine, plates[2], made.vehicles[plates[2]], now - timedelta(hours=2), 10)
    page = sign_in(browser, base, "shiftlead01")
    page.click("#nav-transport")
    page.wait_for_selector('#transport-live-map[data-ready="1"]')
    for plate, state in zip(plates, ("moving", "stopped", "silent"), strict=True):
        marker = page.locator(f'#transport-live-map path[data-plate="{plate}"]')
        assert marker.get_attribute("data-state") == state
        assert page.locator(f'#transport-vehicles tr[data-plate="{plate}"]').get_attribute("data-state") == state
    page.locator(f'#transport-vehicles tr[data-plate="{plates[0]}"] a').click()
    page.wait_for_selector('#playback-map[data-ready="1"]')
    assert page.locator("h1").inner_text().startswith(plates[0])


def test_a_recorded_track_plays_back_along_its_corridor(browser: Any, server: tuple[str, Engine]) -> None:
    base, engine = server
    tag, now = _tag(), datetime.now(UTC)
    plate = f"闽E{tag}P"
    made = fleet(engine, now, {f"P{tag}": [plate]})
    points = drive(engine, plate, made.vehicles[plate], now - timedelta(minutes=12), 60)  # 10 s apart: 590 s
    middle = points[30]
    alert_id = alert(engine, made.vehicles[plate], made.companies[f"P{tag}"], "off_route", middle[0],
                     lon=middle[1], lat=middle[2], permit_id=made.permit_id)
    page = sign_in(browser, base, "shiftlead01")
    page.goto(f"{base}/transport/vehicles/{plate}")
    playback = page.locator("#playback-map")
    page.wait_for_selector('#playback-map[data-ready="1"]')
    assert (playback.get_attribute("data-points"), playback.get_attribute("data-corridors"),
            playback.get_attribute("data-alerts")) == ("60", "1", "1")
    assert page.locator(f'#playback-map path[data-alert="{alert_id}"]').count() == 1
    assert page.locator("#playback-map .leaflet-overlay-pane path").count() >= 6  # corridor, its line, 2 sites, track
    assert playback.get_attribute("data-index") == "0"
    assert float(playback.get_attribute("data-lon") or 0) == pytest.approx(CORRIDOR[0][0])

    page.select_option("#playback-speed", "60")
    page.click("#playback-play")
    expect(playback).to_have_attribute("data-index", re.compile(r"^[1-9][0-9]$"), timeout=20000)  # 10 or later
    index = int(playback.get_attribute("data-index") or 0)
    assert float(playback.get_attribute("data-lon") or 0) > points[5][1]  # the marker went east along the track
    assert int(page.locator("#playback-slider").input_value()) >= 10 and index >= 10
    page.wait_for_selector('#playback-map[data-playing="0"][data-index="59"]', timeout=30000)  # played to the end
    assert playback.get_attribute("data-index") == "59"
    assert page.locator("#playback-slider").input_value() == "59"
    assert float(playback.get_attribute("data-lon") or 0) == pytest.approx(points[-1][1])

    page.eval_on_selector("#playback-slider", "s => { s.value = '30'; s.dispatchEvent(new Event('input')); }")
    assert playback.get_attribute("data-index") == "30"
    assert float(playback.get_attribute("data-lon") or 0) == pytest.approx(middle[1])
    assert page.locator("#playback-time").inner_text() == middle[0].astimezone(
        ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    page.locator(f'#playback-map path[data-alert="{alert_id}"]').click()
    page.get_by_role("link", name="偏离路线").click()
    page.wait_for_selector('#alert-map[data-ready="1"]')
    assert page.locator("#alert-facts").inner_text().count(plate) == 1


def test_a_sites_name_shows_as_text_never_as_markup(browser: Any, server: tuple[str, Engine]) -> None:
    base, engine = server
    tag, now = _tag(), datetime.now(UTC)
    plate, company = f"闽E{tag}X", f"X{tag}"
    fleet(engine, now, {company: [plate]})
    name = '<a id="phish" href="https://example.com/login">请重新登录</a>'
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE transport_sites SET name = :name WHERE code = :code"),
                     {"name": name, "code": f"SRC-{company}"})
    page = sign_in(browser, base, "shiftlead01")
    page.goto(f"{base}/transport/vehicles/{plate}")
    page.wait_for_selector('#playback-map[data-ready="1"]')
    page.locator(f'#playback-map path[data-site="SRC-{company}"]').dispatch_event("mouseover")
    tooltip = page.locator("#playback-map .leaflet-tooltip")
    expect(tooltip).to_contain_text(name)  # the characters themselves
    assert page.locator("#phish").count() == 0 and tooltip.locator("a").count() == 0


def test_the_alert_list_filters_by_company(browser: Any, server: tuple[str, Engine]) -> None:
    base, engine = server
    tag, now = _tag(), datetime.now(UTC)
    first, second = f"A{tag}", f"B{tag}"
    made = fleet(engine, now, {first: [f"闽E{tag}A"], second: [f"闽E{tag}B"]})
    mine = alert(engine, made.vehicles[f"闽E{tag}A"], made.companies[first], "suspected_dumping",
                 now - timedelta(hours=1))
    theirs = alert(engine, made.vehicles[f"闽E{tag}B"], made.companies[second], "off_route", now - timedelta(hours=2))
    page = sign_in(browser, base, "shiftlead01")
    page.goto(f"{base}/transport/alerts")
    assert page.locator(f'#alert-list tr[data-alert="{mine}"]').count() == 1
    assert page.locator(f'#alert-list tr[data-alert="{theirs}"]').count() == 1
    page.select_option("#filter-company", first)
    page.click("#filter-apply")
    page.wait_for_load_state("networkidle")
    assert f"company={first}" in page.url
    rows = page.locator("#alert-list tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-alert") == str(mine)
    assert page.locator("#alert-counts tbody tr").count() == 1
    assert page.locator(f'#alert-counts tr[data-company="{first}"]').count() == 1
    assert page.locator("#alert-total").inner_text() == "1"
