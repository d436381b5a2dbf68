"""The production layout as deployed, on one PostgreSQL: two web hosts (``gridcase serve --prod``: gunicorn, two
workers each, on their own ports) and two schedulers (``gridcase scheduler``), every one a process group of its own,
as a host would be.

- A ``gridcase city load`` run beside them is seen by both hosts' ``locate()`` without a restart.
- ``kill -9`` of a whole host and of one scheduler while clients write and timers fall due: every acknowledged write
  is in the database (and a retry of an unacknowledged one on the other host finds or makes exactly one case), every
  timer fired exactly once, and ``gridcase replay verify --all`` passes.

Other engineers' cross-host checks (the sign-in throttle shared by hosts) go here too: ``deployment`` gives running
hosts (``Host.call``) over one database.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shapely.geometry
from api_support import PASSWORD, POINT, seeded_city
from invariants import rows
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import SystemClock
from engine.persistence.db import create_db_engine
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "config" / "city" / "zhangzhou"
FIXTURES = ROOT / "tests" / "fixtures" / "bpmn"
RENAMED = "HOSTTEST-UNIT-0001"
SCRAPE = "two-hosts-scrape"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Host:
    """A web host: gunicorn's master and workers in one process group, listening on ``port``."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             user: str | None = None) -> tuple[int, Any]:
        """One request on a new connection (so gunicorn's workers take turns); raises OSError when the host is down."""
        headers = {"Content-Type": "application/json"}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, stdout=out, stderr=out,
                                start_new_session=True)  # its own process group: kill -9 takes the whole "host"


def _kill9(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):  # the group is already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(15)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            _kill9(process)


@dataclass
class Deployment:
    url: str
    engine: Engine
    hosts: list[Host]
    schedulers: list[subprocess.Popen[bytes]]
    env: dict[str, str]
    logs: Path
    scheduler_metrics_port: int


@pytest.fixture(scope="module")
def pg_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_city("postgres", tmp_path_factory)


@pytest.fixture
def deployment(pg_city: str, tmp_path: Path) -> Iterator[Deployment]:
    env = {**os.environ, "GRIDCASE_SECRET_KEY": "two-hosts", "GRIDCASE_LOG_LEVEL": "WARNING",
           "GRIDCASE_SCHEDULER_INTERVAL": "0.2", "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
           "GRIDCASE_METRICS_TOKEN": SCRAPE}
    env.pop("GRIDCASE_METRICS_DIR", None)
    hosts = []
    for name in ("a", "b"):
        port = _free_port()
        process = _start(["--database-url", pg_city, "serve", "--prod", "--workers", "2", "--threads", "4"],
                         {**env, "GRIDCASE_PORT": str(port)}, tmp_path / f"host-{name}.log")
        hosts.append(Host(name, port, process))
    metrics_port = _free_port()  # the first scheduler serves its own /metrics
    schedulers = [_start(["--database-url", pg_city, "scheduler"],
                         {**env, "GRIDCASE_SCHEDULER_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}"} if i == 1 else env,
                         tmp_path / f"scheduler-{i}.log") for i in (1, 2)]
    engine = create_db_engine(pg_city)
    try:
        for host in hosts:
            _wait_up(host, tmp_path)
            for user in ("seat01", "admin"):
                status, answer = host.call("POST", "/api/v1/auth/token", {"username": user, "password": PASSWORD})
                assert status == 200, answer
                host.tokens[user] = answer["token"]
        yield Deployment(pg_city, engine, hosts, schedulers, env, tmp_path, metrics_port)
    finally:
        for process in [*(h.process for h in hosts), *schedulers]:
            _stop(process)
        engine.dispose()


def _wait_up(host: Host, logs: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            pytest.fail(f"host {host.name} exited: {(logs / f'host-{host.name}.log').read_text()[-3000:]}")
        try:
            if host.call("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"host {host.name} did not come up in 60 s")


def _renamed_city(folder: Path) -> Path:
    """The demo city's unit grids with the one holding the test point renamed."""
    features = json.loads((CITY / "unit_grids.geojson").read_text(encoding="utf-8"))
    point = shapely.geometry.Point(POINT["lon"], POINT["lat"])
    (hit,) = [f for f in features["features"] if shapely.geometry.shape(f["geometry"]).contains(point)]
    hit["properties"]["code"] = RENAMED
    path = folder / "unit_grids.geojson"
    path.write_text(json.dumps(features), encoding="utf-8")
    return path


def _locate(host: Host) -> str:
    status, answer = host.call("GET", f"/api/v1/city/locate?lon={POINT['lon']}&lat={POINT['lat']}", user="seat01")
    assert status == 200, answer
    return str(answer["unit_grid"])


def test_a_city_load_beside_the_hosts_is_seen_by_both(deployment: Deployment) -> None:
    before = {_locate(host) for host in deployment.hosts}
    assert len(before) == 1 and RENAMED not in before
    loaded = subprocess.run([sys.executable, "-m", "cli", "--database-url", deployment.url, "city", "load",
                             "--unit-grids", str(_renamed_city(deployment.logs)),
                             "--resp-grids", str(CITY / "resp_grids.geojson"),
                             "--districts", str(CITY / "districts.geojson")],
                            cwd=ROOT, env=deployment.env, capture_output=True, text=True, timeout=120, check=False)
    assert loaded.returncode == 0, loaded.stderr
    for host in deployment.hosts:  # every worker of both hosts rechecks within a second: wait for a run of answers
        deadline, streak = time.monotonic() + 30, 0
        while streak < 8 and time.monotonic() < deadline:
            streak = streak + 1 if _locate(host) == RENAMED else 0
            time.sleep(0.05)
        assert streak >= 8, f"host {host.name} still locates the old grid"
    status, case = deployment.hosts[1].call("POST", "/api/v1/cases", {
        "subtype_code": "0601", "description": "after the load", **POINT, "channel": "hotline"}, user="seat01")
    assert status == 201 and case["unit_grid"] == RENAMED, case


@dataclass
class Writes:
    """What the clients were told: acknowledged external ids → case numbers, and the ones left in doubt."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    in_doubt: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(hosts: list[Host], writes: Writes, stop: threading.Event, seed: int) -> None:
    """Report cases through the hosts in turn; a host that fails leaves that report in doubt."""
    turn = seed
    while not stop.is_set():
        turn += 1
        host, external_id = hosts[turn % len(hosts)], f"two-hosts-{seed}-{turn}-{uuid.uuid4().hex[:6]}"
        body = {"subtype_code": "0601", "description": "two hosts", **POINT, "channel": "hotline",
                "external_id": external_id}
        try:
            status, answer = host.call("POST", "/api/v1/cases", body, user="seat01")
        except OSError:  # the host died with the request: it may or may not have committed
            with writes.lock:
                writes.in_doubt.append(external_id)
            continue
        if status in (200, 201):
            with writes.lock:
                writes.acknowledged[external_id] = answer["case_no"]
        elif status < 500:
            raise AssertionError(f"host {host.name} refused a good report: {status} {answer}")


def _inspections(url: str, count: int, first_due: datetime) -> list[int]:
    """Start ``count`` inspection cases whose timers fall due 0.4 s apart from ``first_due``; their ids."""
    bus = bootstrap(url, SystemClock())
    bus.handle(c.DeployProcesses(read_sources([FIXTURES / "scheduled_inspection.bpmn"]), "two hosts"))
    cases = [bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": (
        first_due + timedelta(seconds=0.4 * i)).isoformat()}, "planner")).case_id for i in range(count)]
    bus.deps.db.dispose()
    return cases


def test_kill_9_of_a_host_and_a_scheduler_loses_no_write_and_fires_no_timer_twice(deployment: Deployment) -> None:
    host_a, host_b = deployment.hosts
    count = 20
    cases = _inspections(deployment.url, count, datetime.now(UTC) + timedelta(seconds=2))  # due in 2 … 10 s
    writes, stop = Writes(), threading.Event()
    clients = [threading.Thread(target=_client, args=(deployment.hosts, writes, stop, seed)) for seed in range(4)]
    for client in clients:
        client.start()
    try:
        _wait_for(lambda: _fired(deployment.engine, cases) >= 3, 30, "the first timers to fire")
        _kill9(deployment.schedulers[0])  # its armed jobs die with it: the other scheduler fires them
        _wait_for(lambda: len(writes.acknowledged) >= 20, 60, "writes through both hosts")
        _kill9(host_a.process)  # the whole host, mid-request
        acknowledged = len(writes.acknowledged)
        _wait_for(lambda: len(writes.acknowledged) >= acknowledged + 20, 60, "writes through the surviving host")
        _wait_for(lambda: _fired(deployment.engine, cases) >= count, 60, "every timer to fire")
    finally:
        stop.set()
        for client in clients:
            client.join(60)
    _check_writes(deployment, writes, host_b)
    _check_timers(deployment.engine, cases)
    verified = subprocess.run([sys.executable, "-m", "cli", "--database-url", deployment.url, "replay", "verify",
                               "--all", "--json"], cwd=ROOT, env=deployment.env, capture_output=True, text=True,
                              timeout=600, check=False)
    assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr[-2000:]
    assert json.loads(verified.stdout)["ok"]


def _wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.1)


def _fired(engine: Engine, cases: list[int]) -> int:
    return sum(1 for r in rows(engine, "SELECT case_id FROM timers WHERE status = 'fired'") if r.case_id in cases)


def _check_writes(deployment: Deployment, writes: Writes, survivor: Host) -> None:
    """Every acknowledged report is its case; a report left in doubt, retried on the surviving host, is one case."""
    stored = {r.external_id: r.case_no for r in rows(
        deployment.engine, "SELECT c.external_id, s.case_no FROM cases c JOIN case_summaries s ON s.case_id = c.id"
                           " WHERE c.external_id LIKE 'two-hosts-%'")}
    assert writes.acknowledged and all(stored.get(ext) == no for ext, no in writes.acknowledged.items())
    for external_id in writes.in_doubt:
        status, answer = survivor.call("POST", "/api/v1/cases", {
            "subtype_code": "0601", "description": "two hosts", **POINT, "channel": "hotline",
            "external_id": external_id}, user="seat01")
        assert status == (200 if external_id in stored else 201), (external_id, status, answer)
        if external_id in stored:
            assert answer["case_no"] == stored[external_id]
    duplicates = rows(deployment.engine, "SELECT external_id FROM cases WHERE external_id LIKE 'two-hosts-%'"
                                         " GROUP BY external_id HAVING COUNT(*) > 1")
    assert duplicates == []


def _check_timers(engine: Engine, cases: list[int]) -> None:
    timers = [t for t in rows(engine, "SELECT case_id, task_id, status, fire_count FROM timers") if t.case_id in cases]
    events = {r.task_id: r.n for r in rows(engine, "SELECT task_id, COUNT(*) AS n FROM case_events"
                                                   " WHERE event_type = 'timer_fired' GROUP BY task_id")}
    assert len(timers) == len(cases)
    assert all((t.status, t.fire_count, events.get(t.task_id)) == ("fired", 1, 1) for t in timers), timers


def _scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {SCRAPE}"})
        response = conn.getresponse()
        text = response.read().decode()
    finally:
        conn.close()
    assert response.status == 200, text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_each_host_adds_up_its_workers_metrics_and_the_scheduler_serves_its_own(deployment: Deployment) -> None:
    host = deployment.hosts[0]
    route = (("method", "GET"), ("route", "/api/v1/city/subtypes"), ("status", "200"))
    for _ in range(30):  # a new connection each: both workers answer some
        assert host.call("GET", "/api/v1/city/subtypes", user="seat01")[0] == 200
    seen = _scrape(host.port)
    assert seen[("gridcase_http_requests_total", route)] == 30  # every worker's files, added up by whichever answers
    assert seen[("gridcase_db_connections_open", ())] >= 2  # both workers' pools (live gauges summed)
    _kill9(deployment.schedulers[1])  # the first scheduler fires what comes due now
    cases = _inspections(deployment.url, 3, datetime.now(UTC) + timedelta(seconds=2))
    _wait_for(lambda: _fired(deployment.engine, cases) == 3, 30, "the timers to fire")
    own = _scrape(deployment.scheduler_metrics_port)
    assert own[("gridcase_scheduler_timer_firings_total", (("outcome", "fired"),))] >= 3
    assert own[("gridcase_scheduler_timer_lag_seconds_count", ())] >= 3
    assert own[("gridcase_commands_total", (("command", "FireTimer"), ("outcome", "ok")))] >= 3
    assert own[("gridcase_timers_due", ())] == 0
