"""Emergency rules on both databases (应急规则): with a typhoon declared over 芗城区 (350602), a fallen-tree report
there is filed (立案) and dispatched (派遣) by rule with a limit in natural hours; a report outside the area, or a
problem the emergency table leaves alone, takes the usual steps; once the emergency has ended, the usual steps again.

The declaration goes through the emergency command (``DeclareEmergency``); ``emergency_at`` reads the active
emergencies at most every second of the clock, so the tests move the fake clock past that after each change."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api
from duplicates_support import clocked_api

from city.emergency.commands import DeclareEmergency, EndEmergency
from engine.domain.errors import InvalidCommand

FALLEN_TREE = "0906"
IN_350603 = {"lon": 117.62, "lat": 24.53}  # 芗城区's neighbour 龙文区: outside the declared area


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    """The module's city on a fake clock; the emergencies a test declared are ended after it (the module's tests
    share the city, and an emergency left active would cover the next test's reports)."""
    for api in clocked_api(city, tmp_path):
        api.declared = []  # type: ignore[attr-defined]
        yield api
        for emergency_id in api.declared:  # type: ignore[attr-defined]
            with contextlib.suppress(InvalidCommand):  # the test ended it already
                api.bus.handle(EndEmergency(emergency_id, "supervisor01"))


def declare(api: Api, **overrides: Any) -> int:
    now = api.clock.now()  # type: ignore[attr-defined]
    command = DeclareEmergency(**{
        "kind": "typhoon", "level": "II", "area": {"districts": ["350602"], "streets": []},
        "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat(),
        "commander": "supervisor01", "actor": "shiftlead01", "name": "台风“海葵”", "signal_kinds": (FALLEN_TREE,),
        **overrides})
    declared: dict[str, Any] = api.bus.handle(command)
    api.declared.append(int(declared["id"]))  # type: ignore[attr-defined]
    api.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]  # past emergency_at's recheck
    return int(declared["id"])


def reported(api: Api, place: dict[str, float], subtype: str = FALLEN_TREE) -> dict[str, Any]:
    response = api.report(subtype_code=subtype, description="台风吹倒行道树", **place)
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


def ready(body: dict[str, Any]) -> list[str]:
    return [t["bpmn_id"] for t in body["tasks"]]


def test_a_hazard_in_the_area_is_filed_and_dispatched_by_rule(api: Api) -> None:
    emergency_id = declare(api)
    body = reported(api, POINT)
    assert ready(body) == ["dispose_problem"]  # no 核实, 立案 or 派遣 task: the engine did them by rule
    task = body["tasks"][0]
    data = api.get(f"/tasks/{task['id']}", "supervisor01").json["data"]
    assert data["emergency"]["id"] == emergency_id and data["emergency"]["kind"] == "typhoon"
    assert data["filing"]["actor"] == data["dispatch"]["actor"] == "engine"
    assert (data["limit_amount"], data["limit_unit"]) == (2, "natural_hours")
    assert data["department"] == data["disposal_unit"] and data["department"]


def test_outside_the_area_or_not_a_hazard_the_steps_are_the_usual(api: Api) -> None:
    declare(api)
    assert ready(reported(api, IN_350603)) == ["verify_report"]
    assert ready(reported(api, POINT, subtype="0601")) == ["verify_report"]  # 暴露垃圾: not filed by rule


def test_after_the_end_the_steps_are_the_usual_again(api: Api) -> None:
    emergency_id = declare(api)
    assert ready(reported(api, POINT)) == ["dispose_problem"]
    api.bus.handle(EndEmergency(emergency_id, "supervisor01", "台风已过境"))
    api.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    assert ready(reported(api, POINT)) == ["verify_report"]


def test_after_the_period_the_steps_are_the_usual_again(api: Api) -> None:
    declare(api)
    api.clock.advance(timedelta(days=1, seconds=1))  # type: ignore[attr-defined]  # ends_at passed, still active
    assert ready(reported(api, POINT)) == ["verify_report"]
