"""The request id in the audit log: every event a request, timer firing or command-line run writes carries its id
(the one its JSON log lines carry), the hash chain covers it, and replay checks that one step has one id."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_support import Api
from databases import seeded

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.summary import case_id_from_no
from engine.scheduling.scheduler import TimerScheduler
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.observe import request_id

Sql = Callable[..., list[sa.Row]]
ROOT = Path(__file__).resolve().parents[2]
REPORT = {"subtype_code": "0601", "description": "request id in the chain", "lat": 24.51, "lon": 117.65,
          "channel": "hotline"}


@pytest.fixture
def ids_api(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path)
    yield client
    client.close()


def test_every_event_of_a_request_carries_its_id_and_replay_verifies(ids_api: Api) -> None:
    made = ids_api.client.post("/api/v1/cases", json=REPORT,
                               headers={**ids_api.headers("seat01"), "X-Request-ID": "lb-7f3a.1"})
    assert made.status_code == 201 and made.headers["X-Request-ID"] == "lb-7f3a.1"
    case_no = made.json["case_no"]
    events = ids_api.get(f"/cases/{case_no}/events", "seat01").json["events"]
    assert events and {e["request_id"] for e in events} == {"lb-7f3a.1"}
    task = ids_api.task(case_no, "verify_report", "collector001")
    step = ids_api.client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"verification": {"found": True}}},
                               headers={**ids_api.headers("collector001"), "X-Request-ID": "verify-2"})
    assert step.status_code == 200, step.get_data(as_text=True)
    after = ids_api.get(f"/cases/{case_no}/events", "seat01").json["events"]
    assert [e["request_id"] for e in after[len(events):]] == ["verify-2"] * (len(after) - len(events))
    assert len(after) > len(events)
    assert request_id.get() is None  # the request's id ended with it
    result = verify_case(ids_api.deps, case_id_from_no(case_no))
    assert result.verified, result.divergence


def test_an_altered_request_id_breaks_the_chain(ids_api: Api) -> None:
    made = ids_api.client.post("/api/v1/cases", json=REPORT,
                               headers={**ids_api.headers("seat01"), "X-Request-ID": "genuine-1"})
    case_id = case_id_from_no(made.json["case_no"])
    with ids_api.deps.db.begin() as conn:
        conn.execute(sa.text("UPDATE case_events SET request_id = 'forged-9' WHERE case_id = :c AND seq = 1"),
                     {"c": case_id})
    result = verify_case(ids_api.deps, case_id)
    assert not result.verified and result.divergence is not None
    assert (result.divergence.seq, result.divergence.field) == (1, "hash")


def test_a_timer_firing_writes_its_own_id(bus: MessageBus, clock: FakeClock, sql: Sql) -> None:
    due_at = clock.now() + timedelta(hours=1)
    ref = bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": due_at.isoformat()}, "planner"))
    started = {r.request_id for r in sql("SELECT request_id FROM case_events WHERE case_id = :c", c=ref.case_id)}
    assert started == {None}  # no request, timer or command-line run: nothing to name
    clock.advance(hours=2)
    assert "fired" in TimerScheduler(bus).fire_due()
    fired = sql("SELECT seq, request_id FROM case_events WHERE case_id = :c AND request_id IS NOT NULL ORDER BY seq",
                c=ref.case_id)
    assert fired and len({r.request_id for r in fired}) == 1
    assert fired[0].request_id.startswith("timer-")


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_city(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sa.Engine]]:
    """A copy of the seeded city of this test alone (no case yet; tests/city_template.py)."""
    yield from seeded(request.param, tmp_path_factory)


def test_a_command_line_run_writes_one_id_for_its_steps(fresh_city: tuple[str, sa.Engine]) -> None:
    url, engine = fresh_city

    def gridcase(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, check=True,
                       capture_output=True, text=True, timeout=300)

    def sql(statement: str) -> list[sa.Row]:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(statement)))

    gridcase("demo", "simulate", "--days", "1", "--start", "2026-11-02", "--seed", "3", "--per-day", "3", "--json")
    ids = {r.request_id for r in sql("SELECT DISTINCT request_id FROM case_events")}
    runs = {i for i in ids if i is not None and i.startswith("cli-")}
    assert len(runs) == 1  # the run's own steps; the timers it fires carry each firing's id
    assert ids - runs and all(i is not None and i.startswith("timer-") for i in ids - runs)
    started = {r.request_id for r in sql("SELECT request_id FROM case_events WHERE event_type = 'case_started'")}
    assert started == runs
