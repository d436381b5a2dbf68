"""``gridcase demo simulate``: simulated people work seeded reports through the real lifecycle."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from city_template import sqlite_city
from databases import seeded

from city.bootstrap import bootstrap
from city.commands import ReportProblem
from engine.domain.clock import FakeClock

Sql = Callable[..., list[sa.Row]]
ROOT = Path(__file__).resolve().parents[2]


def _gridcase(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True,
                          text=True, cwd=ROOT, check=check)


def _simulate(url: str) -> dict:
    return json.loads(_gridcase(url, "demo", "simulate", "--days", "3", "--start", "2026-11-02", "--seed", "7",
                                "--per-day", "12", "--json").stdout)


@pytest.fixture(params=["sqlite", "postgres"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sa.Engine]]:
    """(URL, engine) on a copy of the seeded city, lifecycle deployed (tests/city_template.py)."""
    yield from seeded(request.param, tmp_path_factory)


def rows(engine: sa.Engine, statement: str, **params: object) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def test_the_summary_matches_what_the_database_holds(db_url_engine: tuple[str, sa.Engine], sql: Sql) -> None:
    url, _ = db_url_engine
    _gridcase(url, "demo", "seed")
    summary = _simulate(url)
    cases = sql("SELECT id, status, workflow_json FROM cases ORDER BY id")
    assert summary["reports"] == len(cases) > 10
    assert summary["rejected"] == 0
    assert sum(summary["cases_by_state"].values()) == len(cases)
    evaluations = [json.loads(c.workflow_json)["data"]["evaluation"] for c in cases if c.status == "completed"]
    closed = [e for e in evaluations if e["result"] == "closed"]
    assert (summary["closed"], summary["voided"]) == (len(closed), len(evaluations) - len(closed))
    assert summary["closed_on_time"] == sum(e["on_time"] for e in closed)
    assert summary["closed"] > 0 and summary["timers_fired"] > 0
    channels = {r.channel for r in sql("SELECT DISTINCT json_extract(data, '$.data.report.channel') AS channel"
                                       " FROM case_events WHERE event_type = 'case_started'")} \
        if url.startswith("sqlite") else set()
    assert not channels or len(channels) >= 3
    assert sql("SELECT COUNT(*) AS n FROM human_tasks WHERE state = 'ready' AND candidate_group IS NULL")[0].n == 0


def test_the_same_seed_gives_the_same_city_day(tmp_path_factory: pytest.TempPathFactory) -> None:
    summaries = []
    for name in ("a", "b"):
        url = sqlite_city(tmp_path_factory, tmp_path_factory.mktemp(name))  # a copy of the seeded city
        summaries.append(_simulate(url))
    assert summaries[0] == summaries[1]


def test_without_a_city_it_says_to_seed_first(db_url_engine: tuple[str, sa.Engine]) -> None:
    url, _ = db_url_engine
    result = _gridcase(url, "demo", "simulate", "--days", "1", check=False)
    assert result.returncode == 1
    assert "gridcase demo seed" in result.stderr


def test_the_simulator_works_only_its_own_cases(city: tuple[str, sa.Engine]) -> None:
    """A real case, reported after the simulated days, is neither worked nor dated back by the simulator."""
    url, engine = city

    def sql(statement: str, **params: object) -> list[sa.Row]:
        return rows(engine, statement, **params)

    bus = bootstrap(engine, FakeClock(datetime(2026, 12, 6, 3, 20, tzinfo=UTC)))
    real = bus.handle(ReportProblem("0601", "暴露垃圾", 117.65, 24.51, "hotline", "seat01", external_id="real-1"))
    before = sql("SELECT version, updated_at FROM cases WHERE id = :i", i=real.case_id)
    summary = _simulate(url)
    assert summary["rejected"] == 0 and summary["reports"] == len(sql("SELECT id FROM cases")) - 1
    assert sql("SELECT version, updated_at FROM cases WHERE id = :i", i=real.case_id) == before
    ready = sql("SELECT bpmn_id, assignee FROM human_tasks WHERE case_id = :i AND state = 'ready'", i=real.case_id)
    assert [(r.bpmn_id, r.assignee) for r in ready] == [("verify_report", None)]
    marked = sql("SELECT COUNT(*) AS n FROM cases WHERE external_id LIKE 'sim-%'")[0].n
    assert marked == summary["reports"]
