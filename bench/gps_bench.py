"""``gridcase bench gps``: GPS positions ingested and checked per second by one web worker process.

A fresh database (a temporary SQLite file, or a schema of its own in the given PostgreSQL, dropped after) gets the
demo city, its transport registries and the deployed models as an operator would (``db upgrade``, ``demo seed``,
``process deploy``), plus a bench fleet (``transport load``: ``vehicles`` trucks on copies of the demo permits,
``bench/gps_tracks.py``). One gunicorn worker serves it (``gridcase serve --prod --workers 1``: the target is per
worker process). The fleet's tracks — a position per truck every 10 s, a few trucks leaving their corridor or stopping
outside the sites so the rules fire — are POSTed to ``/api/v1/gps/positions`` in batches of ``batch`` by ``clients``
threads, each owning its trucks (a truck's positions arrive in order). Figures: positions ingested and checked per
second, the requests' p50/p95, the alerts raised by kind; and, in the same run, the baseline: the same rows inserted
by a bare ``executemany`` of the insert (no checks, no HTTP), one transaction per batch — ``checked_vs_bare`` — and by
the ingest's own insert statement alone (on PostgreSQL one statement of arrays per batch, which is why the checked
path can outrun a bare executemany).
"""

from __future__ import annotations

import http.client
import json
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.campaign_bench import Client, _ms
from bench.cutover_bench import _gridcase
from bench.gps_tracks import EVERY_S, batches, registry_files, tracks
from bench.jobs_bench import bench_database
from bench.web_bench import served
from city.bootstrap import bootstrap
from city.persistence.repositories.gps import GpsStore
from engine.domain.clock import SystemClock
from engine.domain.commands import Command
from engine.persistence.db import create_db_engine, durability
from engine.service.bus import HandlerContext

SENDER = "admin"  # SEND_GPS_POSITIONS (an integration account in production; admins may too)


def _prepare(url: str, vehicles: int) -> None:
    for args in (("db", "upgrade"), ("demo", "seed"), ("process", "deploy", "workflows", "rules")):
        _gridcase(url, *args)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in registry_files(vehicles).items():
            Path(folder, name).write_text(text, "utf-8")
        _gridcase(url, "transport", "load", folder, "--as", "admin")


def _send(port: int, bodies: list[bytes], took: list[float], answers: list[dict[str, Any]],
          errors: list[str]) -> None:
    client = Client(port, SENDER)
    headers = {**client.headers, "Content-Type": "application/json"}
    for body in bodies:
        started = time.perf_counter()
        try:
            client.conn.request("POST", "/api/v1/gps/positions", body=body, headers=headers)
            response = client.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            client.conn.close()  # an idle keep-alive connection the server closed: the batch is idempotent
            client.conn.request("POST", "/api/v1/gps/positions", body=body, headers=headers)
            response = client.conn.getresponse()
        text = response.read()
        took.append(time.perf_counter() - started)
        if response.status == 200:
            answers.append(json.loads(text))
        else:
            errors.append(f"{response.status} {text[:300]!r}")


def _ingest(port: int, bodies: list[list[bytes]]) -> dict[str, Any]:
    took: list[float] = []
    answers: list[dict[str, Any]] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_send, args=(port, own, took, answers, errors)) for own in bodies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    accepted = sum(a["accepted"] for a in answers)
    kinds = Counter(alert["kind"] for a in answers for alert in a["alerts"])
    return {"seconds": round(elapsed, 2), "accepted": accepted,
            "duplicates": sum(a["duplicates"] for a in answers),
            "positions_per_s": round(accepted / elapsed, 1) if elapsed else None, "request": _ms(took),
            "alerts": dict(sorted(kinds.items())),
            "lifecycle_cases": sum(1 for a in answers for alert in a["alerts"] if alert.get("case_no")),
            "errors": len(errors), "first_errors": errors[:3]}


@dataclass(frozen=True)
class InsertPositionsBare(Command):
    """The baseline's command (the bench's own, not the product's): rows inserted as they are, nothing checked —
    by an ``executemany`` of the insert (``each``) or by the ingest's own statement."""

    rows: tuple[tuple[Any, ...], ...]
    each: bool


def _insert_bare(cmd: InsertPositionsBare, ctx: HandlerContext) -> int:
    with ctx.deps.uow() as uow:
        stamp = uow.dialect.stamp
        rows = [(r[0], stamp(r[1]), *r[2:-1], stamp(r[-1])) for r in cmd.rows]
        store: GpsStore = uow.repository(GpsStore)
        inserted = store.insert_positions_each(rows) if cmd.each else store.insert_positions(rows)
    return inserted


def _bare(url: str, fleet: list[list[dict[str, Any]]], size: int, tag: str, each: bool) -> dict[str, Any]:
    """The same rows (under other device ids: ``tag``) inserted with no check and no HTTP, one transaction a batch."""
    db = create_db_engine(url)
    bus = bootstrap(db, SystemClock())
    bus.handlers = {**bus.handlers, InsertPositionsBare: _insert_bare}
    received = datetime.now(UTC)
    rows = [(f"{fix['device_id']}~{tag}", datetime.fromisoformat(fix["recorded_at"]), None, fix["lon"], fix["lat"],
             fix["speed_kmh"], fix["heading"], received) for track in fleet for fix in track]
    started = time.perf_counter()
    for first in range(0, len(rows), size):
        bus.handle(InsertPositionsBare(tuple(rows[first:first + size]), each))
    elapsed = time.perf_counter() - started
    db.dispose()
    return {"rows": len(rows), "seconds": round(elapsed, 2), "positions_per_s": round(len(rows) / elapsed, 1)}


def run(database_url: str | None = None, positions: int = 200_000, vehicles: int = 1000, batch: int = 500,
        clients: int = 4, threads: int = 4) -> dict[str, Any]:
    """Seed, load the fleet, send its tracks through one worker; the figures with the bare baseline."""
    steps = max(1, -(-positions // vehicles))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=EVERY_S * steps + 120)
    fleet = tracks(vehicles, steps, start)
    bodies = batches(fleet, clients, batch)
    with bench_database(database_url, "gps") as url:
        prepared = time.perf_counter()
        _prepare(url, vehicles)
        seeding = time.perf_counter() - prepared
        db = create_db_engine(url)
        kept = durability(db)
        db.dispose()
        with served(url, 1, threads) as port:
            checked = _ingest(port, bodies)
        bare = _bare(url, fleet, batch, "bare", each=True)
        same = _bare(url, fleet, batch, "arrays", each=False)
    ratio = checked["positions_per_s"] / bare["positions_per_s"] if checked["positions_per_s"] else None
    return {"database": "postgresql" if url.startswith("postgresql") else "sqlite", "durability": kept,
            "vehicles": vehicles, "positions": steps * vehicles, "batch": batch, "clients": clients,
            "worker_threads": threads, "seed_seconds": round(seeding, 1), "checked": checked, "bare_executemany": bare,
            "bare_ingest_statement": same,
            "checked_vs_bare": round(ratio, 3) if ratio else None, "target_positions_per_s": 5000}
