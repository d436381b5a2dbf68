"""The assessment rankings page in a real browser (Debian's Chromium): a shift lead reads a garbage-sorting round's
ranking — the level tabs, the Leaflet map with one feature per object coloured by its light, the trend chart in
inline SVG, the table sorted by a click on its heading — and switches the period; the property scheme's company
tab shows the companies' grades."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from assessment_support import DEMO
from assessment_views_support import company, obj, registry, scored_round
from browser_support import serve_city, sign_in

FIRST, SECOND = DEMO.first, DEMO.second


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    yield from serve_city(tmp_path_factory, "assessment_server")


def _seed(url: str) -> dict[str, Any]:
    """Two garbage-sorting rounds over four objects and a property round over two companies' compounds."""
    db = sa.create_engine(url)
    try:
        ids = registry(db)
        made = [obj(db, "garbage_sorting", place, name) for place, name in (
            (FIRST, "浏览器甲"), (FIRST, "浏览器乙"), (SECOND, "浏览器丙"), (SECOND, "浏览器丁"))]
        scored_round(db, "garbage_sorting", "2040-01", ids["garbage_sorting"],
                     dict(zip([m[1] for m in made], [60.0, 70.0, 80.0, 90.0], strict=True)))
        scored_round(db, "garbage_sorting", "2040-02", ids["garbage_sorting"],
                     dict(zip([m[1] for m in made], [95.0, 85.0, 65.0, None], strict=True)))
        (good, good_id), (poor, poor_id) = company(db, "优秀物业"), company(db, "一般物业")
        compounds = [obj(db, "property", FIRST, "浏览器苑", good_id), obj(db, "property", SECOND, "测试苑", poor_id)]
        scored_round(db, "property", "2040-Q1", ids["property"], {compounds[0][1]: 92.0, compounds[1][1]: 55.0})
        return {"objects": [m[0] for m in made], "companies": (good, poor)}
    finally:
        db.dispose()


def test_the_rankings_page_tabs_map_trend_and_period_switch(browser: Any, server: tuple[str, str]) -> None:
    base, url = server
    seeded = _seed(url)
    page = sign_in(browser, base, "shiftlead01")
    page.goto(f"{base}/assessment")
    page.locator("#nav-assessment").click()
    page.locator("a", has_text="垃圾分类考评排名").click()
    page.wait_for_selector("#assessment-map[data-ready='1']")
    assert page.locator("#ranking-period").input_value() == "2040-02"  # the newest round by default
    rows = page.locator("#ranking-table tbody tr")
    assert [rows.nth(i).get_attribute("data-code") for i in range(4)] == seeded["objects"]  # 95, 85, 65, —
    score_map = page.locator("#assessment-map")
    assert score_map.get_attribute("data-features") == "4"
    assert (score_map.get_attribute("data-light_green"), score_map.get_attribute("data-light_grey")) == ("1", "1")
    assert page.locator("#assessment-map canvas").count() == 1  # the markers drawn on a canvas (preferCanvas)
    assert page.locator("#trend-chart polyline").count() == 1
    assert page.locator("#trend-chart circle").count() == 2  # two periods with a round

    page.locator("#ranking-table thead th", has_text="得分").first.click()  # ascending: the lowest first
    assert rows.first.get_attribute("data-code") == seeded["objects"][2]
    assert rows.last.get_attribute("data-code") == seeded["objects"][3]  # not inspected: blanks last

    page.locator('#ranking-levels a[data-level="district"]').click()
    page.wait_for_selector("#assessment-map[data-ready='1']")
    assert "level=district" in page.url
    assert page.locator('#ranking-levels a[aria-selected="true"]').get_attribute("data-level") == "district"
    assert page.locator("#ranking-table tbody tr").count() == 2
    page.locator("#ranking-table tbody tr").first.locator("a").click()  # its trend beside the overall line
    page.wait_for_selector("#trend-chart g.selected polyline")

    page.locator("#ranking-period").select_option("2040-01")
    page.wait_for_selector("#assessment-map[data-ready='1']")
    assert "period=2040-01" in page.url
    first = page.locator("#ranking-table tbody tr").first
    assert first.get_attribute("data-code") == SECOND.district  # 85 against 65 in January

    page.locator("#ranking-scheme").select_option("property")
    page.wait_for_selector("#assessment-map[data-ready='1']")
    page.locator('#ranking-levels a[data-level="company"]').click()
    page.wait_for_selector("#ranking-table")
    grades = page.locator("#ranking-table td.grade").all_inner_texts()
    assert grades == ["A", "A"]  # no credit event: 100
    assert page.locator("#ranking-table tbody tr").first.get_attribute("data-code") == seeded["companies"][0]
