"""The rankings page's map in a real browser (Debian's Chromium): drawn on a canvas (a city has thousands of
objects), and an object's popup shows a hostile registry name as text — no link, no image, no script injected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from assessment_support import DEMO
from assessment_views_support import obj, registry, scored_round
from browser_support import serve_city, sign_in

HOSTILE = ('<a id="pwn" href="https://evil.example/login">登录已过期，点此重新登录</a>'
           '<img id="pwnimg" src="x" onerror="document.body.dataset.pwned = 1">')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    yield from serve_city(tmp_path_factory, "assessment_server")


def test_the_popup_shows_a_hostile_name_as_text_on_a_canvas_map(browser: Any, server: tuple[str, str]) -> None:
    base, url = server
    db = sa.create_engine(url)
    try:
        ids = registry(db)
        made = obj(db, "garbage_sorting", DEMO.first, HOSTILE)
        scored_round(db, "garbage_sorting", "2041-01", ids["garbage_sorting"], {made[1]: 90.0})
    finally:
        db.dispose()
    page = sign_in(browser, base, "shiftlead01")
    page.goto(f"{base}/assessment/rankings?scheme=garbage_sorting&period=2041-01")
    page.wait_for_selector("#assessment-map[data-ready='1']")
    score_map = page.locator("#assessment-map")
    assert score_map.locator("canvas").count() == 1 and score_map.locator("path.leaflet-interactive").count() == 0
    box = score_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the one object: the map's centre
    content = page.wait_for_selector(".leaflet-popup-content")
    assert content.inner_text().startswith(HOSTILE) and "90" in content.inner_text()
    assert page.locator("#pwn").count() == 0 and page.locator("#pwnimg").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
