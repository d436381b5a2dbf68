"""The emergency command dashboard's and after-action report's figures (docs/emergency.md), on SQLite and PostgreSQL.

An emergency over district 350602 is declared through its command, its assembly messages sent by the connector loop
(as the scheduler does), one person acknowledges after 3 minutes and checks in after 10; problems are reported in
the area and outside it (ReportProblem), one walked through 核实, 立案 and 派遣 to its street office, which claims it 4
minutes later and reports the disposal 25 minutes after the dispatch; a hazard survey of the emergency records a
watched billboard and a case. The dashboard's and the report's figures are checked against those times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from auth_support import csrf_of
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from city.bootstrap import bootstrap
from city.campaigns.commands import ReportCampaignFinding, StartCampaign, UpdateWatchedHazard
from city.commands import ReportProblem
from city.emergency.commands import AcknowledgeAssembly, CheckInAssembly, DeclareEmergency
from engine.connectors.base import ConnectorSettings
from engine.domain.clock import FakeClock
from engine.domain.commands import ClaimTask, CompleteHumanTask
from engine.persistence.db import create_db_engine
from engine.scheduling.connectors import ConnectorLoop
from engine.service.bus import MessageBus
from web.app import create_app
from web.settings import Settings

POINT = (117.65, 24.51)  # district 350602, street office 350602-S07 disposes 0601 there
OUTSIDE = (117.70, 24.50)  # district 350690: outside the emergency's area
MEMBER = "dept_350602s07_01"
DEMO_PASSWORD = "gridcase-demo"
STREET_TEAM = {"name": "石亭街道 street office", "departments": ["350602-S07"], "leader": "shiftlead01"}
DISPATCH_TEAM = {"name": "调度 dispatchers", "role": "dispatcher"}


ROOT = Path(__file__).resolve().parents[2]


class App:
    """The app over the module's city, its bus on a fake clock with the settings' working time (the lifecycle's
    deadlines), as ``gridcase serve`` builds it."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.url = url
        self.clock = clock
        settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "dashboard-tests"})
        self.db = create_db_engine(url)
        self.bus: MessageBus = bootstrap(self.db, clock, working_time=settings.working_time(),
                                         workflows_dir=settings.workflows_dir)
        self.app: Flask = create_app(settings, self.bus)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def token(self, username: str) -> TestResponse:
        return self.client().post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})


@pytest.fixture
def app(city: str) -> Iterator[App]:
    """The app over the module's city with a fake clock (a minute past now, on the minute)."""
    found = App(city, FakeClock(datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)))
    yield found
    found.db.dispose()


def run_connectors(app: App) -> None:
    """The scheduler's connector loop once: the models' notify steps write their notifications."""
    ConnectorLoop(app.bus, ConnectorSettings()).run_once()


def ready_task(app: App, case_no: str, bpmn_id: str, user: str) -> dict[str, Any]:
    """The case's ready task ``bpmn_id`` as ``user`` sees it (through the API)."""
    response = app.client().get(f"/api/v1/tasks?case_no={case_no}", headers=bearer(app, user))
    assert response.status_code == 200, response.json
    return next(t for t in response.json["tasks"] if t["bpmn_id"] == bpmn_id)


def bearer(app: App, user: str) -> dict[str, str]:
    token = app.token(user)
    assert token.status_code == 200, token.json
    return {"Authorization": f"Bearer {token.json['token']}"}


def complete(app: App, case_no: str, bpmn_id: str, user: str, data: dict[str, Any]) -> None:
    task = ready_task(app, case_no, bpmn_id, user)
    app.bus.handle(CompleteHumanTask(task["id"], data, user, claim_if_free=True))
    run_connectors(app)


def declare(app: App) -> dict[str, Any]:
    now = app.clock.now()
    ref = app.bus.handle(DeclareEmergency(
        kind="typhoon", level="II", area={"districts": ["350602"], "streets": []},
        starts_at=now.isoformat(), ends_at=(now + timedelta(days=1)).isoformat(), commander="supervisor01",
        actor="supervisor01", name="台风 test", teams=(STREET_TEAM, DISPATCH_TEAM), ack_within_minutes=20,
        assembly_point={"name": "指挥中心", "lon": POINT[0], "lat": POINT[1]}))
    run_connectors(app)
    return dict(ref)


def report(app: App, where: tuple[float, float], text: str) -> str:
    ref = app.bus.handle(ReportProblem("0601", text, where[0], where[1], "hotline", "seat01"))
    return str(ref.case_no)


def hazard_survey(app: App, emergency_id: int) -> dict[str, Any]:
    """A hazard survey of one grid of the area: a watched billboard (fixed later) and a loose signboard case."""
    now = app.clock.now()
    started = app.bus.handle(StartCampaign(
        name="台风前隐患排查", kind="hazard_survey", topics=("H01",), area={"grids": ["3506020130007"]},
        starts_at=now, ends_at=now + timedelta(hours=12), teams=(), actor="supervisor01", emergency_id=emergency_id))
    common = {"campaign_id": started["campaign_id"], "grid_code": "3506020130007", "topic_code": "H01",
              "lon": POINT[0], "lat": POINT[1], "actor": "collector001"}
    watched = app.bus.handle(ReportCampaignFinding(**common, item_code="collapse", finding_key="k1", kind="watched",
                                                   subtype_code=None, description="广告牌倾斜"))
    filed = app.bus.handle(ReportCampaignFinding(**common, item_code="loose", finding_key="k2", kind="case",
                                                 subtype_code="0704", description="招牌松动"))
    return {"watched": watched["finding_id"], "case_no": filed["case_no"]}


def test_the_dashboard_counts_incidents_hazards_assembly_and_departments_as_they_happened(app: App) -> None:
    emergency = declare(app)
    eid = int(emergency["id"])
    app.clock.advance(minutes=3)
    app.bus.handle(AcknowledgeAssembly(eid, MEMBER))
    run_connectors(app)
    app.clock.advance(minutes=7)
    app.bus.handle(CheckInAssembly(eid, POINT[0], POINT[1], MEMBER))

    walked = report(app, POINT, "暴露垃圾 in the area")
    waiting = report(app, POINT, "暴露垃圾 in the area, not walked")
    report(app, OUTSIDE, "暴露垃圾 outside the area")
    complete(app, walked, "verify_report", "collector001", {"verification": {"found": True}})
    complete(app, walked, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    complete(app, walked, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
    app.clock.advance(minutes=4)
    disposal = ready_task(app, walked, "dispose_problem", MEMBER)
    app.bus.handle(ClaimTask(disposal["id"], MEMBER))
    app.clock.advance(minutes=21)
    complete(app, walked, "dispose_problem", MEMBER, {"disposal": {"outcome": "disposed", "result": "清理完毕"}})
    survey = hazard_survey(app, eid)
    app.bus.handle(UpdateWatchedHazard(survey["watched"], "fixed", "加固完成", "collector001"))

    response = app.client().get(f"/api/v1/emergencies/{eid}/dashboard", headers=bearer(app, "supervisor01"))
    assert response.status_code == 200, response.json
    d = response.json
    assert d["emergency"]["kind"] == "typhoon" and d["emergency"]["level"] == "II"
    incidents = {i["case_no"]: i for i in d["incidents"]}
    assert set(incidents) == {walked, waiting}  # the outside report and the survey's case are not incidents
    assert incidents[walked]["state"] == "disposed" and incidents[waiting]["state"] in ("reported", "dispatched")
    assert d["counts"]["incidents"] == 2 and sum(d["counts"]["incidents_by_state"].values()) == 2
    assert d["counts"]["hazards"] == 2
    hazards = {h["kind"]: h for h in d["hazards"]}
    assert hazards["watched"]["state"] == "fixed" and hazards["case"]["case_no"] == survey["case_no"]

    street = next(t for t in d["assembly"]["teams"] if t["team"] == STREET_TEAM["name"])
    member_calls = street["called"]
    assert member_calls >= 1 and street["acknowledged"] == 1 and street["checked_in"] == 1
    assert street["ack_p50_s"] == street["ack_max_s"] == 180.0
    assert d["assembly"]["acknowledged"] == 1 and d["assembly"]["checked_in"] == 1
    assert d["assembly"]["called"] == sum(t["called"] for t in d["assembly"]["teams"]) > member_calls
    assert d["assembly"]["assembled_s"] is None  # not everyone checked in
    assert d["messages"]["notifications"] == d["assembly"]["called"] and d["messages"]["acknowledged"] == 1

    office = next(x for x in d["departments"] if x["code"] == "350602-S07")
    assert office["cases"] >= 1 and office["disposed"] == 1
    assert office["response_p50_s"] == 240.0  # dispatched → claimed 4 minutes later
    assert office["fix_p50_s"] == 1500.0  # dispatched → disposal reported 25 minutes later


def test_the_report_sums_up_timeline_topics_and_open_items(app: App) -> None:
    emergency = declare(app)
    eid = int(emergency["id"])
    app.clock.advance(minutes=2)
    app.bus.handle(AcknowledgeAssembly(eid, MEMBER))
    open_case = report(app, POINT, "暴露垃圾 still open")
    survey = hazard_survey(app, eid)

    r = app.client().get(f"/api/v1/emergencies/{eid}/report", headers=bearer(app, "auditor01")).json
    events = [t["event"] for t in r["timeline"]]
    assert events[0] in ("declared", "starts") and "first_acknowledged" in events and "first_incident" in events
    assert "assembled" not in events and "ended" not in events
    assert [t["at"] for t in r["timeline"]] == sorted(t["at"] for t in r["timeline"])
    topic = next(t for t in r["hazards_by_topic"] if t["topic"] == "H01")
    assert (topic["found"], topic["cases"], topic["watched"], topic["fixed"], topic["open"]) == (2, 1, 1, 0, 2)
    assert topic["name"] == "户外广告牌"
    assert open_case in {i["case_no"] for i in r["open_items"]["incidents"]}
    assert {h["case_no"] for h in r["open_items"]["hazards"]} >= {survey["case_no"], None}
    assert MEMBER in {p["username"] for p in r["open_items"]["not_checked_in"]}

    page = app.client()
    csrf = _login(page, "shiftlead01")
    assert csrf
    html = page.get(f"/emergencies/{eid}/report").get_data(as_text=True)
    assert "户外广告牌" in html and open_case in html
    assert page.get(f"/emergencies/{eid}/dashboard").status_code == 200


def test_who_may_read_and_an_unknown_emergency(app: App) -> None:
    eid = int(declare(app)["id"])
    for user, status in (("supervisor01", 200), ("seat01", 200), ("auditor01", 200), ("admin", 200),
                         ("collector001", 403), (MEMBER, 403), ("designer01", 403)):
        for what in ("dashboard", "report"):
            got = app.client().get(f"/api/v1/emergencies/{eid}/{what}", headers=bearer(app, user))
            assert got.status_code == status, (user, what, got.status_code)
    assert app.client().get("/api/v1/emergencies/999999/dashboard",
                            headers=bearer(app, "supervisor01")).status_code == 404
    page = app.client()
    _login(page, "supervisor01")
    assert page.get("/emergencies/999999/dashboard").status_code == 404
    page = app.client()
    _login(page, "collector001")
    assert page.get(f"/emergencies/{eid}/report").status_code == 403


def _login(client: Any, username: str) -> str:
    token = csrf_of(client.get("/login"))
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return token


def test_the_command_line_prints_the_same_report(app: App) -> None:
    eid = int(declare(app)["id"])
    app.bus.handle(AcknowledgeAssembly(eid, MEMBER))

    def gridcase(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "--database-url", app.url, "emergency", "report", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    printed = gridcase(str(eid), "--json")
    assert printed.returncode == 0, printed.stderr
    found = json.loads(printed.stdout)
    assert found["emergency"]["id"] == eid and found["messages"]["acknowledged"] == 1
    assert STREET_TEAM["name"] in {t["team"] for t in found["assembly"]["teams"]}
    text = gridcase(str(eid))
    assert text.returncode == 0 and "时间线 timeline" in text.stdout and STREET_TEAM["name"] in text.stdout
    unknown = gridcase("999999")
    assert unknown.returncode != 0 and "emergency 999999 not found" in unknown.stderr


def test_the_live_stream_starts_with_a_change_and_is_the_readers_only(app: App) -> None:
    eid = int(declare(app)["id"])
    reader = app.client()
    _login(reader, "supervisor01")
    stream = reader.get(f"/emergencies/{eid}/dashboard/stream?tab=t1", headers={"Accept": "text/event-stream"},
                        buffered=False)
    try:
        assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
        frames = iter(stream.response)
        assert next(frames).startswith(b"retry:")
        assert next(frames).startswith(b"event: changed")  # the page fetches the figures once joined
    finally:
        stream.close()
    assert reader.get(f"/emergencies/{eid}/dashboard/stream").status_code == 406  # not an event source
    other = app.client()
    _login(other, "collector001")
    assert other.get(f"/emergencies/{eid}/dashboard/stream", headers={"Accept": "text/event-stream"}).status_code \
        == 403
