"""Routing as cities route: a 事件 of a street office's mandate in a street's grid is suggested to that street
office (街道办/乡镇); a 部件 reported near a registered component of its class is suggested to the component's
owner (权属单位); with no street or no component near, the rules route by district as before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fixture_types import TaskData
from lifecycle import IN_CITY, report, to_dispatch
from sqlalchemy.engine import Engine

from city.routing.registry import Component, cell_of
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

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
