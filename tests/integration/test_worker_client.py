"""The worker client (workers/client.py) against a live HTTP server (werkzeug, threaded, on a free port) over SQLite
and PostgreSQL: it completes jobs, reports a handler's BpmnError to the boundary event, and a failing handler's
retries with back-off until the job is an incident."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import JobsApi
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from engine.domain import commands as c
from workers.client import BpmnError, ExternalTaskWorker, Job


@pytest.fixture
def live(db_url_engine: tuple[str, Engine], tmp_path: Path) -> Iterator[tuple[JobsApi, str]]:
    url, engine = db_url_engine
    api = JobsApi(url, engine, tmp_path)
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def test_the_worker_completes_jobs_over_http(live: tuple[JobsApi, str]) -> None:
    api, base = live
    cases = [api.start() for _ in range(5)]
    seen: list[int] = []

    def check(job: Job) -> dict[str, str]:
        seen.append(job.case_id)
        return {"district": f"D-{job.case_id}", "checked": job.variables["address"]}

    worker = ExternalTaskWorker(base, api.tokens["worker"], "geo-1", max_jobs=2).subscribe("address-check", check)
    handled = [worker.run_once() for _ in range(4)]
    assert handled == [2, 2, 1, 0] and sorted(seen) == cases
    states = api.sql("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
    assert [(s.state, s.n) for s in states] == [("completed", 5)]
    ready = api.sql("SELECT COUNT(*) AS n FROM human_tasks WHERE bpmn_id = 'review_check' AND state = 'ready'")
    assert ready[0].n == 5
    (data,) = api.sql("SELECT data FROM case_events WHERE event_type = 'job_completed' AND case_id = :id",
                      id=cases[0])
    assert f'"district":"D-{cases[0]}"' in data.data


def test_a_bpmn_error_and_failures_with_back_off(live: tuple[JobsApi, str]) -> None:
    api, base = live
    unknown = api.start()
    broken = api.start()

    def check(job: Job) -> dict[str, str]:
        if job.case_id == unknown:
            raise BpmnError("ADDRESS_UNKNOWN", "not in the gazetteer", {"reason": "no such street"})
        raise ConnectionError("gazetteer down")

    worker = ExternalTaskWorker(base, api.tokens["worker"], "geo-2", retries=2, backoff_ms=5_000)
    worker.subscribe("address-check", check)
    outcomes = sorted(worker.handle(job) for job in worker.fetch())
    assert outcomes == ["bpmn-error", "failed"]
    assert api.sql("SELECT bpmn_id FROM human_tasks WHERE case_id = :id", id=unknown)[0].bpmn_id == "fix_address"
    assert worker.fetch() == []  # backing off for 5 s
    api.clock.advance(seconds=5)
    (again,) = worker.fetch()
    assert (again.case_id, again.retries) == (broken, 1)
    assert worker.handle(again) == "incident"
    (incident,) = api.sql("SELECT kind, message FROM incidents WHERE case_id = :id", id=broken)
    assert tuple(incident) == ("job", "ConnectionError: gazetteer down")
    api.bus.handle(c.CompleteHumanTask(api.sql("SELECT id FROM human_tasks WHERE case_id = :id", id=unknown)[0].id,
                                       {}, "clerk"))


def test_a_worker_leaving_retries_to_the_model(live: tuple[JobsApi, str]) -> None:
    """retries=None: the failure report carries no retries nor back-off; the server counts the job's attempts
    down (no retries modelled: 3, one minute apart) until the incident."""
    api, base = live
    case_id = api.start()

    def down(job: Job) -> dict[str, str]:
        raise ConnectionError("gazetteer down")

    worker = ExternalTaskWorker(base, api.tokens["worker"], "geo-3", retries=None).subscribe("address-check", down)
    outcomes = []
    for left in (4, 3, 2, 1):
        (job,) = worker.fetch()
        assert (job.case_id, job.retries) == (case_id, left)
        outcomes.append(worker.handle(job))
        assert worker.fetch() == []  # the model's back-off: PT1M
        api.clock.advance(seconds=60)
    assert outcomes == ["failed", "failed", "failed", "incident"]
    (incident,) = api.get("/incidents", "ops").json
    assert incident["case_id"] == case_id and incident["message"] == "ConnectionError: gazetteer down"
