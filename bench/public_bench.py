"""``gridcase bench public``: the figures of the public intake (issue 23) — Open311, 12345 orders, their pushes and
the upper-level export — measured in one run over a fresh database.

A fresh database (a temporary SQLite file, or a schema of its own in the given PostgreSQL, dropped after) gets the
demo city and the deployed models as an operator would (``db upgrade``, ``demo seed``, ``process deploy``). The
command line builds the Flask app over it (``App``; the bench layer sits below the web layer) and the bench, as an
admin, makes an Open311 api key (``CreateApiKey``, a high per-minute allowance) and loads a connectors' file
(``LoadConnectors``: a 12345 hotline pushing to a local receiver, its secret in the environment variable it names,
and an upper-level platform whose outbox is a temporary folder). Then, through the app's test client:

1. ``requests`` Open311 ``POST requests.json`` beside as many seat-operator ``POST /api/v1/cases`` of the same
   subtypes and places (both start the same lifecycle; Open311 adds the key, the allowance and the tracking row);
2. the Open311 reads over those public requests: the list (all; one service code) and each request by its id;
3. ``requests`` signed 12345 orders, then the first ones again (the idempotent answer);
4. ``drive`` of the orders verified and filed, and every queued push sent by the sender loop's rounds to the
   receiver (``bench.public_pushes``);
5. ``RunExchangeExport`` over ``cases`` live cases' facts and the schema check of its files (``bench.public_export``).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.cutover_bench import _gridcase
from bench.jobs_bench import bench_database
from bench.public_export import export, upper_config
from bench.public_intake import SECRET_ENV, App, hotline_config, hotline_orders, open311_reads, open311_vs_staff
from bench.public_pushes import file_orders, receiving, send_pushes
from city.connectors.commands import LoadConnectors
from city.open311.commands import CreateApiKey
from city.open311.settings import MAX_PER_MINUTE

OpenApp = Callable[[str, Path], App]  # (database URL, a folder for its files) → the app over that database


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in this process's environment for the block (the app reads these settings at each use)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _prepare(url: str) -> float:
    started = time.perf_counter()
    for args in (("db", "upgrade"), ("demo", "seed"), ("process", "deploy", "workflows", "rules")):
        _gridcase(url, *args)
    return time.perf_counter() - started


def _set_up(app: App, port: int, folder: Path) -> str:
    """The admin's api key (returned) and the connectors' file loaded."""
    made = app.bus.handle(CreateApiKey("bench-app", "bench@app.example", MAX_PER_MINUTE, actor="admin"))
    content = json.dumps({"connectors": [hotline_config(port), upper_config(folder)]}, ensure_ascii=False)
    app.bus.handle(LoadConnectors(content, actor="admin"))
    return str(made["key"])


def _measure(app: App, port: int, folder: Path, sizes: dict[str, int], secret: str,
             receiver: Any) -> dict[str, Any]:
    key = _set_up(app, port, folder)
    count = sizes["requests"]
    ids, intake = open311_vs_staff(app, key, count)
    read = open311_reads(app, ids, max(5, min(50, count)))
    numbers, orders = hotline_orders(app, secret, count, intake["staff_post"])
    driven = numbers[:min(sizes["drive"], count)]
    filing = file_orders(app, driven)
    pushes = send_pushes(app, receiver)
    exported = export(app, folder, sizes["cases"])
    return {"open311_intake": intake, "open311_reads": read, "hotline_intake": orders,
            "pushes": {"orders_filed": len(driven), "filing_seconds": round(filing, 2), **pushes},
            "exchange_export": exported}


def run(open_app: OpenApp, database_url: str | None = None, requests: int = 200, cases: int = 2000,
        drive: int = 50) -> dict[str, Any]:
    """Seed a fresh database and measure (see the module's docstring); the JSON-ready figures."""
    secret = secrets.token_urlsafe(32)
    settings = {SECRET_ENV: secret, "GRIDCASE_OPEN311_READS_PER_MINUTE": str(MAX_PER_MINUTE)}
    with bench_database(database_url, "public") as url, _environment(settings), \
            tempfile.TemporaryDirectory() as folder, receiving(secret) as receiver:
        seeding = _prepare(url)
        app = open_app(url, Path(folder))
        try:
            figures = _measure(app, receiver.port, Path(folder),
                               {"requests": requests, "cases": cases, "drive": drive}, secret, receiver)
        finally:
            app.close()
    return {"database": "postgresql" if url.startswith("postgresql") else "sqlite", "requests": requests,
            "cases": cases, "seed_seconds": round(seeding, 1), **figures}
