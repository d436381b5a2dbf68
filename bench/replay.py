"""``gridcase bench replay``: how fast the audit replay verifies the cases of a simulated city.

The database is filled as an operator would (``gridcase db upgrade``, ``demo seed``, ``demo simulate``:
real commands by simulated people over the lifecycle, timers fired by the simulated clock), then every
case is verified in this process with ``verify_case`` — hash chain, checkpoints, and the re-run on its
pinned version — and a sample is exported and verified from the exported document alone.
Target (issue 6): a typical 15-event case verified in under 50 ms.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from city.bootstrap import bootstrap
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.persistence.repositories import audit as audit_store
from engine.persistence.repositories.bench_tables import postgres_schema
from engine.service.audit.export import export_case, verify_document
from engine.service.audit.replay import VerifyResult, verify_case
from engine.service.deps import Deps

ROOT = Path(__file__).resolve().parents[1]


def _city_working_time() -> WorkingTime:
    """The working time of a default installation (the official calendar shipped in config/)."""
    return WorkingTime(HolidayCalendar.from_file(ROOT / "config" / "calendar" / "china.json"))
START = "2026-11-02"  # a Monday in a year the calendar knows: the same seed gives the same cases
TYPICAL = (12, 18)  # events of a "typical 15-event case"
TARGET_MS = 50.0


def _gridcase(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"})
    return done.stdout


def _fill(url: str, days: int, per_day: float) -> dict[str, Any]:
    """Migrate, seed the demo city and simulate ``days`` days of reports; the simulation's summary."""
    _gridcase(url, "db", "upgrade")
    _gridcase(url, "demo", "seed")
    return dict(json.loads(_gridcase(url, "demo", "simulate", "--days", str(days), "--start", START, "--seed", "1",
                                     "--per-day", str(per_day), "--json")))


def _ms(values: list[float], share: float) -> float | None:
    """The ``share`` percentile of seconds, in ms (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)


def _sample(case_ids: list[int], size: int) -> list[int]:
    """``size`` case ids spread evenly over all of them."""
    if len(case_ids) <= size:
        return list(case_ids)
    step = len(case_ids) / size
    return [case_ids[int(i * step)] for i in range(size)]


def _exports(deps: Deps, case_ids: list[int]) -> dict[str, Any]:
    """Export each case to JSON text and verify it from that text alone: ms p50 of each, file size."""
    exported, verified, sizes, failed = [], [], [], 0
    for case_id in case_ids:
        started = time.perf_counter()
        text = json.dumps(export_case(deps, case_id, deps.clock.now()), ensure_ascii=False, indent=1)
        exported.append(time.perf_counter() - started)
        sizes.append(len(text.encode()))
        started = time.perf_counter()
        failed += not verify_document(json.loads(text)).verified
        verified.append(time.perf_counter() - started)
    return {"sample": len(case_ids), "export_ms_p50": _ms(exported, 0.5),
            "verify_document_ms_p50": _ms(verified, 0.5), "verify_document_ms_max": _ms(verified, 1.0),
            "file_kb_p50": round(statistics.median(sizes) / 1024, 1) if sizes else None, "not_verified": failed}


def _figures(results: list[VerifyResult], seconds: float) -> dict[str, Any]:
    times = [r.seconds for r in results]
    events = [r.events for r in results]
    typical = [r.seconds for r in results if TYPICAL[0] <= r.events <= TYPICAL[1]]
    p95 = _ms(typical, 0.95)
    return {
        "cases": len(results), "verified": sum(r.verified for r in results),
        "not_verified": [f"{r.case_no}: {r.divergence.describe()}" for r in results if r.divergence][:10],
        "events_total": sum(events),
        "events_per_case_mean": round(statistics.mean(events), 1) if events else None,
        "events_per_case_median": statistics.median(events) if events else None,
        "cases_per_second": round(len(results) / seconds, 1) if seconds else None,
        "verify_ms_p50": _ms(times, 0.5), "verify_ms_p95": _ms(times, 0.95), "verify_ms_max": _ms(times, 1.0),
        "typical_case": {"events": f"{TYPICAL[0]}-{TYPICAL[1]}", "cases": len(typical), "ms_p50": _ms(typical, 0.5),
                         "ms_p95": p95, "target_ms": TARGET_MS, "meets_target": p95 is not None and p95 < TARGET_MS},
    }


def measure(url: str, days: int, per_day: float, sample: int = 20) -> dict[str, Any]:
    """Fill ``url`` with a simulated city, then verify every case and export a sample."""
    started = time.perf_counter()
    simulated = _fill(url, days, per_day)
    filled = time.perf_counter() - started
    bus = bootstrap(url, working_time=_city_working_time())
    try:
        with bus.deps.uow(read_only=True) as uow:
            case_ids = audit_store.case_ids(uow.store)
        started = time.perf_counter()
        results = [verify_case(bus.deps, case_id) for case_id in case_ids]
        seconds = time.perf_counter() - started
        exports = _exports(bus.deps, _sample(case_ids, sample))
    finally:
        bus.deps.db.dispose()
    return {"simulated": {"days": days, "per_day": per_day, "start": START, "reports": simulated["reports"],
                          "commands": simulated["commands"], "timers_fired": simulated["timers_fired"],
                          "closed": simulated["closed"], "seconds_to_fill": round(filled, 1)},
            **_figures(results, seconds), "verify_seconds_total": round(seconds, 2), "export": exports}


def _machine() -> dict[str, Any]:
    return {"cores": os.cpu_count(), "machine": platform.machine(), "system": platform.platform(terse=True),
            "python": platform.python_version()}


def run(database_url: str | None = None, days: int = 14, per_day: float = 40.0) -> dict[str, Any]:
    """On a temporary SQLite file by default; a PostgreSQL URL gets a schema of its own, dropped afterwards."""
    result: dict[str, Any] = {"machine": _machine()}
    if database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            result["database"] = "sqlite (temporary file, WAL)"
            result.update(measure(f"sqlite:///{folder}/replay.db", days, per_day))
        return result
    if not database_url.startswith("postgresql"):
        result["database"] = database_url.split(":", 1)[0]
        result.update(measure(database_url, days, per_day))
        return result
    schema = f"bench_replay_{os.getpid()}"
    with postgres_schema(database_url, schema) as url:
        result["database"] = f"postgresql (schema {schema}, dropped afterwards)"
        result.update(measure(url, days, per_day))
    return result
