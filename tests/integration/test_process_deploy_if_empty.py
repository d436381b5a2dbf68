"""``gridcase process deploy --if-empty`` (what `make run` runs at every start) on SQLite and PostgreSQL: it deploys
each process that has no version yet (a fresh database gets them all, an older one the processes added since, such as
citizen_callback) and leaves every deployed one alone (a loaded city's rules stay)."""

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
    assert "case_lifecycle" not in again.stdout and "nothing deployed (--if-empty)" in again.stdout
    (latest,) = sql("SELECT number, sources FROM process_versions WHERE process_id = 'case_lifecycle' "
                    "ORDER BY number DESC LIMIT 1")
    assert latest.number == 2 and "W1-D01" in latest.sources  # Lakeside's rules, not the demo's


def test_if_empty_deploys_the_processes_added_since(db_url_engine: tuple[str, sa.Engine], sql: Sql) -> None:
    url, _ = db_url_engine  # a database made before citizen_callback existed: only the lifecycle deployed
    first = _cli(url, "process", "deploy", "workflows/case_lifecycle.bpmn", "rules", "--comment", "old")
    assert first.returncode == 0, first.stderr
    later = _cli(url, "process", "deploy", "workflows", "rules", "--if-empty", "--comment", "make run")
    assert later.returncode == 0, later.stderr
    assert "citizen_callback: version 1 (deployed" in later.stdout and "case_lifecycle" not in later.stdout
    rows = sql("SELECT process_id, number FROM process_versions WHERE process_id IN "
               "('case_lifecycle', 'citizen_callback') ORDER BY process_id")
    assert [(r.process_id, r.number) for r in rows] == [("case_lifecycle", 1), ("citizen_callback", 1)]
