"""``gridcase bench jobs`` end to end at a tiny size, on SQLite and PostgreSQL: every job completed exactly once
through the HTTP API and the figures printed as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from databases import PG_HELP, PG_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_bench_jobs_completes_every_job_once(backend: str) -> None:
    if backend == "postgres" and PG_URL is None:
        pytest.skip(PG_HELP)
    extra = ["--database-url", PG_URL] if backend == "postgres" and PG_URL else []
    done = subprocess.run([sys.executable, "-m", "cli", "bench", "jobs", "--json", "--jobs", "40", "--workers", "3",
                           *extra], capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["database"] == ("sqlite" if backend == "sqlite" else "postgresql")
    assert (result["jobs_completed_in_db"], result["jobs_completed_twice"], result["exactly_once"]) == (40, 0, True)
    assert result["outcomes"] == {"completed": 40} and result["jobs_completed_per_s"] > 0
    assert result["lock_to_complete_p50_ms"] <= result["lock_to_complete_p95_ms"]
