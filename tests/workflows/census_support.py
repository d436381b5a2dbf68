"""Driving workflows/census_campaign.bpmn and census_sweep.bpmn in tests: Lakeside with two census topics, a
campaign over one grid, every item of a grid recorded."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixture_types import Sql
from lifecycle import Case
from sqlalchemy.engine import Engine

from city.campaigns.commands import RecordSweepCheck, StartCampaign
from city.package.commands import LoadCityPackage
from city.package.reader import read_package
from engine.domain.city_zone import use_city_zone
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
TOPICS = {"topics": [
    {"code": "T1", "name": "井盖", "name_en": "Manholes", "group": "census", "checklist": [
        {"code": "damaged", "label": "井盖破损", "label_en": "Damaged", "kind": "check", "subtypes": ["0101"]},
        {"code": "total", "label": "井盖数量", "label_en": "Counted", "kind": "count", "subtypes": []}]},
    {"code": "T2", "name": "暴露垃圾", "name_en": "Garbage", "group": "census", "checklist": [
        {"code": "exposed", "label": "暴露垃圾", "label_en": "Exposed garbage", "kind": "check",
         "subtypes": ["0601"]}]}]}
START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
END = START + timedelta(days=10)
WARN = START + timedelta(days=8)  # 80 % of the period


def load_lakeside(bus: MessageBus, tmp_path: Path, clock: FakeClock) -> MessageBus:
    """Lakeside loaded with the two census topics, the clock at the campaign's start."""
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    (folder / "campaign_topics.json").write_text(json.dumps(TOPICS, ensure_ascii=False), "utf-8")
    clock.set(START)
    bus.handle(LoadCityPackage(read_package(folder), actor="admin1", source=str(folder)))
    return bus


def campaign(bus: MessageBus, sql: Sql, db: Engine, grids: int = 1) -> tuple[Case, list[Case], int, list[str]]:
    """A campaign over the first ``grids`` grids of ward W1: (the campaign's case, the grids' sweep cases,
    campaign id, grid codes)."""
    codes = [str(r.code) for r in sql("SELECT code FROM unit_grids WHERE district_code = 'W1' ORDER BY code")]
    started = bus.handle(StartCampaign("Lakeside 普查", "census", ("T1", "T2"), {"grids": codes[:grids]}, START,
                                       END, (), "lead1"))
    sweeps = sql("SELECT case_id FROM campaign_grids WHERE campaign_id = :id ORDER BY grid_code",
                 id=started["campaign_id"])
    return (Case(bus, db, started["case_id"]), [Case(bus, db, s.case_id) for s in sweeps], started["campaign_id"],
            codes[:grids])


def record_all(bus: MessageBus, campaign_id: int, grid: str) -> None:
    """Every item of the grid's two topics recorded (clear, or counted)."""
    for topic, item, result, count in (("T1", "damaged", "clear", None), ("T1", "total", "count", 4),
                                       ("T2", "exposed", "clear", None)):
        bus.handle(RecordSweepCheck(campaign_id, grid, topic, item, result, count, "collector1"))


@pytest.fixture(autouse=True)
def _zone_restored() -> Iterator[None]:
    """Loading Lakeside sets the process's city zone (America/Chicago): put the default back (autouse in the
    modules that import it)."""
    yield
    use_city_zone(None)
