"""A report naming the unit that answers for its place (``report.responsible_unit``: an assessed object's unit, for
a rectification case 考评整改) is routed to that unit; one without it is routed by the rules as before. The
rectification channel ``assessment`` skips the on-site verification (核实), as a collector's own report does."""

from __future__ import annotations

from fixture_types import TaskData
from lifecycle import report, start, to_dispatch
from sqlalchemy.engine import Engine

from engine.service.bus import MessageBus

RULES_DEPARTMENT = "350602-D02"  # 0601 暴露垃圾 in 350602 by the responsibility rules
UNIT = "350602-D03"


def test_the_responsible_unit_is_the_routed_department(city_bus: MessageBus, db: Engine,
                                                       task_data: TaskData) -> None:
    case = to_dispatch(city_bus, db, report(channel="assessment", responsible_unit=UNIT))
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert (data["disposal_unit"], data["report"]["responsible_unit"]) == (UNIT, UNIT)
    assert case.tasks("verify_report") == []  # the inspector saw the failure: no 核实


def test_without_it_the_rules_route_as_before(city_bus: MessageBus, db: Engine, task_data: TaskData) -> None:
    for data in (report(), report(responsible_unit=None), report(responsible_unit="")):
        case = to_dispatch(city_bus, db, data)
        assert task_data(case.case_id, "confirm_dispatch")[-1]["disposal_unit"] == RULES_DEPARTMENT


def test_a_hotline_report_is_still_verified(city_bus: MessageBus, db: Engine) -> None:
    assert "verify_report" in start(city_bus, db, report(responsible_unit=UNIT)).ready()
