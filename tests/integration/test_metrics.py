"""``/metrics`` (web/metrics.py): who may read it, requests by route and status, commands by type and outcome, the
database pool, and the timer and outbox backlog read from the database; ``X-Request-ID`` on requests and in the
command log line that names the audit events the request wrote."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from api_support import Api
from prometheus_client.parser import text_string_to_metric_families

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.summary import case_id_from_no
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus
from engine.service.observe import request_id
from web.app import create_app
from web.settings import Settings

SCRAPE = "scrape-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition: (name, sorted labels) → value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def metrics_api(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path, GRIDCASE_METRICS_TOKEN=SCRAPE)
    yield client
    client.close()


def scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE}"})
    assert response.status_code == 200 and response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


def test_only_the_scrape_token_and_admins_read_metrics(metrics_api: Api) -> None:
    anonymous = metrics_api.client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert metrics_api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    seat = metrics_api.client.get("/metrics", headers=metrics_api.headers("seat01"))
    assert seat.status_code == 403 and "role seat_operator may not read metrics" in seat.get_data(as_text=True)
    assert metrics_api.client.get("/metrics", headers=metrics_api.headers("admin")).status_code == 200
    assert scrape(metrics_api)[("gridcase_timers_pending", ())] >= 0


def test_requests_and_commands_are_counted_by_route_status_type_and_outcome(metrics_api: Api) -> None:
    before = scrape(metrics_api)
    metrics_api.new_case()
    assert metrics_api.report(subtype_code="9999").status_code == 422  # not in the catalogue: the command refuses
    after = scrape(metrics_api)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    route = {"route": "/api/v1/cases", "method": "POST"}
    assert delta("gridcase_http_requests_total", **route, status="201") == 1
    assert delta("gridcase_http_requests_total", **route, status="422") == 1
    assert delta("gridcase_http_request_duration_seconds_count", **route) == 2
    assert delta("gridcase_commands_total", command="ReportProblem", outcome="ok") == 1
    assert delta("gridcase_commands_total", command="ReportProblem", outcome="refused") == 1
    assert delta("gridcase_command_duration_seconds_count", command="ReportProblem") == 2
    assert after[("gridcase_db_pool_size", ())] >= 1 and after[("gridcase_db_connections_open", ())] >= 1
    assert after[("gridcase_db_connections_checked_out", ())] >= 0


def test_the_request_id_comes_back_and_names_the_audit_events_it_wrote(metrics_api: Api,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="gridcase")
    response = metrics_api.client.post("/api/v1/cases", json={
        "subtype_code": "0601", "description": "request id", "lat": 24.51, "lon": 117.65, "channel": "hotline"},
        headers={**metrics_api.headers("seat01"), "X-Request-ID": "lb-7f3a.1"})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "lb-7f3a.1"
    (line,) = [r for r in caplog.records if getattr(r, "command", None) == "ReportProblem"]
    events = metrics_api.get(f"/cases/{response.json['case_no']}/events", "seat01").json["events"]
    assert line.outcome == "ok" and line.__dict__["audit"] == [
        {"case_id": case_id_from_no(response.json["case_no"]), "seq": [1, len(events)], "head": events[-1]["hash"]}]
    assert {e["request_id"] for e in events} == {"lb-7f3a.1"}  # the events name the request too
    (access,) = [r for r in caplog.records if getattr(r, "event", None) == "request" and r.status == 201]
    assert {access.route, access.method} == {"/api/v1/cases", "POST"}
    assert request_id.get() is None  # the request's id ended with it
    made = metrics_api.client.get("/api/v1/city/subtypes", headers={**metrics_api.headers("seat01"),
                                                                    "X-Request-ID": "bad id;" + "x" * 200})
    assert not made.headers["X-Request-ID"].startswith("bad") and len(made.headers["X-Request-ID"]) == 32


def test_the_timer_and_outbox_backlog_is_read_from_the_database(bus: MessageBus, clock: FakeClock) -> None:
    app = create_app(Settings.from_env({"GRIDCASE_METRICS_TOKEN": SCRAPE}), bus)
    due_at = clock.now() + timedelta(hours=1)
    for _ in range(3):
        bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": due_at.isoformat()}, "planner"))
    bus.handle(c.StartCase("failing_escalation", {}, "planner"))

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        text = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {SCRAPE}"}).get_data(as_text=True)
        return {name: value for (name, labels), value in samples(text).items() if not labels}

    waiting = read()
    assert waiting["gridcase_timers_pending"] >= 3 and waiting["gridcase_timers_due"] == 0
    assert waiting["gridcase_timer_lag_seconds"] == 0 and waiting["gridcase_timers_failed"] == 0
    assert waiting["gridcase_outbox_backlog"] == 0 and waiting["gridcase_outbox_oldest_seconds"] == 0
    clock.advance(days=3)
    late = read()
    assert late["gridcase_timers_due"] == late["gridcase_timers_pending"] >= 3
    oldest = min(due_at, clock.now() - timedelta(days=3) + timedelta(hours=1))
    assert late["gridcase_timer_lag_seconds"] >= (clock.now() - oldest).total_seconds() - 1
    outcomes = TimerScheduler(bus).fire_due()
    assert "failed" in outcomes and "fired" in outcomes
    fired = read()
    assert fired["gridcase_timers_failed"] >= 1 and fired["gridcase_timers_due"] == 0
    assert fired["gridcase_timer_lag_seconds"] == 0
