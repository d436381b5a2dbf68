"""``gridcase bench web --hosts N``: the web bench against several web hosts over one PostgreSQL database.

Each host is ``gridcase serve --prod`` (gunicorn, 2 workers × 4 threads) on its own port, as a host behind a load
balancer would be; the clients are spread over the hosts round-robin (client i talks to host i mod N), the way a
balancer spreads connections. The same simulated city is measured first with one host, then with N, so the figures
sit side by side; on one machine the hosts share its cores, so N hosts show the cost of the layout (more processes,
more connections to one database), not the gain of more machines.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.web_bench import (
    CAMERA,
    DEPARTMENT_USER,
    READER,
    ROOT,
    SEAT,
    _a_detection,
    _call,
    _client,
    _figures,
    _free_port,
    _gridcase,
    _run_clients,
    _wait_up,
    _writer,
    server_durability,
)
from engine.persistence.db import SessionSettings
from engine.persistence.repositories.bench_tables import postgres_schema

WORKERS, THREADS = 2, 4


@contextmanager
def _hosts(url: str, count: int, session: SessionSettings) -> Iterator[list[int]]:
    """``count`` gunicorn hosts over ``url``, up and answering; yields their ports, stops them afterwards."""
    ports, servers = [_free_port() for _ in range(count)], []
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "bench", "GRIDCASE_LOG_LEVEL": "WARNING",
           "GRIDCASE_PG_STATEMENT_TIMEOUT": str(session.statement_timeout),
           "GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT": str(session.idle_in_transaction_timeout)}
    try:
        for port in ports:
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--prod", "--workers", str(WORKERS), "--threads", str(THREADS)],
                cwd=ROOT, env={**env, "GRIDCASE_PORT": str(port)}, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))
        for port in ports:
            _wait_up(port, time.monotonic() + 60)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def _spread(target: Callable[..., None], ports: list[int]) -> Callable[..., None]:
    """``target`` (a web bench client taking one port first) with client ``seed`` on host ``seed mod len(ports)``."""

    def client(*args: Any) -> None:
        *rest, stop, seed, out = args
        target(ports[seed % len(ports)], *rest, stop, seed, out)

    return client


def _measure(url: str, ports: list[int], clients: int, seconds: float) -> dict[str, Any]:
    camera = _gridcase(url, "user", "token", CAMERA, "--name", "bench").strip()  # machines get no password
    conn = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=30)  # after: it must not idle past keep-alive
    tokens = {u: _call(conn, "POST", "/api/v1/auth/token", body={"username": u, "password": "gridcase-demo"})[1]
              ["token"] for u in (DEPARTMENT_USER, READER, SEAT)}
    tokens[CAMERA] = camera
    tasks = _call(conn, "GET", "/api/v1/tasks?state=completed&limit=500", tokens[READER])[1]["tasks"]
    case_nos = sorted({t["case_no"] for t in tasks if t["case_no"]})
    detection = _a_detection(conn, tokens[READER], case_nos)
    conn.close()
    out = _run_clients(_spread(_client, ports), (tokens, case_nos), clients, seconds)
    out |= _run_clients(_spread(_writer, ports), (tokens, detection), clients, seconds)
    return {"hosts": len(ports), "workers_per_host": WORKERS, "threads_per_worker": THREADS,
            **{name: _figures(values, seconds) for name, values in sorted(out.items())}}


def run(postgres_url: str, hosts: int = 2, clients: int = 8, seconds: float = 10.0, days: int = 3,
        session: SessionSettings | None = None) -> dict[str, Any]:
    """One host, then ``hosts`` hosts, over one simulated city in a PostgreSQL schema of its own (dropped after)."""
    session = session or SessionSettings()
    with postgres_schema(postgres_url, f"bench_hosts_{os.getpid()}") as url:
        _gridcase(url, "db", "upgrade")
        _gridcase(url, "demo", "seed")
        summary = json.loads(_gridcase(url, "demo", "simulate", "--days", str(days), "--per-day", "60", "--json"))
        measured = server_durability(url, session)  # what the hosts' commits wait for (synchronous_commit, fsync)
        with _hosts(url, 1, session) as ports:
            one = _measure(url, ports, clients, seconds)
        with _hosts(url, hosts, session) as ports:
            many = _measure(url, ports, clients, seconds)
    result: dict[str, Any] = {"database": "postgresql", "durability": measured, "cases": summary["reports"],
                              "clients": clients, "seconds": seconds, "one_host": one, f"{hosts}_hosts": many}
    for name in ("department_queue", "case_page", "report_detection", "complete_task"):
        result[f"{name}_{hosts}_hosts_vs_one"] = round(many[name]["requests_per_s"] / one[name]["requests_per_s"], 2)
    return result
