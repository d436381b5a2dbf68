"""Property companies' credit (物业信用) on SQLite and PostgreSQL: a case filed (立案) inside a compound counts once
against its company by the deployed property_credit table (a later step, the audit replay and a second filing
count nothing), a case outside every compound or of a subtype the table gives 0 writes nothing, the smallest of
nested compounds answers, an inactive compound or company is ignored, and an inspection's credit is taken from its
data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from api_support import Api
from property_credit_support import (
    NESTED,
    ORPHANED,
    OUTER,
    OUTSIDE,
    RETIRED,
    Registry,
    case_id,
    events,
    filed,
    inspections,
    seeded,
)

from city.assessment.credit import CreditCaches, case_credit, inspection_credit
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.views import StepRecord
from engine.persistence.uow import command_scope
from engine.service.step_hooks import StepWritten


@pytest.fixture
def credit(api: Api) -> Iterator[tuple[Api, Registry]]:
    """The app with the credit registry seeded and the credit table deployed."""
    yield api, seeded(api)


def test_a_case_filed_inside_a_compound_counts_once(credit: tuple[Api, Registry]) -> None:
    api, registry = credit
    case_no = filed(api, OUTER, "1203")  # 物业管理不到位: 2 points
    key = f"case:{case_id(api, case_no)}"
    (event,) = events(api, key)
    assert (event["company_id"], event["object_id"]) == (registry.companies["PC-1"], registry.compounds["PR-CMP-1"])
    assert (event["source"], event["subtype_code"], float(event["points"])) == ("case", "1203", 2.0)
    assert event["reason"].startswith("物业管理不到位") and event["inspection_id"] is None
    api.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})  # a later step of the filed case
    verified = api.post(f"/cases/{case_no}/replay/verify", "auditor01")
    assert verified.status_code == 200 and verified.json["verified"], verified.json
    assert len(events(api, key)) == 1


def test_filing_the_same_case_again_counts_nothing(credit: tuple[Api, Registry]) -> None:
    api, _ = credit
    case_no = filed(api, OUTER, "0514")  # 物业小区设施损坏: 1 point
    key = f"case:{case_id(api, case_no)}"
    assert [float(e["points"]) for e in events(api, key)] == [1.0]
    again = StepWritten(case_id(api, case_no), {"report": {"subtype": "1203", "location": {
        "lon": OUTER[0], "lat": OUTER[1]}}, "filing": {"decision": "file"}},
        [StepRecord(ev.DATA_CHANGED, data={"changes": {"filing.decision": ["void", "file"]}})], "shiftlead01",
        api.deps.clock.now(), {"file_or_void": "filed"})
    with command_scope(), api.deps.uow() as uow:
        case_credit(CreditCaches())(uow, again)
    assert [(e["subtype_code"], float(e["points"])) for e in events(api, key)] == [("0514", 1.0)]


def test_cases_no_compound_answers_for_write_nothing(credit: tuple[Api, Registry]) -> None:
    api, _ = credit
    for where, subtype in ((OUTSIDE, "1203"), (OUTER, "0601"), (RETIRED, "1203"), (ORPHANED, "1203")):
        case_no = filed(api, where, subtype)  # outside, 0 points by the table, inactive compound, inactive company
        assert events(api, f"case:{case_id(api, case_no)}") == [], (where, subtype)


def test_the_smallest_of_nested_compounds_answers(credit: tuple[Api, Registry]) -> None:
    api, registry = credit
    case_no = filed(api, NESTED, "0613")  # 垃圾分类: 1 point, to the nested compound's company
    (event,) = events(api, f"case:{case_id(api, case_no)}")
    assert (event["company_id"], event["object_id"]) == (registry.companies["PC-2"], registry.compounds["PR-IN-1"])


@pytest.mark.parametrize(("score", "points"), [(52.5, 5.0), (85.0, None), (97.0, -1.0)])
def test_an_inspections_credit_comes_from_its_data(credit: tuple[Api, Registry], score: float,
                                                   points: float | None) -> None:
    api, registry = credit
    found = inspections(api, registry, f"T{int(score * 10)}", ["PR-CMP-2"], api.new_case())
    inspection_id = found["PR-CMP-2"]
    api.bus.handle(c.StartCase("assessment_inspection", {"inspection_id": inspection_id, "credit_input": {
        "source": "inspection", "subtype": None, "score": score}}, actor="tests"))
    written = events(api, f"inspection:{inspection_id}")
    if points is None:  # 考评合格: 0 points, not recorded
        assert written == []
        return
    (event,) = written
    assert (event["company_id"], event["object_id"]) == (registry.companies["PC-2"], registry.compounds["PR-CMP-2"])
    assert (event["source"], float(event["points"]), event["case_id"]) == ("inspection", points, None)


@pytest.mark.parametrize("points", [1e6, -101, float("inf"), "5"])
def test_an_inspections_implausible_points_are_not_recorded(credit: tuple[Api, Registry], points: object) -> None:
    api, registry = credit
    inspection_id = inspections(api, registry, f"X{abs(hash(str(points))) % 10**6}", ["PR-CMP-2"],
                                api.new_case())["PR-CMP-2"]
    step = StepWritten(0, {"inspection_id": inspection_id, "credit": {"points": points, "reason": "edited"}},
                       [StepRecord(ev.DATA_CHANGED, data={"changes": {"credit": [None, {"points": 1}]}})],
                       "system", api.deps.clock.now(), {})
    with command_scope(), api.deps.uow() as uow:
        inspection_credit(uow, step)
    assert events(api, f"inspection:{inspection_id}") == []


def test_an_inspections_credit_goes_to_the_company_it_was_opened_with(credit: tuple[Api, Registry]) -> None:
    """A compound handed to another company mid-round: its failed inspection counts against the company the round
    opened the inspection with (the one inspected), not the compound's new one."""
    api, registry = credit
    inspection_id = inspections(api, registry, "HANDOVER", ["PR-CMP-2"], api.new_case())["PR-CMP-2"]
    moved = {"o": registry.compounds["PR-CMP-2"]}
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("UPDATE assessed_objects SET company_id = :c WHERE id = :o"),
                     {**moved, "c": registry.companies["PC-1"]})
    try:
        api.bus.handle(c.StartCase("assessment_inspection", {"inspection_id": inspection_id, "credit_input": {
            "source": "inspection", "subtype": None, "score": 52.5}}, actor="tests"))
    finally:
        with api.deps.db.begin() as conn:
            conn.execute(sa.text("UPDATE assessed_objects SET company_id = :c WHERE id = :o"),
                         {**moved, "c": registry.companies["PC-2"]})
    (event,) = events(api, f"inspection:{inspection_id}")
    assert (event["company_id"], event["object_id"]) == (registry.companies["PC-2"], registry.compounds["PR-CMP-2"])
