"""External-worker jobs and incidents over HTTP, on SQLite and PostgreSQL: locks and their expiry (time moved by the
fake clock), completion exactly once when two requests race, failures into an incident retried and resolved from the
operations API and page, and 403 for every role without the capability."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jobs_support import ROLES, JobsApi
from pages_support import Browser
from sqlalchemy.engine import Engine


@pytest.fixture
def jobs_api(db_url_engine: tuple[str, Engine], tmp_path: Path) -> Iterator[JobsApi]:
    url, engine = db_url_engine
    yield JobsApi(url, engine, tmp_path)


def test_a_lock_keeps_other_workers_out_until_it_expires(jobs_api: JobsApi) -> None:
    case_id = jobs_api.start()
    (job,) = jobs_api.fetch("w1")
    assert (job["case_id"], job["topic"], job["variables"]) == (case_id, "address-check", {"address": "1 Main St"})
    assert jobs_api.fetch("w2") == []
    jobs_api.clock.advance(seconds=60)
    (taken,) = jobs_api.fetch("w2")  # expired: the job is free for another worker
    assert taken["id"] == job["id"]
    late = jobs_api.post(f"/jobs/{job['id']}/complete", "worker", {"worker_id": "w1", "variables": {}})
    assert late.status_code == 409 and "another worker" in late.json["error"]["message"]
    extended = jobs_api.post(f"/jobs/{job['id']}/extend-lock", "worker", {"worker_id": "w2", "new_duration_ms": 5000})
    assert extended.status_code == 200, extended.json
    done = jobs_api.post(f"/jobs/{job['id']}/complete", "worker", {"worker_id": "w2", "variables": {"ok": True}})
    assert done.status_code == 200, done.json
    assert len(done.json["ready_tasks"]) == 1
    assert jobs_api.get(f"/jobs/{job['id']}", "worker").json["state"] == "completed"


def test_two_racing_completions_one_200_one_409_and_one_event(jobs_api: JobsApi) -> None:
    for _ in range(3):
        case_id = jobs_api.start()
        (job,) = jobs_api.fetch("w1")
        barrier, statuses = threading.Barrier(2), []

        def complete(variables: dict[str, Any], job_id: int = job["id"], gate: threading.Barrier = barrier,
                     out: list[int] = statuses) -> None:
            gate.wait()
            out.append(jobs_api.post(f"/jobs/{job_id}/complete", "worker",
                                     {"worker_id": "w1", "variables": variables}).status_code)

        threads = [threading.Thread(target=complete, args=({"n": n},)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 409]
        completed = jobs_api.sql("SELECT COUNT(*) AS n FROM case_events WHERE case_id = :id"
                                 " AND event_type = 'job_completed'", id=case_id)
        assert completed[0].n == 1


def test_failure_backs_off_then_an_incident_the_operations_api_retries(jobs_api: JobsApi) -> None:
    case_id = jobs_api.start()
    (job,) = jobs_api.fetch("w1")
    failed = jobs_api.post(f"/jobs/{job['id']}/failure", "worker",
                           {"worker_id": "w1", "error_message": "timeout", "retries": 1, "retry_timeout_ms": 10_000})
    assert failed.status_code == 200 and failed.json["incident"] is False
    assert jobs_api.fetch("w1") == []
    jobs_api.clock.advance(seconds=10)
    (again,) = jobs_api.fetch("w1")
    failed = jobs_api.post(f"/jobs/{again['id']}/failure", "worker",
                           {"worker_id": "w1", "error_message": "still down", "retries": 0})
    assert failed.json["incident"] is True
    (incident,) = jobs_api.get("/incidents", "ops").json
    assert (incident["kind"], incident["case_id"], incident["element"], incident["message"], incident["topic"]) == (
        "job", case_id, "check_address", "still down", "address-check")
    refused = jobs_api.post(f"/incidents/{incident['id']}/resolve", "ops", {"note": ""})
    assert refused.status_code == 422 and "note" in refused.json["error"]["fields"]
    retried = jobs_api.post(f"/incidents/{incident['id']}/retry", "ops", {"retries": 3, "note": "service is back"})
    assert retried.status_code == 200 and retried.json["resolution"] == "retried"
    assert jobs_api.get("/incidents", "ops").json == []
    assert len(jobs_api.get("/incidents?all=true", "ops").json) == 1
    (fetched,) = jobs_api.fetch("w1")
    assert fetched["retries"] == 3
    twice = jobs_api.post(f"/incidents/{incident['id']}/retry", "ops", {})
    assert twice.status_code == 409
    error = jobs_api.post(f"/jobs/{fetched['id']}/bpmn-error", "worker", {"worker_id": "w1",
                                                                        "error_code": "ADDRESS_UNKNOWN"})
    assert error.status_code == 200, error.json
    events = jobs_api.sql("SELECT event_type, actor FROM case_events WHERE case_id = :id ORDER BY seq", id=case_id)
    assert ("incident_retried", "ops") in [tuple(e) for e in events]


def test_a_failure_without_retries_follows_the_model(jobs_api: JobsApi) -> None:
    case_id = jobs_api.start()
    (job,) = jobs_api.fetch("w1")
    assert job["retries"] == 4  # no retries modelled: 3 retries, four attempts (Camunda's count)
    failed = jobs_api.post(f"/jobs/{job['id']}/failure", "worker", {"worker_id": "w1", "error_message": "down"})
    assert failed.status_code == 200, failed.json
    assert (failed.json["retries"], failed.json["incident"]) == (3, False)
    jobs_api.clock.advance(seconds=59)
    assert jobs_api.fetch("w1") == []  # the model's back-off: PT1M
    jobs_api.clock.advance(seconds=1)
    (again,) = jobs_api.fetch("w1")
    assert (again["case_id"], again["retries"]) == (case_id, 3)
    refused = jobs_api.post(f"/jobs/{job['id']}/failure", "worker",
                            {"worker_id": "w1", "error_message": "down", "retries": "two"})
    assert refused.status_code == 422 and "retries" in str(refused.json)
    reserved = jobs_api.post("/jobs/fetch-and-lock", "worker",
                             {"worker_id": "w1", "topics": [{"topic": "gridcase:http", "lock_duration_ms": 1000}]})
    assert reserved.status_code == 422 and "topics[0].topic" in str(reserved.json)


def test_the_operations_page_lists_and_resolves_incidents(jobs_api: JobsApi) -> None:
    jobs_api.start()
    (job,) = jobs_api.fetch("w1")
    jobs_api.post(f"/jobs/{job['id']}/failure", "worker", {"worker_id": "w1", "error_message": "gone", "retries": 0})
    (incident,) = jobs_api.get("/incidents", "ops").json
    browser = Browser(SimpleNamespace(app=jobs_api.app), "ops")  # type: ignore[arg-type]
    page = browser.get("/operations/incidents")
    assert page.status_code == 200 and f'id="incident-{incident["id"]}"' in page.text and "gone" in page.text
    odd = browser.client.post(f"/operations/incidents/{incident['id']}", data={  # "²".isdigit() is true
        "action": "retry", "retries": "²", "csrf_token": browser.token}, follow_redirects=True)
    assert odd.status_code == 200 and "retries" in odd.text
    done = browser.client.post(f"/operations/incidents/{incident['id']}", data={
        "action": "resolve", "note": "fixed by hand", "csrf_token": browser.token})
    assert done.status_code == 302
    assert jobs_api.get("/incidents?all=true", "ops").json[0]["resolution"] == "resolved"
    assert Browser(SimpleNamespace(app=jobs_api.app), "reader").get(  # type: ignore[arg-type]
        "/operations/incidents").status_code == 403


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/jobs/fetch-and-lock", {"worker"}),
    ("POST", "/jobs/1/complete", {"worker"}),
    ("POST", "/jobs/1/failure", {"worker"}),
    ("POST", "/jobs/1/bpmn-error", {"worker"}),
    ("POST", "/jobs/1/extend-lock", {"worker"}),
    ("GET", "/jobs/1", {"worker", "ops"}),
    ("GET", "/incidents", {"ops"}),
    ("POST", "/incidents/1/retry", {"ops"}),
    ("POST", "/incidents/1/resolve", {"ops"}),
])
def test_only_the_capable_roles_get_through(jobs_api: JobsApi, method: str, path: str, allowed: set[str]) -> None:
    for user in ROLES:
        response = jobs_api.post(path, user, {}) if method == "POST" else jobs_api.get(path, user)
        if user in allowed:
            assert response.status_code not in (401, 403), (user, path, response.json)
        else:
            assert response.status_code == 403, (user, path, response.status_code)


@pytest.mark.parametrize("path", ["/jobs/9223372036854775808", "/jobs/99999999999999999999999999999",
                                  "/incidents/100000000000000000000/resolve"])
def test_an_id_wider_than_any_row_is_404_not_an_overflow(jobs_api: JobsApi, path: str) -> None:
    user = "ops" if path.startswith("/incidents") else "worker"
    response = jobs_api.post(path, user, {"note": "x"}) if path.endswith("resolve") else jobs_api.get(path, user)
    assert response.status_code == 404, (path, response.status_code, response.data)
    assert jobs_api.get("/jobs/9223372036854775807", "worker").status_code == 404  # the widest id still routes
