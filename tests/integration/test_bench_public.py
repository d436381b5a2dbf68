"""``gridcase bench public`` end to end at a tiny size, on SQLite and PostgreSQL: every figure of issue 23 measured
through the app and printed as one JSON object (the PostgreSQL run in a schema of its own, dropped after)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from databases import PG_HELP, PG_URL

ROOT = Path(__file__).resolve().parents[2]
REQUESTS, CASES, DRIVE = 4, 25, 2
SERIES = {"n", "p50_ms", "p95_ms", "max_ms", "seconds", "per_s", "warm_up_calls"}


def _bench(*extra: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "cli", "bench", "public", "--json", "--requests", str(REQUESTS),
                           "--cases", str(CASES), "--drive", str(DRIVE), *extra], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


def _check(result: dict) -> None:
    assert set(result) == {"database", "requests", "cases", "seed_seconds", "open311_intake", "open311_reads",
                           "hotline_intake", "pushes", "exchange_export"}
    intake = result["open311_intake"]
    for series in (intake["open311_post"], intake["staff_post"], result["hotline_intake"]["order_post"],
                   result["hotline_intake"]["duplicate_order_post"], *result["open311_reads"].values()):
        assert set(series) >= SERIES and series["p95_ms"] >= series["p50_ms"] > 0
    assert intake["open311_post"]["n"] == intake["staff_post"]["n"] == REQUESTS
    assert set(intake["open311_vs_staff"]) == {"mean_time", "p50", "p95"}
    assert result["open311_reads"]["list_all"]["requests_listed"] == REQUESTS + 1  # and the warm-up's
    assert result["open311_reads"]["one_request"]["n"] == REQUESTS + 1  # every public request, by its id
    pushes = result["pushes"]
    # each order's received push (the warm-up's too) and a filed one per driven order, all signed and taken
    assert pushes["received_by_stage"] == {"received": REQUESTS + 1, "filed": DRIVE}
    assert pushes["sent"] == pushes["signatures_valid"] == REQUESTS + 1 + DRIVE and pushes["failed"] == 0
    exported = result["exchange_export"]
    assert exported["records"] == CASES and exported["schema_problems"] == 0 and exported["file_bytes"] > 0
    assert exported["baseline_records"] >= 3 * (REQUESTS + 1)  # the bench's own cases, exported first


def test_the_public_bench_runs_on_sqlite() -> None:
    result = _bench()
    _check(result)
    assert result["database"] == "sqlite"


def test_the_public_bench_runs_on_postgresql() -> None:
    if PG_URL is None:  # a machine without PostgreSQL; CI sets the URL (.ci/run), where a skip fails the run
        pytest.skip(PG_HELP)
    result = _bench("--database-url", PG_URL)
    _check(result)
    assert result["database"] == "postgresql"
