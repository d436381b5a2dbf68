"""What a second package load refuses, or clears, once a city runs (SQLite and PostgreSQL): a person holding an
open task is not removed; the time zone does not change under counted cases; the deployed rules stay only when they
name nothing the package removes; a package without components empties the registry."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from city_package_support import CHICAGO, LAKESIDE
from city_package_support import load_package as _load
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.commands import ReportProblem
from engine.domain.clock import FakeClock
from engine.domain.commands import ClaimTask
from engine.domain.errors import InvalidCommand
from engine.service.bus import MessageBus

Sql = Callable[..., list[sa.Row]]




def _running(db: Engine) -> MessageBus:
    """Lakeside loaded, with one reported case (its facts written, its first task ready)."""
    bus = bootstrap(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    _load(bus)
    bus.handle(ReportProblem("0601", "Garbage", -87.6597, 41.8673, "311", "seat1"))
    return bus


def _changed(tmp_path: Path, edit: Callable[[Path], None], *, rules: bool = True) -> Path:
    folder = tmp_path / "changed"
    shutil.copytree(LAKESIDE, folder)
    if not rules:
        shutil.rmtree(folder / "rules")
    edit(folder)
    return folder


def _edit_json(folder: Path, name: str, change: Callable[[Any], Any]) -> None:
    path = folder / name
    path.write_text(json.dumps(change(json.loads(path.read_text("utf-8"))), ensure_ascii=False), "utf-8")


def test_a_person_holding_an_open_task_is_not_removed(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus = _running(db)
    (task,) = sql("SELECT id FROM human_tasks WHERE state = 'ready' AND candidate_group = 'collector:W1'")
    (holder,) = sql("SELECT username FROM users WHERE role = 'collector' AND district_code = 'W1'")
    bus.handle(ClaimTask(task.id, holder.username))
    smaller = _changed(tmp_path, lambda f: _edit_json(f, "users.json", lambda d: {
        **d, "users": [u for u in d["users"] if u["username"] != holder.username]}))
    with pytest.raises(InvalidCommand, match=r"holds open tasks.*reassign or release their tasks") as refused:
        _load(bus, smaller)
    assert refused.value.field == "users" and holder.username in str(refused.value)
    assert sql("SELECT username FROM users WHERE username = :u", u=holder.username)


def test_the_zone_does_not_change_under_counted_cases(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus = _running(db)
    eastern = _changed(tmp_path, lambda f: _edit_json(f, "city.json", lambda d: {**d, "time_zone": "America/New_York"}))
    with pytest.raises(InvalidCommand, match=r"time_zone: 1 cases .* America/Chicago.*America/New_York") as refused:
        _load(bus, eastern)
    assert refused.value.field == "time_zone"
    assert [tuple(r) for r in sql("SELECT time_zone, version FROM city_profiles")] == [("America/Chicago", 1)]


def test_without_rules_the_deployed_ones_must_not_name_what_the_package_removes(db: Engine, sql: Sql,
                                                                                tmp_path: Path) -> None:
    bus = bootstrap(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    _load(bus)

    def without_w1_d01(folder: Path) -> None:
        _edit_json(folder, "departments.json", lambda d: {
            **d, "departments": [x for x in d["departments"] if x["code"] != "W1-D01"]})
        _edit_json(folder, "users.json", lambda d: {
            **d, "users": [u for u in d["users"] if u.get("department") != "W1-D01"]})

    with pytest.raises(InvalidCommand, match=r"rules: the deployed responsibility\.dmn .*'W1-D01'") as refused:
        _load(bus, _changed(tmp_path, without_w1_d01, rules=False))
    assert refused.value.field == "rules"
    assert sql("SELECT code FROM departments WHERE code = 'W1-D01'")
    same = _load(bus, _changed(tmp_path / "same", lambda f: None, rules=False))  # removes nothing: rules stay
    assert same["deployed"] == [] and same["version"] == 2


def test_a_package_without_components_empties_the_registry(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus = bootstrap(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    with_registry = _changed(tmp_path / "with", lambda f: _write_registry(f))
    assert _load(bus, with_registry)["components"]["total"] == 1
    result = _load(bus, LAKESIDE)
    assert result["components"]["removed"] == 1 and sql("SELECT count(*) FROM components")[0][0] == 0


def _write_registry(folder: Path) -> None:
    (folder / "components.csv").write_text("id,class,owner,state,lon,lat\nMH-1,0101,W1-D01,in_use,-87.6597,41.8673\n",
                                           "utf-8")
    _edit_json(folder, "city.json", lambda d: {**d, "components": "components.csv"})
