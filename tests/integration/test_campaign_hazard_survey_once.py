"""One running hazard survey per emergency unless confirmed, on SQLite and PostgreSQL: the check is StartCampaign's
own, in its transaction, so the API, the dashboard's button and a second quick click are refused alike (409 naming
``another``, nothing written); ``another`` starts a second one; an ended survey asks no confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_support import Api, error_of
from campaign_support import LEAD, STREET, counts, rows

from city.campaigns.commands import EndCampaign
from city.campaigns.hazard_survey import survey_command
from city.emergency.commands import DeclareEmergency
from engine.domain.errors import ConcurrencyConflict


def _declare(api: Api) -> int:
    now = api.deps.clock.now()
    ref = api.bus.handle(DeclareEmergency(
        kind="typhoon", level="II", area={"districts": [], "streets": [STREET]}, starts_at=now.isoformat(),
        ends_at=(now + timedelta(days=1)).isoformat(), commander="supervisor01", actor="supervisor01",
        name="台风 once test", teams=({"name": "调度", "role": "dispatcher"},), ack_within_minutes=20))
    return int(ref["id"])


def _body(api: Api, eid: int, **extra: object) -> dict[str, object]:
    now = api.deps.clock.now()
    return {"name": "隐患排查", "kind": "hazard_survey", "topics": ["H01"], "area": {"streets": [STREET]},
            "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=12)).isoformat(), "emergency_id": eid,
            **extra}


def test_a_second_running_survey_needs_another(api: Api) -> None:
    eid = _declare(api)
    first = api.bus.handle(survey_command(api.deps, eid, LEAD))
    before = counts(api.bus)
    with pytest.raises(ConcurrencyConflict) as refused:  # the second click: the command itself refuses
        api.bus.handle(survey_command(api.deps, eid, LEAD))
    assert refused.value.field == "another"
    assert "another" in error_of(api.post("/campaigns", LEAD, _body(api, eid)), 409)["fields"]
    assert counts(api.bus) == before
    census = api.post("/campaigns", LEAD, _body(api, eid, kind="census", topics=["C01"]))
    assert census.status_code == 201, census.json  # only hazard surveys are one at a time
    second = api.post("/campaigns", LEAD, _body(api, eid, another=True))
    assert second.status_code == 201, second.json
    kinds = rows(api.bus, "SELECT id, kind FROM campaigns WHERE emergency_id = ? ORDER BY id", eid)
    assert [k for _, k in kinds] == ["hazard_survey", "census", "hazard_survey"]
    assert kinds[0][0] == first["campaign_id"]


def test_an_ended_survey_asks_no_confirmation(api: Api) -> None:
    eid = _declare(api)
    first = api.bus.handle(survey_command(api.deps, eid, LEAD))
    api.bus.handle(EndCampaign(first["campaign_id"], LEAD, "风停了"))
    again = api.bus.handle(survey_command(api.deps, eid, LEAD))
    assert again["campaign_id"] != first["campaign_id"]
