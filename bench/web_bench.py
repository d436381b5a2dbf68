"""``gridcase bench web``: requests per second and latency of the department queue and the case page.

The server runs as in production (``gridcase serve --prod``: gunicorn workers) over a database filled
by ``gridcase demo simulate``; client threads on loopback keep connections alive and ask, in turn,
for a department member's queue (``GET /api/v1/tasks``) and a random case (``GET /api/v1/cases/<no>``).
Then, the write path: each client reports a camera detection (``POST /api/v1/messages``), reads the
new case, and a seat operator completes its review task over HTTP (``POST /api/v1/tasks/<id>/complete``).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.persistence.db import SessionSettings, create_db_engine, durability
from engine.persistence.repositories.bench_tables import postgres_schema

ROOT = Path(__file__).resolve().parents[1]
DEPARTMENT_USER, READER = "dept_350602d02_01", "shiftlead01"
CAMERA, SEAT = "vision01", "seat01"
REVIEW = {"detection_review": {"decision": "false_positive", "note": "bench"}}  # voids the case: queues stay put


def _gridcase(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"})
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(conn: http.client.HTTPConnection, method: str, path: str, token: str | None = None,
          body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def _wait_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if _call(conn, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not come up")


@contextmanager
def served(url: str, workers: int, threads: int, env: dict[str, str] | None = None) -> Iterator[int]:
    """``gridcase serve --prod`` (gunicorn, ``workers`` × ``threads``) over ``url`` with ``env`` added; its port,
    once it answers. Its log goes to a temporary file, shown when it does not come up; stopped afterwards."""
    port = _free_port()
    full = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "bench",
            "GRIDCASE_LOG_LEVEL": "WARNING", **(env or {})}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--prod", "--workers", str(workers),
                                   "--threads", str(threads)], cwd=ROOT, env=full, stdout=subprocess.DEVNULL,
                                  stderr=log)
        try:
            try:
                _wait_up(port, time.monotonic() + 120)  # each worker loads the city's grid index at start
            except RuntimeError:
                log.seek(0)
                raise RuntimeError(f"the web server did not come up: {log.read()[-2000:]!r}") from None
            yield port
        finally:
            server.terminate()
            server.wait(timeout=20)


def _client(port: int, tokens: dict[str, str], case_nos: list[str], stop: float, seed: int,
            out: dict[str, list[float]]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < stop:
        for name, token, path in (("department_queue", tokens[DEPARTMENT_USER], "/api/v1/tasks?limit=50"),
                                  ("case_page", tokens[READER], f"/api/v1/cases/{rng.choice(case_nos)}")):
            started = time.perf_counter()
            status, _ = _call(conn, "GET", path, token)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            out.setdefault(name, []).append(elapsed)


def _timed(out: dict[str, list[float]], name: str, conn: http.client.HTTPConnection, method: str, path: str,
           token: str, body: dict[str, Any] | None = None) -> Any:
    started = time.perf_counter()
    status, answer = _call(conn, method, path, token, body)
    elapsed = time.perf_counter() - started
    if status not in (200, 201):
        raise RuntimeError(f"{method} {path}: HTTP {status} {answer}")
    out.setdefault(name, []).append(elapsed)
    return answer


def _writer(port: int, tokens: dict[str, str], detection: dict[str, Any], stop: float, seed: int,
            out: dict[str, list[float]]) -> None:
    """Report a detection, read its case, complete its review: the write path of one HTTP client."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    count = 0
    while time.monotonic() < stop:
        count += 1
        payload = {"detection": {**detection, "camera_id": f"BENCH-{seed:02d}", "image": f"bench-{seed}-{count}.jpg"}}
        sent = _timed(out, "report_detection", conn, "POST", "/api/v1/messages", tokens[CAMERA],
                      {"name": "video_detection", "payload": payload})
        case = _timed(out, "case_read", conn, "GET", f"/api/v1/cases/{sent['cases'][0]}", tokens[SEAT])
        task = next(t for t in case["tasks"] if t["bpmn_id"] == "review_detection")
        _timed(out, "complete_task", conn, "POST", f"/api/v1/tasks/{task['id']}/complete", tokens[SEAT],
               {"data": REVIEW})


def _run_clients(target: Any, args: tuple[Any, ...], clients: int, seconds: float) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(*args, stop, i, out)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def _figures(latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"requests": len(ordered), "requests_per_s": round(len(ordered) / seconds, 1),
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2)}


def _a_detection(conn: http.client.HTTPConnection, token: str, case_nos: list[str]) -> dict[str, Any]:
    """A camera detection at the place of a simulated video case (a subtype cameras report, inside the city)."""
    for case_no in case_nos:
        case = _call(conn, "GET", f"/api/v1/cases/{case_no}", token)[1]
        if case.get("channel") == "video" and case.get("lon") is not None:
            return {"subtype": case["subtype"], "lon": case["lon"], "lat": case["lat"], "confidence": 0.9}
    raise RuntimeError("the simulation made no video case to copy a detection from")


def server_durability(url: str, session: SessionSettings) -> dict[str, str]:
    """What the server's commits wait for: read on a connection set up as the server sets up its own."""
    engine = create_db_engine(url, session)
    try:
        return durability(engine)
    finally:
        engine.dispose()


def measure(url: str, clients: int, seconds: float, days: int, session: SessionSettings) -> dict[str, Any]:
    """Fill ``url`` with a simulated city, serve it with gunicorn (its connections set up as ``session`` says),
    and time concurrent clients."""
    _gridcase(url, "db", "upgrade")
    _gridcase(url, "demo", "seed")
    summary = json.loads(_gridcase(url, "demo", "simulate", "--days", str(days), "--per-day", "60", "--json"))
    measured = server_durability(url, session)  # before the server holds the database
    # Machines get no password; issued before the server starts, so no keep-alive connection idles while it is.
    camera_token = _gridcase(url, "user", "token", CAMERA, "--name", "bench").strip()
    port = _free_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "bench",
           "GRIDCASE_LOG_LEVEL": "WARNING", "GRIDCASE_SQLITE_SYNCHRONOUS": session.sqlite_synchronous,
           "GRIDCASE_SQLITE_GROUP_COMMIT": "on" if session.sqlite_group_commit else "off",
           "GRIDCASE_PG_STATEMENT_TIMEOUT": str(session.statement_timeout),
           "GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT": str(session.idle_in_transaction_timeout)}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--prod", "--workers", "2", "--threads",
                               "4"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(port, time.monotonic() + 30)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        tokens = {u: _call(conn, "POST", "/api/v1/auth/token", body={"username": u, "password": "gridcase-demo"})[1]
                  ["token"] for u in (DEPARTMENT_USER, READER, SEAT)}
        tokens[CAMERA] = camera_token
        tasks = _call(conn, "GET", "/api/v1/tasks?state=completed&limit=500", tokens[READER])[1]["tasks"]
        case_nos = sorted({t["case_no"] for t in tasks if t["case_no"]})
        out = _run_clients(_client, (port, tokens, case_nos), clients, seconds)
        fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # the first one idled past keep-alive
        out |= _run_clients(_writer, (port, tokens, _a_detection(fresh, tokens[READER], case_nos)), clients, seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"cases": summary["reports"], "clients": clients, "seconds": seconds, "durability": measured,
            **{name: _figures(values, seconds) for name, values in sorted(out.items())}}


def run(postgres_url: str | None, clients: int = 8, seconds: float = 10.0, days: int = 3,
        session: SessionSettings | None = None) -> dict[str, Any]:
    """SQLite (a temporary file), and PostgreSQL side by side when ``postgres_url`` is given (in a schema of
    its own, dropped afterwards); the server's connections are set up as ``session`` says (default: FULL)."""
    session = session or SessionSettings()
    with tempfile.TemporaryDirectory() as folder:
        result: dict[str, Any] = {"sqlite": measure(f"sqlite:///{folder}/bench.db", clients, seconds, days, session)}
    if postgres_url:
        with postgres_schema(postgres_url, f"bench_web_{os.getpid()}") as url:
            result["postgresql"] = measure(url, clients, seconds, days, session)
        for name in ("department_queue", "case_page", "complete_task", "report_detection"):
            result[f"{name}_pg_vs_sqlite"] = round(result["postgresql"][name]["requests_per_s"]
                                                   / result["sqlite"][name]["requests_per_s"], 2)
    return result
