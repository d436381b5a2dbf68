"""``gridcase process deploy --if-empty`` (what `make run` runs at every start) on SQLite and PostgreSQL: it deploys
the lifecycle into a fresh database, and leaves a loaded city's rules alone afterwards."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = ROOT / "tests" / "fixtures" / "cities" / "lakeside"
Sql = Callable[..., list[sa.Row]]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_make_runs_deploy_keeps_a_loaded_citys_rules(db_url_engine: tuple[str, sa.Engine], sql: Sql) -> None:
    url, _ = db_url_engine
    fresh = _cli(url, "process", "deploy", "workflows", "rules", "--if-empty", "--comment", "make run")
    assert fresh.returncode == 0, fresh.stderr
    assert "case_lifecycle: version 1 (deployed" in fresh.stdout
    loaded = _cli(url, "city", "load", str(LAKESIDE))  # deploys the lifecycle with Lakeside's rules: version 2
    assert loaded.returncode == 0, loaded.stderr
    again = _cli(url, "process", "deploy", "workflows", "rules", "--if-empty", "--comment", "make run")
    assert again.returncode == 0, again.stderr
    assert "nothing deployed (--if-empty)" in again.stdout
    (latest,) = sql("SELECT number, sources FROM process_versions WHERE process_id = 'case_lifecycle' "
                    "ORDER BY number DESC LIMIT 1")
    assert latest.number == 2 and "W1-D01" in latest.sources  # Lakeside's rules, not the demo's
