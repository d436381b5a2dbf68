"""Only the engine's own commands end a campaign or its sweeps, on SQLite and PostgreSQL: ``campaign_ended`` and
``end_campaign`` sent to ``POST /api/v1/messages`` are refused naming ``name``; the same messages sent past the API
(the engine's SendMessage, without the campaign's end_key) reach no case; nothing changes either way. The emergency's
own signals are refused by the signal API the same way. A grid the
early end closed takes no record any more (409 naming ``grid_code``, as a done grid)."""

from __future__ import annotations

import pytest
from api_support import Api, error_of
from campaign_support import COLLECTOR, LEAD, counts, inside, rows, start, street_grids

from city.campaigns.commands import RecordSweepCheck, ReportCampaignFinding
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, NotAllowed, NotFound
from engine.service.bus import MessageBus

FORGED = {"ended_by": "supervisor01", "reason": "forged", "actor": "supervisor01"}


def _state(bus: MessageBus, campaign: int) -> list[tuple[object, ...]]:
    return rows(bus, "SELECT g.grid_code, g.state, g.done_by, s.status FROM campaign_grids g JOIN cases s"
                     " ON s.id = g.case_id WHERE g.campaign_id = ? ORDER BY g.grid_code", campaign) + rows(
        bus, "SELECT state, ended_by FROM campaigns WHERE id = ?", campaign)


def test_the_message_api_refuses_the_campaigns_own_messages(api: Api) -> None:
    bus = api.bus
    bus.handle(c.AddUser("forger", "Integration", "integration", "forger-password"))
    api.token("forger", "forger-password")
    campaign = start(bus, street_grids(bus, 2), topics=("C01",))["campaign_id"]
    before = (_state(bus, campaign), counts(bus))
    for name in ("campaign_ended", "end_campaign"):
        for who in ("forger", "admin"):
            sent = api.post("/messages", who, {"name": name, "correlation": {"campaign_id": campaign},
                                               "payload": {"campaign_id": campaign, **FORGED}})
            assert "name" in error_of(sent, 403)["fields"], name
    assert (_state(bus, campaign), counts(bus)) == before
    assert all(state == "open" for _, state, _, _ in _state(bus, campaign)[:-1])


def test_a_campaign_message_without_the_end_key_reaches_no_case(api: Api) -> None:
    bus = api.bus
    campaign = start(bus, street_grids(bus, 2), topics=("C01",))["campaign_id"]
    before = (_state(bus, campaign), counts(bus))
    for name in ("campaign_ended", "end_campaign"):
        with pytest.raises(NotAllowed):  # the command refuses an account, whatever the entry point
            bus.handle(c.SendMessage(name, {"campaign_id": campaign, **FORGED}, "forger",
                                     {"campaign_id": campaign}))
        with pytest.raises(NotFound):  # a case's own throw without the campaign's end key reaches nothing
            bus.handle(c.SendMessage(name, {"campaign_id": campaign, **FORGED}, "case:0",
                                     {"campaign_id": campaign}))
    assert (_state(bus, campaign), counts(bus)) == before
    ended = api.post(f"/campaigns/{campaign}/end", LEAD, {"reason": "台风"})  # the command still ends it
    assert ended.status_code == 200, ended.json
    assert [state for _, state, _, _ in _state(bus, campaign)[:-1]] == ["ended", "ended"]
    assert _state(bus, campaign)[-1] == ("ended", LEAD)


def test_a_grid_closed_by_the_early_end_takes_no_record(api: Api) -> None:
    bus = api.bus
    grids = street_grids(bus, 2)
    campaign = start(bus, grids, topics=("C01",))["campaign_id"]
    assert api.post(f"/campaigns/{campaign}/end", LEAD, {"reason": "台风"}).status_code == 200
    before = (_state(bus, campaign), counts(bus))
    with pytest.raises(ConcurrencyConflict) as refused:
        bus.handle(RecordSweepCheck(campaign, grids[1], "C01", "damaged", "clear", None, COLLECTOR))
    assert refused.value.field == "grid_code" and grids[1] in refused.value.message
    lon, lat = inside(bus, grids[1])
    with pytest.raises(ConcurrencyConflict) as refused:
        bus.handle(ReportCampaignFinding(campaign, grids[1], "C01", "damaged", "k1", "record", None, "破损",
                                         lon, lat, COLLECTOR))
    assert refused.value.field == "grid_code"
    url = f"/campaigns/{campaign}/grids/{grids[0]}/checks"
    assert "grid_code" in error_of(api.post(url, COLLECTOR, {"topic_code": "C01", "item_code": "damaged",
                                                            "result": "clear"}), 409)["fields"]
    assert (_state(bus, campaign), counts(bus)) == before


def test_the_signal_api_refuses_the_emergency_signals(api: Api) -> None:
    """A forged emergency_ended would close every assembly call, a forged declaration switch waiting cases to the
    emergency rules: only the emergency case throws them (DeclareEmergency / EndEmergency are the way in)."""
    before = counts(api.bus)
    for name in ("emergency_declared", "emergency_ended"):
        thrown = api.post("/signals", "admin", {"name": name, "payload": {"emergency_id": 1}})
        assert "name" in error_of(thrown, 403)["fields"], name
    assert counts(api.bus) == before
