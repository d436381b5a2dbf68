"""``gridcase bench jobs``: external-worker jobs done through the HTTP API by concurrent workers.

``jobs`` cases of a one-service-task process (bench/processes/bench_job.bpmn) each open a job; the server runs as
in production (``gridcase serve --prod``: gunicorn) over the database; ``workers`` threads, each an
``ExternalTaskWorker`` (workers/client.py), fetch and lock up to 10 jobs at a time and complete them until none is
left. Printed: jobs completed per second, the latency from a job's lock (the fetch's answer) to its completion's
answer (p50, p95), the 409s seen, and the check that no job was completed twice (``job_completed`` events per job,
counted in the database).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.engine_bench import prepare
from bench.web_bench import ROOT, _free_port, _wait_up
from engine.domain import commands as c
from engine.persistence.read import jobs as job_reads
from engine.persistence.repositories.bench_tables import postgres_schema
from workers.client import ExternalTaskWorker

PROCESS = Path(__file__).resolve().parent / "processes" / "bench_job.bpmn"
WORKER_ACCOUNT = "bench_worker"


@contextmanager
def bench_database(database_url: str | None, name: str = "jobs") -> Iterator[str]:
    """A temporary SQLite file, or a schema of its own in the given PostgreSQL (dropped afterwards); another
    database URL as given."""
    if database_url and database_url.startswith("postgresql"):
        with postgres_schema(database_url, f"bench_{name}_{os.getpid()}") as url:
            yield url
        return
    if database_url:
        yield database_url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/{name}.db"


def run(database_url: str | None = None, jobs: int = 2000, workers: int = 4, batch: int = 10) -> dict[str, Any]:
    """Open ``jobs`` jobs, complete them with ``workers`` HTTP workers, and check each was completed once."""
    with bench_database(database_url) as url:
        db, bus = prepare(url, [PROCESS])
        bus.handle(c.AddUser(WORKER_ACCOUNT, "Bench worker", "integration", "bench-worker-password"))
        token = bus.handle(c.IssueApiToken(WORKER_ACCOUNT, "bench", actor="bench"))
        started = time.perf_counter()
        case_ids = [bus.handle(c.StartCase("bench_job", {"n": n}, "bench")).case_id for n in range(jobs)]
        opening = time.perf_counter() - started
        with _server(url) as port:
            figures = _drive(f"http://127.0.0.1:{port}", token, workers, batch)
        with bus.deps.uow(read_only=True) as uow:
            per_job = job_reads.completions_per_job(uow.store, min(case_ids), max(case_ids))
            states = job_reads.job_states(uow.store, min(case_ids), max(case_ids))
        db.dispose()
    twice = sum(1 for _, count in per_job if count > 1)
    return {"database": db.dialect.name, "jobs": jobs, "workers": workers, "fetch_batch": batch,
            "cases_started_per_s": round(jobs / opening, 1), **figures,
            "jobs_completed_in_db": sum(count for _, count in per_job), "jobs_completed_twice": twice,
            "job_states": states, "exactly_once": twice == 0 and states.get("completed") == jobs}


@contextmanager
def _server(url: str) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "bench",
           "GRIDCASE_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--prod", "--workers", "2", "--threads", "4"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(port, time.monotonic() + 30)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _drive(base: str, token: str, workers: int, batch: int) -> dict[str, Any]:
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def work(index: int) -> None:
        worker = ExternalTaskWorker(base, token, f"bench-{index}", max_jobs=batch, lock_duration_ms=120_000)
        worker.subscribe("bench", lambda job: {"done_by": index})
        while jobs := worker.fetch():
            locked_at = time.perf_counter()
            for job in jobs:
                outcome = worker.handle(job)
                done = time.perf_counter() - locked_at
                with lock:
                    latencies.append(done)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    completed = outcomes.get("completed", 0)
    return {"seconds": round(seconds, 2), "jobs_completed_per_s": round(completed / seconds, 1),
            "lock_to_complete_p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
            "lock_to_complete_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1) if ordered else None,
            "outcomes": outcomes}
