"""The http connector run by the scheduler's connector loop, against a REAL local HTTP server (http.server in a
thread on 127.0.0.1, allow-listed), on SQLite and PostgreSQL: the answer mapped into the case, a 404 caught by the
error boundary event, a 500 retried after the model's back-off (the fake clock moved, never slept) into an incident
that the incidents API retries, a host off the allow-list (or a redirect to one) an incident at once, an uncaught
4xx an incident, and two loops completing each job exactly once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jobs_support import JobsApi
from sqlalchemy.engine import Engine

from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.scheduling.connectors import ConnectorLoop
from engine.scheduling.scheduler import TimerScheduler

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "connectors" / "http_lookup.bpmn"


class Server:
    """A local HTTP server: answers by the item in the path, and records every request it got."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.broken = True  # /items/broken answers 500 while this is set
        self.lock = threading.Lock()
        server = self

        class Answers(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with server.lock:
                    server.requests.append(("POST", self.path, body))
                item = self.path.split("?")[0].rsplit("/", 1)[-1]
                if item == "moved":
                    self.send_response(307)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data")
                    self.end_headers()
                    return
                status = {"missing": 404, "broken": 500 if server.broken else 200}.get(item, 200)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"item": item, "received": body}).encode())

            do_GET = do_POST  # noqa: N815 - http.server's method name

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
        self.address = f"127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def calls(self, item: str) -> int:
        return sum(1 for _, path, _ in self.requests if path.startswith(f"/items/{item}"))


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server()
    yield found
    found.httpd.shutdown()
    found.httpd.server_close()


@pytest.fixture
def jobs_api(db_url_engine: tuple[str, Engine], tmp_path: Path, server: Server) -> JobsApi:
    url, engine = db_url_engine
    api = JobsApi(url, engine, tmp_path)
    api.bus.handle(c.DeployProcesses({MODELS.name: MODELS.read_text("utf-8").replace("__SERVER__", server.address)},
                                     "tests"))
    return api


def loop(api: JobsApi, hosts: set[str], worker: str = "gridcase:test-1") -> ConnectorLoop:
    return ConnectorLoop(api.bus, ConnectorSettings(frozenset(hosts)), worker_id=worker)


def start(api: JobsApi, item: str, process: str = "http_lookup") -> int:
    return int(api.bus.handle(c.StartCase(process, {"item": item, "kind": "k"}, "clerk")).case_id)


def ready(api: JobsApi, case_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(BPMN id, data) of the case's ready human tasks."""
    rows = api.sql("SELECT t.spec_name, d.data FROM workflow_tasks t JOIN task_data d ON d.case_id = t.case_id"
                   " AND d.hash = t.data_hash JOIN human_tasks h ON h.id = t.task_id WHERE t.case_id = :id",
                   id=case_id)
    return [(r.spec_name, json.loads(r.data)) for r in rows]


def job_row(api: JobsApi, case_id: int) -> Any:
    (row,) = api.sql("SELECT id, state, retries, retry_at, error_message FROM jobs WHERE case_id = :id", id=case_id)
    return row


def test_the_answer_goes_into_the_case_and_the_case_goes_on(jobs_api: JobsApi, server: Server) -> None:
    case_id = start(jobs_api, "lamp-7")
    assert loop(jobs_api, {server.address}).run_once() == 1
    assert server.requests == [("POST", "/items/lamp-7?kind=k", {"item": "lamp-7", "count": 6})]
    ((task, data),) = ready(jobs_api, case_id)
    assert task == "use_result"
    assert data["lookup_result"] == {"status": 200,
                                     "body": {"item": "lamp-7", "received": {"item": "lamp-7", "count": 6}}}
    assert job_row(jobs_api, case_id).state == "completed"
    events = [r.event_type for r in jobs_api.sql("SELECT event_type FROM case_events WHERE case_id = :id"
                                                 " ORDER BY seq", id=case_id)]
    assert events.count("job_completed") == 1
    assert loop(jobs_api, {server.address}).run_once() == 0  # nothing left


def test_a_404_is_caught_by_the_error_boundary_event(jobs_api: JobsApi, server: Server) -> None:
    case_id = start(jobs_api, "missing")
    assert loop(jobs_api, {server.address}).run_once() == 1
    ((task, data),) = ready(jobs_api, case_id)
    assert task == "handle_missing" and data["lookup_result"]["status"] == 404
    assert job_row(jobs_api, case_id).state == "errored"
    assert jobs_api.get("/incidents", "ops").json == []


def test_a_500_is_retried_after_the_back_off_then_an_incident_the_api_retries(jobs_api: JobsApi,
                                                                            server: Server) -> None:
    case_id = start(jobs_api, "broken")
    connector = loop(jobs_api, {server.address})
    assert job_row(jobs_api, case_id).retries == 3  # retries 2 in the model: three attempts
    for attempt, left in ((1, 2), (2, 1)):
        assert connector.run_once() == 1
        row = job_row(jobs_api, case_id)
        assert (server.calls("broken"), row.state, row.retries) == (attempt, "open", left)
        assert "answered 500" in row.error_message
        jobs_api.clock.advance(seconds=29)
        assert connector.run_once() == 0  # still backing off (PT30S)
        jobs_api.clock.advance(seconds=1)
    assert connector.run_once() == 1
    assert (server.calls("broken"), job_row(jobs_api, case_id).state) == (3, "incident")
    (incident,) = jobs_api.get("/incidents", "ops").json
    assert (incident["case_id"], incident["element"], incident["topic"]) == (case_id, "lookup", "gridcase:http")
    server.broken = False  # fixed outside; the operator retries
    retried = jobs_api.post(f"/incidents/{incident['id']}/retry", "ops", {"retries": 1, "note": "fixed"})
    assert retried.status_code == 200, retried.json
    assert connector.run_once() == 1
    assert server.calls("broken") == 4 and [t for t, _ in ready(jobs_api, case_id)] == ["use_result"]


@pytest.mark.parametrize("item, hosts, expected", [
    ("lamp-7", {"api.example.org"}, "host 127.0.0.1:{port} is not allowed: add it to GRIDCASE_HTTP_CONNECTOR_HOSTS"),
    ("lamp-7", set(), "(now empty: every call is refused)"),
    ("moved", {"127.0.0.1"}, "redirected: host 169.254.169.254:80 is not allowed"),
])
def test_a_host_off_the_allow_list_is_an_incident_at_once(jobs_api: JobsApi, server: Server, item: str,
                                                          hosts: set[str], expected: str) -> None:
    case_id = start(jobs_api, item)
    assert loop(jobs_api, hosts).run_once() == 1
    assert server.calls(item) == (1 if item == "moved" else 0)  # refused before connecting (a redirect: after)
    (incident,) = jobs_api.get("/incidents", "ops").json
    assert incident["case_id"] == case_id
    assert expected.format(port=server.httpd.server_port) in incident["message"]
    assert job_row(jobs_api, case_id).state == "incident"


def test_an_uncaught_4xx_is_an_incident(jobs_api: JobsApi, server: Server) -> None:
    case_id = start(jobs_api, "missing", process="http_plain")
    assert loop(jobs_api, {server.address}).run_once() == 1
    (incident,) = jobs_api.get("/incidents", "ops").json
    assert incident["case_id"] == case_id and "no error boundary event catches HTTP_404" in incident["message"]


def test_two_loops_complete_each_job_exactly_once(jobs_api: JobsApi, server: Server) -> None:
    cases = [start(jobs_api, f"item-{n}") for n in range(6)]
    loops = [loop(jobs_api, {server.address}, worker=f"gridcase:test-{n}") for n in range(2)]
    barrier, done = threading.Barrier(2), []

    def run(connector: ConnectorLoop) -> None:
        barrier.wait()
        done.append(connector.run_once())

    threads = [threading.Thread(target=run, args=(connector,)) for connector in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done) == 6 and sum(loop.run_once() for loop in loops) == 0
    assert sorted(path for _, path, _ in server.requests) == sorted(f"/items/item-{n}?kind=k" for n in range(6))
    completed = jobs_api.sql("SELECT case_id, COUNT(*) AS n FROM case_events WHERE event_type = 'job_completed'"
                             " GROUP BY case_id")
    assert sorted((r.case_id, r.n) for r in completed) == [(case_id, 1) for case_id in cases]


def test_the_scheduler_runs_the_loop_beside_its_ticks(jobs_api: JobsApi, server: Server) -> None:
    case_id = start(jobs_api, "lamp-8")
    stop = threading.Event()
    connector = loop(jobs_api, {server.address})
    scheduler = TimerScheduler(jobs_api.bus, connectors=connector)
    thread = threading.Thread(target=scheduler.run, args=(stop, 0.05))
    thread.start()
    try:
        for _ in range(200):
            if connector.done:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert scheduler.status()["connector_jobs"] == 1
    assert [t for t, _ in ready(jobs_api, case_id)] == ["use_result"]
