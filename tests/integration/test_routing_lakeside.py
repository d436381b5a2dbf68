"""The second test city, Lakeside (America/Chicago, projected source files), routes as its package says, on SQLite
and PostgreSQL: a 事件 of a street office's mandate to the office of the neighbourhood its grid lies in, a 部件 near a
registered component to the component's owner, and without one by ward (district) as before."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.commands import ReportProblem
from city.package.commands import LoadCityPackage
from city.package.profile import install
from city.package.reader import read_package
from city.package.rules import deploy_files
from city.routing.commands import LoadComponents
from city.routing.points import read_components
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
NORTH_SHORE = (-87.65972, 41.86727)  # unit grid LS00: beat B11, ward W1, neighbourhood North Shore (W1-S01)
SOUTH_LOOP = (-87.64767, 41.86734)   # LS20: beat B21, ward W2, South Loop (W2-S01)
FAR_CORNER = (-87.64178, 41.88088)   # LS33: beat B22, ward W2; no component registered near


@pytest.fixture
def lakeside(db: Engine, tmp_path: Path) -> MessageBus:
    """Lakeside loaded, with one registered manhole cover (0101) of the city's streets department C02."""
    bus = bootstrap(db, FakeClock(datetime(2026, 10, 5, 9, 0, tzinfo=ZoneInfo("America/Chicago"))))
    install(bus)
    package = read_package(LAKESIDE)
    bus.handle(LoadCityPackage(package, actor="admin1", source=str(LAKESIDE), deploy=deploy_files(package.rules)))
    census = tmp_path / "census.csv"
    census.write_text(f"id,class,owner,lon,lat\nMH-1,0101,C02,{NORTH_SHORE[0] + 0.0002},{NORTH_SHORE[1]}\n", "utf-8")
    bus.handle(LoadComponents(tuple(read_components(census)), str(census), actor="admin1"))
    return bus



def suggestion(bus: MessageBus, db: Engine, subtype: str, where: tuple[float, float]) -> dict[str, Any]:
    """Report, verify and file a problem; the data the dispatcher sees at 派遣 (the rules' suggestion)."""
    ref = bus.handle(ReportProblem(subtype, "reported", where[0], where[1], "311", "seat1"))
    for bpmn_id, form in (("verify_report", {"verification": {"found": True}}),
                          ("file_or_void", {"filing": {"decision": "file"}}), ("confirm_dispatch", None)):
        with db.connect() as conn:
            task_id = conn.execute(sa.text("SELECT id FROM human_tasks WHERE case_id = :c AND bpmn_id = :b"
                                           " AND state = 'ready'"), {"c": ref.case_id, "b": bpmn_id}).scalar_one()
            if form is None:
                data = conn.execute(sa.text(
                    "SELECT d.data FROM workflow_tasks t JOIN task_data d ON d.case_id = t.case_id"
                    " AND d.hash = t.data_hash WHERE t.task_id = :t"), {"t": task_id}).scalar_one()
                return dict(json.loads(data))
        bus.handle(c.CompleteHumanTask(task_id, form, "lead1"))
    raise AssertionError("unreachable")


def test_a_neighbourhood_event_goes_to_its_street_office(lakeside: MessageBus, db: Engine) -> None:
    north, south = suggestion(lakeside, db, "0602", NORTH_SHORE), suggestion(lakeside, db, "0602", SOUTH_LOOP)
    assert (north["report"]["street"], north["disposal_unit"]) == ("NS", "W1-S01")
    assert (south["report"]["street"], south["disposal_unit"]) == ("SL", "W2-S01")


def test_a_component_goes_to_its_owner_or_else_to_the_ward(lakeside: MessageBus, db: Engine) -> None:
    near = suggestion(lakeside, db, "0101", NORTH_SHORE)
    assert near["report"]["component"]["id"] == "MH-1" and near["disposal_unit"] == "C02"
    far = suggestion(lakeside, db, "0101", FAR_CORNER)
    assert far["report"]["component"] is None and far["disposal_unit"] == "W2-D01"
