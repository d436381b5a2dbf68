"""Routing as cities route: a 事件 of a street office's mandate in a street's grid is suggested to that street
office (街道办/乡镇); a 部件 reported near a registered component of its class is suggested to the component's
owner (权属单位); with no street or no component near, the rules route by district as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lifecycle
import pytest
import sqlalchemy as sa
from fixture_types import TaskData
from lifecycle import IN_CITY, report, to_dispatch
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.grids.index import GridIndex
from city.routing.registry import Component, cell_of
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.persistence.db import create_db_engine
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

STREET_OFFICE = "350602-S01"
RESP_GRID = "350602013"  # the responsibility grid holding IN_CITY
METRE_LON = 1 / 101_200  # a metre east at 24.5°N, in degrees (about)


@pytest.fixture
def street(db: Engine) -> None:
    """IN_CITY's responsibility grid lies in 东铺头街道, whose street office is 350602-S01."""
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO districts (code, name, geometry) VALUES ('350602', '芗城区', '{}')"))
        conn.execute(sa.text("INSERT INTO streets (code, name, district_code, department_code)"
                             " VALUES ('350602-ST01', '东铺头街道', '350602', :office)"), {"office": STREET_OFFICE})
        conn.execute(sa.text("INSERT INTO resp_grids (code, name, district_code, geometry, street_code)"
                             " VALUES (:code, '第13责任网格', '350602', '{}', '350602-ST01')"), {"code": RESP_GRID})


def register(db: Engine, clock: FakeClock, *components: Component) -> None:
    """Components in the registry as a load writes them (the load itself is tested in tests/integration)."""
    with db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO components (id, subtype_code, lon, lat, cell_x, cell_y, owner_code, state, loaded_at)"
            " VALUES (:id, :subtype, :lon, :lat, :x, :y, :owner, :state, :now)"),
            [{"id": c.id, "subtype": c.subtype, "lon": c.lon, "lat": c.lat, "x": cell_of(c.lon, c.lat)[0],
              "y": cell_of(c.lon, c.lat)[1], "owner": c.owner, "state": c.state, "now": clock.now()}
             for c in components])


def near(metres_east: float, component_id: str, subtype: str, owner: str, state: str = "in_use") -> Component:
    return Component(component_id, subtype, IN_CITY["lon"] + metres_east * METRE_LON, IN_CITY["lat"], owner, state)


@pytest.mark.usefixtures("street")
def test_a_street_event_is_suggested_to_the_grids_street_office(city_bus: MessageBus, db: Engine,
                                                                task_data: TaskData) -> None:
    case = to_dispatch(city_bus, db, report(subtype="1002", description="占道经营"))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert (data["report"]["street"], data["report"]["street_office"]) == ("350602-ST01", STREET_OFFICE)
    assert (data["disposal_unit"], data["owner_unit"], data["competent_department"]) == (
        STREET_OFFICE, STREET_OFFICE, "C03")


@pytest.mark.usefixtures("street")
def test_an_emergency_in_the_street_stays_with_its_district_department(city_bus: MessageBus, db: Engine,
                                                                       task_data: TaskData) -> None:
    case = to_dispatch(city_bus, db, report(subtype="0905", description="道路积水"))
    assert task_data(case.case_id, "confirm_dispatch")[-1]["disposal_unit"] == "350602-D05"


def test_without_a_street_the_event_goes_to_the_district(city_bus: MessageBus, db: Engine,
                                                         task_data: TaskData) -> None:
    case = to_dispatch(city_bus, db, report(subtype="1002", description="占道经营"))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert (data["report"]["street_office"], data["disposal_unit"]) == (None, "350602-D02")


def test_a_component_near_a_registered_one_is_suggested_to_its_owner(city_bus: MessageBus, db: Engine,
                                                                      clock: FakeClock, task_data: TaskData) -> None:
    register(db, clock, near(30, "SJ-FAR", "0103", "350602-D05"), near(12, "SJ-NEAR", "0103", "C09"),
             near(3, "SJ-GONE", "0103", "C05", state="removed"), near(2, "OTHER", "0101", "C19"))
    case = to_dispatch(city_bus, db, report(subtype="0103", description="雨水井盖破损"))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    component = data["report"]["component"]
    assert (component["id"], component["owner"], component["department"]) == ("SJ-NEAR", "C09", "C09")
    assert 11 <= component["distance_m"] <= 13
    assert (data["disposal_unit"], data["owner_unit"]) == ("C09", "C09")


def test_with_no_component_near_the_rules_route_as_before(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                           task_data: TaskData) -> None:
    register(db, clock, near(80, "SJ-FAR", "0103", "C09"),
             near(5, "SJ-PRIVATE", "0102", "external:某小区物业"))
    for subtype, expected in (("0103", "350602-D05"), ("0102", "350602-D05")):
        case = to_dispatch(city_bus, db, report(subtype=subtype, description="井盖破损"))
        data = task_data(case.case_id, "confirm_dispatch")[-1]
        assert data["disposal_unit"] == expected, subtype
    assert data["report"]["component"]["owner"] == "external:某小区物业"  # kept for the dispatcher to see


def test_locate_keeps_its_old_answer_without_a_subtype(make_city_bus: Callable[..., MessageBus]) -> None:
    helpers = make_city_bus().deps.script_helpers
    where = helpers["locate"](IN_CITY["lon"], IN_CITY["lat"])
    assert where is not None and "component" not in where and where["resp_grid"] == RESP_GRID
    with pytest.raises(ValueError, match="subtype"):
        helpers["locate"](IN_CITY["lon"], IN_CITY["lat"], 103)


@pytest.mark.tampers  # the registry changes under the case; the step's kept answers must still replay
def test_a_component_case_verifies_after_the_registry_changes(city_bus: MessageBus, db: Engine,
                                                              clock: FakeClock) -> None:
    register(db, clock, near(12, "SJ-NEAR", "0103", "C09"))
    case = to_dispatch(city_bus, db, report(subtype="0103", description="雨水井盖破损"))
    assert verify_case(city_bus.deps, case.case_id).verified
    with db.begin() as conn:
        kept = conn.execute(sa.text("SELECT count(*) FROM case_events WHERE case_id = :c"
                                    " AND event_type = 'environment_answered'"), {"c": case.case_id}).scalar_one()
        conn.execute(sa.text("UPDATE components SET state = 'removed'"))
    assert kept >= 1  # the step that located the report kept locate's answer with its events
    result = verify_case(city_bus.deps, case.case_id)
    assert result.verified, result.divergence and result.divergence.describe()


def disable(db: Engine, clock: FakeClock, code: str) -> None:
    """A department as DisableDepartment leaves it (停用): a row of disabled_entries."""
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO disabled_entries (kind, key, disabled_at, disabled_by)"
                             " VALUES ('department', :code, :now, 'admin')"), {"code": code, "now": clock.now()})


def test_a_disabled_owner_gets_no_component_case(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                  task_data: TaskData) -> None:
    register(db, clock, near(12, "SJ-NEAR", "0103", "C09"))
    disable(db, clock, "C09")
    case = to_dispatch(city_bus, db, report(subtype="0103", description="雨水井盖破损"))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert data["report"]["component"] == {"id": "SJ-NEAR", "owner": "C09", "department": None, "distance_m": 12.0}
    assert data["disposal_unit"] == "350602-D05"  # the district's rule, as for an external owner


@pytest.mark.usefixtures("street")
def test_a_disabled_street_office_leaves_its_events_to_the_district(city_bus: MessageBus, db: Engine,
                                                                    clock: FakeClock, task_data: TaskData) -> None:
    disable(db, clock, STREET_OFFICE)
    case = to_dispatch(city_bus, db, report(subtype="0601", description="暴露垃圾"))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert (data["report"]["street_office"], data["disposal_unit"]) == (None, "350602-D02")


@pytest.mark.tampers  # a bus of its own on a one-connection pool: its cases are not the fixture bus's to replay
def test_a_report_locates_on_its_own_connection(db: Engine, clock: FakeClock, city_grid: GridIndex) -> None:
    register(db, clock, near(12, "SJ-NEAR", "0103", "C09"))
    tight = create_db_engine(str(db.url), pool_size=1, max_overflow=0, pool_timeout=2)
    bus = bootstrap(tight, clock, grid_index=city_grid, working_time=Settings.from_env({}).working_time(),
                    workflows_dir=None)
    bus.handle(DeployProcesses(read_sources([ROOT / "workflows", ROOT / "rules"]), "tests"))
    case = lifecycle.start(bus, db, report(subtype="0103", description="雨水井盖破损"))  # no second connection
    with db.connect() as conn:
        kept = conn.execute(sa.text("SELECT data FROM case_events WHERE case_id = :c"
                                    " AND event_type = 'environment_answered'"), {"c": case.case_id}).scalars().all()
    assert any("SJ-NEAR" in data for data in kept)
    tight.dispose()
