"""The command dashboard's hazard survey (隐患排查) on SQLite and PostgreSQL: the button — for those who may run
campaigns only — starts a hazard_survey campaign over the emergency's area with the city's hazard topics and the
emergency named (StartCampaign: the same checks); the dashboard then links to its progress page, and a second
survey is started only when the form confirms it. An ended emergency offers none and is refused naming
``emergency_id``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from api_support import Api
from campaign_support import STREET, rows
from pages_support import Browser

from city.emergency.commands import DeclareEmergency, EndEmergency

TEAM = {"name": "调度 dispatchers", "role": "dispatcher"}


def _declare(api: Api) -> int:
    """A typhoon over the demo city's smallest street (83 unit grids) for a day."""
    now = api.deps.clock.now()
    ref = api.bus.handle(DeclareEmergency(
        kind="typhoon", level="II", area={"districts": [], "streets": [STREET]}, starts_at=now.isoformat(),
        ends_at=(now + timedelta(days=1)).isoformat(), commander="supervisor01", actor="supervisor01",
        name="台风 survey test", teams=(TEAM,), ack_within_minutes=20))
    return int(ref["id"])


def _post(browser: Browser, eid: int, **form: str) -> Any:
    return browser.client.post(f"/emergencies/{eid}/hazard-survey", data={"csrf_token": browser.token, **form})


def _surveys(api: Api, eid: int) -> list[tuple[Any, ...]]:
    return rows(api.bus, "SELECT id, kind, topics_json, area_json, grid_count FROM campaigns"
                         " WHERE emergency_id = ? ORDER BY id", eid)


def test_the_dashboard_starts_the_hazard_survey_then_links_to_it(api: Api) -> None:
    eid = _declare(api)
    url = f"/emergencies/{eid}/dashboard"
    seat = Browser(api, "seat01")
    assert 'id="hazard-survey-form"' not in seat.get(url).text  # a reader sees no button
    assert _post(seat, eid).status_code == 403
    lead = Browser(api, "shiftlead01")
    page = lead.get(url)
    assert 'id="hazard-survey-start"' in page.text and "data-confirm" not in page.text
    started = _post(lead, eid)
    assert started.status_code == 302, started.text[:1000]
    ((campaign, kind, topics, area, grids),) = _surveys(api, eid)
    assert started.headers["Location"].endswith(f"/campaigns/{campaign}")
    hazard = [r[0] for r in rows(api.bus, "SELECT code FROM campaign_topics WHERE \"group\" = 'hazard'"
                                          " AND enabled = ? ORDER BY code", True)]
    assert kind == "hazard_survey" and re.findall(r'"code": "(H\d+)"', topics) == hazard and len(hazard) == 8
    assert f'"streets": ["{STREET}"]' in area and grids == 83
    page = lead.get(url)
    assert f'href="/campaigns/{campaign}"' in page.text and 'id="hazard-survey-start"' not in page.text
    assert 'id="hazard-survey-another"' in page.text and "data-confirm=" in page.text
    assert f'href="/campaigns/{campaign}"' in seat.get(url).text  # readers follow the link too
    refused = _post(lead, eid)  # without the confirmation: nothing started
    assert refused.status_code == 409 and 'id="hazard-survey-error"' in refused.text and len(_surveys(api, eid)) == 1
    again = _post(lead, eid, another="1")
    assert again.status_code == 302 and len(_surveys(api, eid)) == 2


def test_an_ended_emergency_offers_no_survey_and_is_refused(api: Api) -> None:
    eid = _declare(api)
    api.bus.handle(EndEmergency(eid, "supervisor01"))
    lead = Browser(api, "supervisor01")
    page = lead.get(f"/emergencies/{eid}/dashboard")
    assert page.status_code == 200 and 'id="hazard-survey-form"' not in page.text
    lead.get("/campaigns")  # a page with a form: its CSRF token
    refused = _post(lead, eid)
    assert refused.status_code == 409 and "emergency_id" in refused.text and _surveys(api, eid) == []
    assert _post(lead, 999999).status_code == 404
