"""The campaigns' pages (web/pages/campaigns.py) on SQLite and PostgreSQL: the start form sends StartCampaign (its
errors next to their fields, nothing started), the progress page, the grid shapes (ETag), the printable report,
the collector's sweep page (only for the grid's own team), and the task list's link from a sweep_grid task."""

from __future__ import annotations

import re

from api_support import Api
from pages_support import Browser

from engine.persistence.read import city, city_package


def _street(api: Api) -> str:
    with api.deps.uow(read_only=True) as uow:
        return next(s["code"] for s in city_package.streets(uow.store) if s["district_code"] == "350602")


def test_the_start_form_starts_a_campaign_and_its_pages_show_it(api: Api) -> None:
    lead = Browser(api, "shiftlead01")
    page = lead.get("/campaigns")
    assert page.status_code == 200 and 'id="start-campaign"' in page.text
    topic = re.search(r'name="topics" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": lead.token, "name": "页面普查", "kind": "census", "topics": [topic],
            "streets": [_street(api)], "starts_on": "2026-12-07", "ends_on": "2026-12-31", "teams": ""}
    refused = lead.client.post("/campaigns", data={**form, "name": ""})
    assert refused.status_code == 422 and 'data-field="name"' in refused.text
    refused = lead.client.post("/campaigns", data={**form, "teams": "一队 only"})
    assert refused.status_code == 422 and 'data-field="teams"' in refused.text
    assert "页面普查" not in lead.get("/campaigns").text  # nothing started
    started = lead.client.post("/campaigns", data=form)
    assert started.status_code == 302, started.text[:2000]
    progress_url = started.headers["Location"]
    campaign = int(progress_url.rstrip("/").split("/")[-1])

    progress = lead.get(progress_url)
    assert progress.status_code == 200 and 'id="campaign-map"' in progress.text
    shapes = lead.get("/campaigns/grid-shapes")
    assert shapes.status_code == 200 and len(shapes.json["features"]) == 4226
    again = lead.client.get("/campaigns/grid-shapes", headers={"If-None-Match": shapes.headers["ETag"]})
    assert again.status_code == 304
    report = lead.get(f"/campaigns/{campaign}/report")
    assert report.status_code == 200 and "页面普查" in report.text and 'data-total="found"' in report.text
    assert lead.get("/campaigns/999999").status_code == 404

    states = api.get(f"/campaigns/{campaign}/grids", "shiftlead01").json["grids"]
    grid = sorted(states)[0]
    collector = Browser(api, "collector001")
    assert collector.get("/campaigns").status_code == 403  # the list is the centre's
    listed = collector.get("/collector/rows")
    link = re.search(r'href="(/sweep-tasks/[^"]+)"', listed.text)
    assert link, listed.text[:3000]
    to_sweep = collector.client.get(link.group(1))
    assert to_sweep.status_code == 302 and "/sweep" in to_sweep.headers["Location"]
    sweep = collector.get(f"/campaigns/{campaign}/grids/{grid}/sweep")
    assert sweep.status_code == 200 and 'id="finish-grid"' in sweep.text and 'class="sweep-item' in sweep.text
    stranger = Browser(api, _collector_elsewhere(api))
    assert stranger.get(f"/campaigns/{campaign}/grids/{grid}/sweep").status_code == 404  # not their team's grid


def _collector_elsewhere(api: Api) -> str:
    with api.deps.uow(read_only=True) as uow:
        people = city.users(uow.store)
    return next(p["username"] for p in people if p["role"] == "collector" and p["district_code"] != "350602")
