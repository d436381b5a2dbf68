"""``gridcase bench queries`` end to end at a tiny size: it builds the dataset, measures and prints its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from databases import PG_HELP, PG_URL

from bench.queries_heat import VARIANTS
from engine.persistence.db import create_db_engine

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ("dispatcher_inbox", "department_queue", "case_page_live", "case_page_history", "heat_map_all",
           "heat_map_month", "heat_map_period", "kpi_monthly_report")


def _bench(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "cli", "bench", "queries", "--json", "--cases", "2000",
                           "--repeat", "5", *args], capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _check(result: dict) -> None:
    assert result["dataset"]["imported"] == 2000 and result["dataset"]["bad_rows"] == 0
    assert result["sizes"]["history_cases"] == 2000 and result["sizes"]["live_cases"] > 0
    assert set(result["queries"]) == set(QUERIES)
    for name in ("dispatcher_inbox", "department_queue", "heat_map_all", "heat_map_month", "heat_map_period"):
        figures = result["queries"][name]
        assert figures["p95_ms"] >= figures["p50_ms"] >= 0
        assert {"target_ms", "meets_target"} <= set(figures)
        variants = figures.get("variants", {"-": {"repetitions": 5}})  # heat maps: each variant 5 times
        assert figures["repetitions"] == 5 * len(variants)
        assert all(v["repetitions"] == 5 for v in variants.values())
    assert set(result["queries"]["heat_map_all"]["variants"]) == set(VARIANTS)
    assert "note" not in result["queries"]["case_page_history"]  # the history case pages were found


def test_the_bench_runs_on_sqlite(tmp_path: Path) -> None:
    result = _bench("--database-url", f"sqlite:///{tmp_path / 'bench.db'}")
    _check(result)
    assert result["database"].startswith("sqlite")


def test_the_bench_runs_on_postgresql_in_a_schema_it_drops() -> None:
    if PG_URL is None:
        pytest.skip(PG_HELP)
    result = _bench("--database-url", PG_URL)
    _check(result)
    schema = result["database"].split("schema ", 1)[1].split(",", 1)[0]
    engine = create_db_engine(PG_URL)
    with engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s",
                                    (schema,)).scalar()
    engine.dispose()
    assert left == 0
