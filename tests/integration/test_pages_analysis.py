"""The analysis pages on SQLite and PostgreSQL: the heat map page (filters, map element, local scripts), the
trends page (ECharts), the hot-spot tables over hand-made facts, Chinese first with English, the nav
link, bad filters next to their fields, and who may open them."""

from __future__ import annotations

import pytest
from analysis_support import seeded_grids
from api_support import Api
from pages_support import Browser


@pytest.fixture
def g(api: Api) -> dict[str, str]:
    """The module city's grids, with the 2019 facts stored once per database (analysis_support)."""
    return seeded_grids(api)


ANALYSTS = ["supervisor01", "shiftlead01", "dispatcher01", "auditor01", "admin"]


@pytest.mark.parametrize("user", ANALYSTS)
def test_analysts_see_the_nav_link_and_the_heat_map(api: Api, user: str) -> None:
    person = Browser(api, user)
    page = person.get("/analysis/heatmap")
    assert page.status_code == 200
    assert 'href="/analysis/heatmap"' in page.text and "案件热力图" in page.text
    for asset in ("vendor/leaflet/leaflet.js", "vendor/leaflet.heat/leaflet-heat.js", "js/heatmap.js"):
        assert f"/static/{asset}" in page.text
    assert 'id="heat-map"' in page.text and 'data-shapes="/api/v1/analysis/grid-shapes"' in page.text
    assert 'name="aspect"' in page.text and 'value="A03"' in page.text and 'name="subtype"' in page.text
    assert "<script>" not in page.text  # CSP: no inline scripts


def test_the_heat_map_keeps_its_filters_and_speaks_english(api: Api) -> None:
    page = Browser(api, "supervisor01").get("/analysis/heatmap?filtered=1&channel=hotline&month=2019-03&lang=en")
    assert "Case heat map" in page.text and "Show point heat" in page.text
    assert 'value="hotline" selected' in page.text and 'value="2019-03"' in page.text


@pytest.mark.parametrize("user", ["seat01", "collector001", "dept_350602s07_01", "designer01"])
def test_others_are_refused(api: Api, user: str) -> None:
    person = Browser(api, user)
    for path in ("/analysis/heatmap", "/analysis/trends", "/analysis/hotspots"):
        assert person.get(path).status_code == 403
    assert 'href="/analysis/heatmap"' not in person.get("/").text


def test_signed_out_goes_to_login(api: Api) -> None:
    response = api.app.test_client().get("/analysis/trends")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_trends_page_loads_echarts_with_the_last_90_days(api: Api) -> None:
    page = Browser(api, "dispatcher01").get("/analysis/trends")
    assert page.status_code == 200 and "案件趋势" in page.text
    assert "/static/vendor/echarts/echarts.common.min.js" in page.text and "/static/js/trends.js" in page.text
    assert 'id="trend-chart"' in page.text and 'data-trends="/api/v1/analysis/trends"' in page.text
    assert 'name="since" value="20' in page.text and '<option value="day"' in page.text


def test_hotspot_tables(api: Api, g: dict[str, str]) -> None:
    person = Browser(api, "auditor01")
    page = person.get("/analysis/hotspots?filtered=1&since=2019-01-01&until=2019-12-31")
    assert page.status_code == 200 and "高发与疑难问题" in page.text
    assert f"<td>{g['G1']}</td><td>0601 暴露垃圾</td><td>2</td>" in page.text
    assert 'href="/cases/20190510900006"' in page.text and 'href="/cases/20190401900004"' in page.text
    assert "117.65" in page.text  # the recurring location
    english = person.get("/analysis/hotspots?filtered=1&since=2019-01-01&until=2019-12-31&lang=en")
    assert "High-frequency and hard problems" in english.text and "Recurring locations" in english.text
    empty = person.get("/analysis/hotspots?filtered=1&month=2018-01&lang=zh")
    assert "没有反复发生的位置" in empty.text


def test_bad_filters_show_their_field(api: Api) -> None:
    page = Browser(api, "admin").get("/analysis/hotspots?filtered=1&subtype=9999&since=2019-05-01&until=2019-04-01")
    assert page.status_code == 400 and 'data-field="until"' in page.text
    unknown = Browser(api, "admin").get("/analysis/hotspots?filtered=1&aspect=A99")
    assert unknown.status_code == 400 and 'data-field="aspect"' in unknown.text
