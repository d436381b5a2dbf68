"""``gridcase bench queries``: what people wait for, over a city's case history (DESIGN.md §5).

The dataset is built as an operator would, with the command line in child processes: ``db upgrade``,
``demo seed``, ``demo simulate --days 3`` (live cases with open tasks) and ``demo history`` +
``import cases`` (CASES imported history cases in ``case_facts``). Then, in this process and with
varied parameters, each query runs at least REPEAT times: the dispatcher's inbox and a department's
queue (``task_list`` with the filters the list pages use), the case page of a live and of a history
case (``case_by_no``), the heat map over all cases, one month and a period with partial months, per filter
variant (``analysis.heat_map``, ``bench.queries_heat``) and the monthly KPI report. Targets: task lists
p95 ≤ 50 ms, heat map ≤ 500 ms.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.queries_heat import heat_maps
from bench.replay import ROOT, _city_working_time, _gridcase, _machine, _ms
from city.bootstrap import bootstrap
from city.history.cases import case_by_no
from city.persistence.read import analysis as fact_reads
from engine.persistence.db import create_db_engine
from engine.persistence.read import cases as case_reads
from engine.persistence.read import city
from engine.persistence.read import tasks as task_reads
from engine.persistence.repositories.bench_tables import postgres_schema, reset_schema
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps
from engine.service.queries import TaskFilter, task_list

LIVE_START = "2026-11-02"  # the simulated days (history ends before them)
NOW = datetime(2026, 11, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # when people look: the simulation's end
HISTORY_START, HISTORY_MONTHS = "2022-01", 48
TARGETS_MS = {"dispatcher_inbox": 50.0, "department_queue": 50.0}  # heat maps: bench.queries_heat
CENTRE_GROUPS = {"seat_operator", "shift_lead", "dispatcher", "supervisor"}  # not department queues
BUDGET_SECONDS = 120.0  # a slow query stops after this long (at least 5 runs), saying so


def _count(url: str, read: Callable[[CaseStore], int]) -> int:
    engine = create_db_engine(url)
    try:
        with UnitOfWork(engine, read_only=True) as uow:
            return read(uow.store)
    except Exception:  # a database without the tables has no cases
        return 0
    finally:
        engine.dispose()


def build(url: str, cases: int, folder: Path) -> dict[str, Any]:
    """Migrate, seed, simulate three days and import ``cases`` generated history cases; seconds per step."""
    steps: dict[str, Any] = {}
    started = time.perf_counter()
    _gridcase(url, "db", "upgrade")
    _gridcase(url, "demo", "seed")
    steps["seconds_seed"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    simulated = json.loads(_gridcase(url, "demo", "simulate", "--days", "3", "--start", LIVE_START, "--seed", "1",
                                     "--json"))
    steps["seconds_simulate"], steps["live_reports"] = round(time.perf_counter() - started, 1), simulated["reports"]
    csv_file = folder / "history.csv"
    started = time.perf_counter()
    _gridcase(url, "demo", "history", "--cases", str(cases), "--out", str(csv_file), "--seed", "1",
              "--start", HISTORY_START, "--months", str(HISTORY_MONTHS))
    steps["seconds_generate"] = round(time.perf_counter() - started, 1)
    steps["csv_mb"] = round(csv_file.stat().st_size / 2**20, 1)
    imported = json.loads(_gridcase(url, "import", "cases", str(csv_file), "--batch", "5000", "--json"))
    csv_file.unlink()
    steps["seconds_import"], steps["import_rows_per_second"] = imported["seconds"], imported["rows_per_second"]
    steps["imported"], steps["bad_rows"] = imported["imported"], imported["bad_rows"]
    return steps


def _timed(calls: list[Callable[[], Any]], target: float | None = None, note: str | None = None) -> dict[str, Any]:
    """Run each call once (after one untimed warm-up): p50/p95/max in ms."""
    calls[0]()
    times: list[float] = []
    started = time.perf_counter()
    for call in calls:
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
        if time.perf_counter() - started > BUDGET_SECONDS and len(times) >= 5:
            break
    out: dict[str, Any] = {"p50_ms": _ms(times, 0.5), "p95_ms": _ms(times, 0.95), "max_ms": _ms(times, 1.0),
                           "repetitions": len(times)}
    if len(times) < len(calls):
        out["stopped_after_seconds"] = BUDGET_SECONDS
    if target is not None:
        out.update(target_ms=target, meets_target=out["p95_ms"] is not None and out["p95_ms"] <= target)
    if note:
        out["note"] = note
    return out


def _read(deps: Deps, read: Callable[[CaseStore], Any]) -> Any:
    with deps.uow(read_only=True) as uow:
        return read(uow.store)


def _task_lists(deps: Deps, rng: random.Random, repeat: int) -> dict[str, Any]:
    """The inbox of the centre's roles and the departments' queues, with the list pages' filters."""
    districts = [code for code, _ in _read(deps, city.districts)]
    subtypes = _read(deps, case_reads.summary_subtypes)
    filters: list[dict[str, Any]] = [{}, {"light": "red"}, {"light": "green"}, {"channel": "hotline"},
                                     {"mine": True}, {"state": "completed"}]
    filters += [{"district": d} for d in districts] + [{"subtype": s} for s in subtypes[:4]]
    queues = [group for group in _read(deps, task_reads.busiest_groups)
              if group not in CENTRE_GROUPS and not group.startswith("collector:")]
    inbox: list[Callable[[], Any]] = []
    queue: list[Callable[[], Any]] = []
    for i in range(repeat):
        role = ("dispatcher", "shift_lead", "supervisor")[i % 3]
        flt = TaskFilter(username=f"{role}01", groups=frozenset({role}), **filters[i % len(filters)])
        inbox.append(partial(task_list, deps, flt, NOW))
        group = queues[i % len(queues)] if queues else "none"
        flt = TaskFilter(username="member", groups=frozenset({group}), **rng.choice(filters[:5]))
        queue.append(partial(task_list, deps, flt, NOW))
    open_tasks = _read(deps, task_reads.open_task_count)
    return {"dispatcher_inbox": _timed(inbox, TARGETS_MS["dispatcher_inbox"]),
            "department_queue": {**_timed(queue, TARGETS_MS["department_queue"]), "queues": len(queues),
                                 "open_tasks": open_tasks}}


def _history_case_at(store: CaseStore, rng: random.Random, months: list[str], offset: int) -> str | None:
    """The ``offset``-th history case of a month drawn from ``rng`` as the read runs, or None."""
    return fact_reads.history_case_at(store, rng.choice(months), offset)


def _case_pages(deps: Deps, rng: random.Random, repeat: int) -> dict[str, Any]:
    live = _read(deps, case_reads.live_case_numbers)
    months = _read(deps, fact_reads.fact_months)
    per_month = _read(deps, fact_reads.history_case_count) // max(1, len(months))
    history: list[str] = []
    for _ in range(repeat):
        offset = rng.randrange(max(1, min(per_month, 500)))
        found = _read(deps, partial(_history_case_at, rng=rng, months=months, offset=offset)) if months else None
        history += [found] if found else []
    out = {"case_page_live": _timed([partial(case_by_no, deps, n, NOW) for n in rng.choices(live, k=repeat)])}
    if history:
        shown = case_by_no(deps, history[0], NOW)
        note = None if shown else "case_by_no does not show history cases (None)"
        out["case_page_history"] = _timed([partial(case_by_no, deps, n, NOW) for n in history], note=note)
    return out


def _kpi(deps: Deps, rng: random.Random, repeat: int) -> dict[str, Any]:
    report = None
    for name in ("city.kpi.report", "city.kpi.ranking"):
        try:
            report = getattr(importlib.import_module(name), "monthly_report", None)
        except ImportError:
            continue
        if report is not None:
            break
    if report is None:
        return {"kpi_monthly_report": "not available (no city.kpi.report monthly_report)"}
    months = _read(deps, fact_reads.fact_months)
    chosen = rng.choices(months[-12:], k=repeat)
    return {"kpi_monthly_report": _timed([partial(report, deps, m, NOW) for m in chosen],
                                         note=f"{report.__module__}.monthly_report, one of the last 12 months")}


def measure(url: str, repeat: int) -> dict[str, Any]:
    """Every query ``repeat`` times with varied parameters; the dataset's size."""
    bus = bootstrap(url, working_time=_city_working_time())
    deps, rng = bus.deps, random.Random(7)
    try:
        sizes = {name: _read(deps, read) for name, read in (
            ("history_cases", fact_reads.history_case_count), ("live_cases", case_reads.live_case_count),
            ("case_fact_counts_rows", fact_reads.count_rows))}
        out = {**_task_lists(deps, rng, repeat), **_case_pages(deps, rng, repeat), **heat_maps(deps, rng, repeat),
               **_kpi(deps, rng, repeat)}
    finally:
        deps.db.dispose()
    return {"sizes": sizes, "queries": out}


def _on(url: str, cases: int, reuse: bool, repeat: int, reset: Callable[[], None]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if reuse and _count(url, fact_reads.history_case_count) >= cases:
        result["dataset"] = {"reused": True}
    else:
        reset()  # a dataset too small to reuse is built again from nothing
        with tempfile.TemporaryDirectory(dir=ROOT / "var") as folder:
            result["dataset"] = {"reused": False, **build(url, cases, Path(folder))}
    result.update(measure(url, repeat))
    return result


def run(database_url: str | None, cases: int, reuse: bool = False, repeat: int = 30) -> dict[str, Any]:
    """On a SQLite file under var/bench/ by default; PostgreSQL in a schema of its own (dropped unless ``reuse``)."""
    result: dict[str, Any] = {"machine": _machine(), "cases": cases}
    if database_url is None or database_url.startswith("sqlite"):
        path = ROOT / "var" / "bench" / f"queries-{cases}.db"
        url = database_url or f"sqlite:///{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        owned = database_url is None  # a file of ours: removed before a build, and afterwards unless reuse

        def remove() -> None:
            for stale in (path, *path.parent.glob(f"{path.name}-*")) if owned else ():
                stale.unlink(missing_ok=True)

        result["database"] = f"sqlite ({url.split(':///', 1)[1]}{', kept' if reuse or not owned else ', removed'})"
        result.update(_on(url, cases, reuse, repeat, remove))
        if not reuse:
            remove()
        return result
    schema = f"bench_queries_{cases}" if reuse else f"bench_queries_{os.getpid()}"
    with postgres_schema(database_url, schema, keep=reuse) as url:
        result["database"] = f"postgresql (schema {schema}, {'kept' if reuse else 'dropped afterwards'})"
        result.update(_on(url, cases, reuse, repeat, partial(reset_schema, database_url, schema)))
    return result
