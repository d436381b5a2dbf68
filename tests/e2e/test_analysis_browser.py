"""The analysis pages in a real browser (Debian's Chromium): the heat map draws every unit grid as a path and
a filter changes the colours and the total without reloading; a grid's cases open on click; the point heat
layer draws; the trend chart renders with ECharts and follows the granularity; no console errors.

The server's city holds a year of imported history (``gridcase demo history`` + ``gridcase import cases``)
ending this month, so every page has cases to show."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import sign_in, unused_port, wait_for_health
from city_template import sqlite_city

GRIDCASE = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gridcase serve` over the demo city with 3000 history cases over the last 12 months; its base URL."""
    folder = tmp_path_factory.mktemp("analysis_server")
    url = sqlite_city(tmp_path_factory, folder)  # a copy of the session's seeded city (tests/city_template.py)
    port = unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port),
           "GRIDCASE_SECRET_KEY": "e2e", "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"),
           "GRIDCASE_LOG_LEVEL": "WARNING"}
    today = date.today()
    start = f"{today.year - 1 if today.month < 12 else today.year}-{today.month % 12 + 1:02d}"
    history = str(folder / "history.csv")
    for args in (["demo", "history", "--cases", "3000", "--months", "12", "--start", start, "--out", history],
                 ["import", "cases", history]):
        subprocess.run([*GRIDCASE, *args], check=True, env=env, cwd=ROOT, capture_output=True)
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen([*GRIDCASE, "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=20)


def watched(page: Any) -> list[str]:
    """The page's console errors and uncaught exceptions, as they come."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def coloured(page: Any) -> int:
    """How many grid paths have cases (any fill but the empty colour)."""
    return int(page.evaluate("""() => Array.from(document.querySelectorAll('#heat-map path.leaflet-interactive'))
        .filter(p => (p.getAttribute('fill') || '').toLowerCase() !== '#f8fafc').length"""))


def test_the_heat_map_draws_the_grids_and_filters_them(browser: Any, analysis_server: str) -> None:
    page = sign_in(browser, analysis_server, "supervisor01")
    errors = watched(page)
    page.goto(f"{analysis_server}/analysis/heatmap")
    page.wait_for_selector("#heat-map[data-grids][data-total]", timeout=30000)
    assert page.locator("#heat-map path.leaflet-interactive").count() == 4226
    total, before = int(page.get_attribute("#heat-map", "data-total")), coloured(page)
    assert total > 2000 and before > 500
    assert page.locator("#heat-legend .swatch").count() >= 3
    page.select_option("select[name=channel]", "hotline")
    page.wait_for_selector(f"#heat-map:not([data-total='{total}'])")
    page.wait_for_timeout(200)
    hotline = int(page.get_attribute("#heat-map", "data-total"))
    assert 0 < hotline < total and 0 < coloured(page) < before
    assert "channel=hotline" in page.url  # the filters are in the address, without a reload
    page.locator("#heat-map path.leaflet-interactive").nth(2000).click(force=True)
    page.wait_for_selector("#grid-cases h2")
    page.check("#heat-points")
    page.wait_for_selector("#heat-map canvas.leaflet-heatmap-layer", timeout=10000)
    assert errors == []


def test_a_grid_lists_its_cases_with_links(browser: Any, analysis_server: str) -> None:
    page = sign_in(browser, analysis_server, "auditor01")
    errors = watched(page)
    page.goto(f"{analysis_server}/analysis/heatmap")
    page.wait_for_selector("#heat-map[data-grids][data-total]", timeout=30000)
    busiest = page.evaluate("""() => { const paths = Array.from(document.querySelectorAll(
        '#heat-map path.leaflet-interactive')); return paths.findIndex(p => p.getAttribute('fill') === '#a50f15'); }""")
    assert busiest >= 0
    page.locator("#heat-map path.leaflet-interactive").nth(busiest).click(force=True)
    page.wait_for_selector("#grid-cases ol li a")
    assert page.get_attribute("#grid-cases ol li a", "href").startswith("/cases/")
    assert errors == []


def test_the_trend_chart_renders(browser: Any, analysis_server: str) -> None:
    page = sign_in(browser, analysis_server, "dispatcher01")
    errors = watched(page)
    page.goto(f"{analysis_server}/analysis/trends")
    page.wait_for_selector("#trend-chart[data-total] canvas", timeout=30000)
    assert int(page.get_attribute("#trend-chart", "data-periods")) == 90
    assert int(page.get_attribute("#trend-chart", "data-total")) > 0
    page.select_option("select[name=by]", "week")
    page.wait_for_selector("#trend-chart:not([data-periods='90'])")
    assert 13 <= int(page.get_attribute("#trend-chart", "data-periods")) <= 14
    page.goto(f"{analysis_server}/analysis/hotspots")
    assert page.locator("table.hot-grids tbody tr").count() > 0
    assert errors == []


def test_a_bad_filter_shows_its_field(browser: Any, analysis_server: str) -> None:
    page = sign_in(browser, analysis_server, "admin")
    errors = watched(page)
    page.goto(f"{analysis_server}/analysis/trends?filtered=1&since=2026-05-01&until=2026-04-01")
    page.wait_for_selector(".filter-error:not([hidden])")
    assert page.get_attribute(".filter-error", "data-field") == "until"
    assert [e for e in errors if "422" not in e] == []  # the browser logs the refused request itself
