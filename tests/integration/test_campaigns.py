"""Census campaigns (专项普查) on SQLite and PostgreSQL: a campaign started over grids of the demo city, its grids
swept (checks, counts, findings of each kind), finished through the task API's command, its progress and report;
refusals naming the field with nothing written; the topics in the city package's load and export."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from campaign_support import COLLECTOR, LEAD, OTHER_COLLECTOR, counts, inside, rows, start, street_grids, sweep_task

from city.campaigns import progress
from city.campaigns.commands import RecordSweepCheck, ReportCampaignFinding, UpdateWatchedHazard
from city.package.export import export_package
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, GridcaseError, NotAllowed
from engine.domain.forms import FieldsRejected
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]

C01 = {"damaged": "clear", "missing": "clear", "uneven": "clear", "total": 12}  # 井盖: three checks and a count
C05 = ("vending", "hawkers", "shopfront")  # 占道经营


def check(bus: MessageBus, campaign: int, grid: str, topic: str, item: str, value: Any, actor: str = COLLECTOR) -> Any:
    result, count = ("count", value) if isinstance(value, int) else (value, None)
    return bus.handle(RecordSweepCheck(campaign, grid, topic, item, result, count, actor))


def finding(bus: MessageBus, campaign: int, grid: str, key: str, **fields: Any) -> dict[str, Any]:
    lon, lat = inside(bus, grid)
    values: dict[str, Any] = {"topic_code": "C05", "item_code": "vending", "kind": "case", "subtype_code": "1002",
                              "description": "占道经营 水果摊", "lon": lon, "lat": lat, **fields}
    result: dict[str, Any] = bus.handle(ReportCampaignFinding(campaign_id=campaign, grid_code=grid, finding_key=key,
                                                              actor=fields.pop("actor", COLLECTOR), **values))
    return result


@pytest.fixture
def bus(api: Any) -> MessageBus:
    return api.bus  # type: ignore[no-any-return]


def test_a_grid_swept_to_done_with_a_case_filed(bus: MessageBus) -> None:
    (grid, other) = street_grids(bus, 2)
    started = start(bus, [grid, other])
    campaign = started["campaign_id"]
    assert started["grids"] == 2 and started["case_no"]
    task = sweep_task(bus, campaign, grid)
    assert task["candidate_group"] == "collector:350602" and task["due_at"] is not None
    finish = c.CompleteHumanTask(task["id"], {}, COLLECTOR, claim_if_free=True)
    with pytest.raises(GridcaseError) as refused:  # no topic recorded: the model's reject("topics", …)
        bus.handle(finish)
    assert getattr(refused.value, "field", None) == "topics" or "topics" in str(refused.value)
    for item, value in C01.items():
        check(bus, campaign, grid, "C01", item, value)
    check(bus, campaign, grid, "C05", "hawkers", "clear")
    check(bus, campaign, grid, "C05", "shopfront", "clear")
    assert rows(bus, "SELECT topics_done FROM campaign_grids WHERE campaign_id = ? AND grid_code = ?",
                campaign, grid) == [(1,)]
    filed = finding(bus, campaign, grid, "f-1")
    (case_id, channel, step) = rows(bus, "SELECT s.case_id, s.channel, h.bpmn_id FROM case_summaries s"
                                         " JOIN human_tasks h ON h.case_id = s.case_id AND h.state = 'ready'"
                                         " WHERE s.case_no = ?", filed["case_no"])[0]
    assert (channel, step) == ("census", "file_or_void")  # 普查: no 核实, straight to 立案
    assert rows(bus, "SELECT kind, case_id FROM campaign_findings WHERE finding_key = 'f-1' AND campaign_id = ?",
                campaign) == [("case", case_id)]
    bus.handle(finish)
    assert rows(bus, "SELECT state, done_by, topics_done, findings FROM campaign_grids"
                     " WHERE campaign_id = ? AND grid_code = ?", campaign, grid) == [("done", COLLECTOR, 2, 1)]
    with pytest.raises(ConcurrencyConflict):
        check(bus, campaign, grid, "C01", "damaged", "clear")
    sweep_case = rows(bus, "SELECT case_id FROM campaign_grids WHERE campaign_id = ? AND grid_code = ?",
                      campaign, grid)[0][0]
    kinds = [r[0] for r in rows(bus, "SELECT event_type FROM case_events WHERE case_id = ? ORDER BY seq", sweep_case)]
    assert kinds.count("sweep_check_recorded") == 6 and kinds.count("campaign_finding_recorded") == 1
    for case in (sweep_case, case_id, started["case_id"]):
        result = verify_case(bus.deps, case)
        assert result.verified, result.divergence and result.divergence.describe()
    status = progress.campaign_status(bus.deps, campaign)
    assert status is not None
    assert (status["grids_done"], status["grids_open"], status["findings"]) == (1, 1, 1)
    assert status["report"]["by_topic"]["C05"] == {"found": 1, "filed": 1, "fixed": 0, "open": 1}
    assert status["progress"]["by_topic"]["C01"] == {"items_clear": 3, "items_count": 1}
    sheet = progress.sheet(bus.deps, campaign, grid)
    assert sheet is not None and [t["done"] for t in sheet["topics"]] == [True, True]
    lights = {g["grid"]: (g["state"], g["light"]) for g in progress.grid_lights(bus.deps, campaign)}
    assert lights == {grid: ("done", None), other: ("open", "green")}


def test_records_watched_hazards_and_an_idempotent_key(bus: MessageBus) -> None:
    (grid,) = street_grids(bus, 1)
    campaign = start(bus, [grid], topics=("H01", "C09"), kind="hazard_survey")["campaign_id"]
    first = finding(bus, campaign, grid, "w-1", topic_code="H01", item_code="collapse", kind="watched",
                    subtype_code="0907", description="广告牌松动 倒塌隐患")
    again = finding(bus, campaign, grid, "w-1", topic_code="H01", item_code="collapse", kind="watched",
                    subtype_code="0907", description="广告牌松动 倒塌隐患")
    assert again["finding_id"] == first["finding_id"] and first["case_no"] is None and again["created"] is False
    kept = finding(bus, campaign, grid, "r-1", topic_code="C09", item_code="piled", kind="record", subtype_code=None,
                   description="共享单车 23 辆", data={"bicycles": 23})
    assert kept["case_no"] is None
    bus.handle(UpdateWatchedHazard(first["finding_id"], "fixed", "已加固", LEAD))
    assert rows(bus, "SELECT kind, state FROM campaign_findings WHERE campaign_id = ? ORDER BY id", campaign) == [
        ("watched", "fixed"), ("record", None)]
    report = progress.campaign_status(bus.deps, campaign)["report"]  # type: ignore[index]
    assert (report["found"], report["filed"], report["fixed"], report["open"]) == (2, 0, 1, 0)
    assert rows(bus, "SELECT findings FROM campaign_grids WHERE campaign_id = ?", campaign) == [(2,)]


def _refused(bus: MessageBus, call: Any) -> dict[str, str]:
    before = counts(bus)
    with pytest.raises(FieldsRejected) as refused:
        call()
    assert counts(bus) == before  # nothing half-written
    return refused.value.fields


def test_starts_refused_naming_the_field(bus: MessageBus) -> None:
    grids = street_grids(bus, 1)
    now = bus.deps.clock.now()
    assert "topics.0" in _refused(bus, lambda: start(bus, grids, topics=("NOPE",)))
    assert "area" in _refused(bus, lambda: start(bus, grids, area={}))
    assert "area.districts" in _refused(bus, lambda: start(bus, grids, area={"districts": ["999999"]}))
    assert "area.streets" in _refused(bus, lambda: start(bus, grids, area={"streets": ["nowhere"]}))
    assert "ends_at" in _refused(bus, lambda: start(bus, grids, starts_at=now, ends_at=now - timedelta(hours=1)))
    assert "teams.0.group" in _refused(bus, lambda: start(bus, grids, teams=({"name": "一组", "group": ""},)))
    assert "emergency_id" in _refused(bus, lambda: start(bus, grids, kind="hazard_survey", emergency_id=987654))
    before = counts(bus)
    with pytest.raises(NotAllowed):
        start(bus, grids, actor="dispatcher01")
    assert counts(bus) == before


def test_records_refused_naming_the_field(bus: MessageBus) -> None:
    (grid, outside_grid) = street_grids(bus, 2)
    campaign = start(bus, [grid])["campaign_id"]
    assert "grid_code" in _refused(bus, lambda: check(bus, campaign, outside_grid, "C01", "damaged", "clear"))
    assert "topic_code" in _refused(bus, lambda: check(bus, campaign, grid, "C02", "dark", "clear"))
    assert "item_code" in _refused(bus, lambda: check(bus, campaign, grid, "C01", "nope", "clear"))
    assert "result" in _refused(bus, lambda: check(bus, campaign, grid, "C01", "total", "clear"))
    assert "subtype_code" in _refused(bus, lambda: finding(bus, campaign, grid, "x", subtype_code="0601"))
    assert "lon" in _refused(bus, lambda: finding(bus, campaign, grid, "x", lon=117.0, lat=24.0))
    before = counts(bus)
    with pytest.raises(NotAllowed):
        check(bus, campaign, grid, "C01", "damaged", "clear", actor=OTHER_COLLECTOR)
    assert counts(bus) == before


def test_a_district_campaign_and_its_counts(bus: MessageBus) -> None:
    started = start(bus, [], area={"streets": ["350602006000", "350603003000"]},
                    teams=({"name": "芗城一组", "group": "collector:350602", "districts": ["350602"]},))
    assert started["grids"] == 83 + 110
    counted = progress.campaign_status(bus.deps, started["campaign_id"])["progress"]  # type: ignore[index]
    assert {s["key"]: s["grids"] for s in counted["by_street"]} == {"350602006000": 83, "350603003000": 110}
    assert {t["key"]: t["grids"] for t in counted["by_team"]} == {"芗城一组": 83, "collector:350603": 110}
    assert rows(bus, "SELECT COUNT(*) FROM human_tasks h JOIN campaign_grids g ON g.case_id = h.case_id"
                     " WHERE g.campaign_id = ? AND h.bpmn_id = 'sweep_grid' AND h.state = 'ready'",
                started["campaign_id"]) == [(193,)]


def test_topics_in_the_city_export(bus: MessageBus, tmp_path: Path) -> None:
    written = export_package(bus.deps, tmp_path / "city")
    assert written["campaign_topics"] == 62
    topics = json.loads((tmp_path / "city" / "campaign_topics.json").read_text("utf-8"))["topics"]
    assert sum(t["group"] == "census" for t in topics) == 54 and sum(t["group"] == "hazard" for t in topics) == 8
    assert topics == progress.topic_catalogue(bus.deps)


def test_the_command_line(city: str) -> None:
    def gridcase(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "--database-url", city, "campaign", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=False)

    window = ("--starts", "2026-12-07T08:00:00+08:00", "--ends", "2099-12-20T08:00:00+08:00")
    refused = gridcase("start", "--name", "测试", "--topics", "C01", "--districts", "999", *window, "--as", LEAD)
    assert refused.returncode == 1 and "area.districts: unknown district '999'" in refused.stderr
    started = gridcase("start", "--name", "测试", "--topics", "C01,C05", "--streets", "350602006000", *window,
                       "--team", "一组=collector:350602:350602", "--as", LEAD)
    assert started.returncode == 0, started.stderr
    campaign_id = started.stdout.split()[2]
    assert started.stdout.rstrip().endswith(": 83 grids")
    status = json.loads(gridcase("status", campaign_id, "--json").stdout)
    assert (status["grid_count"], status["teams"][0]["group"], status["light"]) == (83, "collector:350602", "green")
    listed = gridcase("topics").stdout
    assert "C01  [census] 井盖 / Manhole covers" in listed and "H01  [hazard]" in listed
