"""The co-handling (协办) KPI: each department is charged for its own part of a jointly handled case."""

from __future__ import annotations

from typing import Any

from city.kpi.joint import co_parts, department_part, joint_counts, on_time_share

LEAD, PARKS, ROADS = "350602-D02", "350602-D05", "350602-D03"
DUE = "2026-11-02T02:00:00+00:00"


def part(department: str, answered_at: str | None, on_time: bool) -> dict[str, Any]:
    return {"department": department, "due_at": DUE, "answered_at": answered_at, "on_time": on_time,
            "reply": "已配合" if answered_at else None}


def case(*parts: dict[str, Any], lead_on_time: bool = True) -> dict[str, Any]:
    return {"result": "closed", "department": LEAD, "on_time": lead_on_time, "co_handling": list(parts)}


def test_each_co_department_is_charged_for_its_own_part() -> None:
    cases = [
        case(part(PARKS, "2026-11-02T01:20:00+00:00", True), part(ROADS, None, False)),
        case(part(PARKS, "2026-11-03T03:00:00+00:00", False), lead_on_time=False),
        case(part(ROADS, "2026-11-04T01:00:00+00:00", True)),
    ]
    counts = joint_counts(cases)
    assert counts == {PARKS: {"co_handled": 2, "co_answered": 2, "co_on_time": 1},
                      ROADS: {"co_handled": 2, "co_answered": 1, "co_on_time": 1}}
    assert LEAD not in counts  # the lead is judged by the case's own facts, never by its co-handlers
    assert (on_time_share(counts[PARKS]), on_time_share(counts[ROADS])) == (50.0, 50.0)


def test_a_late_co_handler_does_not_charge_the_others() -> None:
    cases = [case(part(PARKS, None, False), part(ROADS, "2026-11-02T01:00:00+00:00", True))] * 3
    assert department_part(cases, ROADS) == {"co_handled": 3, "co_answered": 3, "co_on_time": 3,
                                             "co_on_time_rate": 100.0}
    assert department_part(cases, PARKS) == {"co_handled": 3, "co_answered": 0, "co_on_time": 0,
                                             "co_on_time_rate": 0.0}


def test_a_department_without_co_handling_has_no_share() -> None:
    assert department_part([case(part(PARKS, None, False))], LEAD) == {
        "co_handled": 0, "co_answered": 0, "co_on_time": 0, "co_on_time_rate": None}
    assert on_time_share(None) is None


def test_cases_without_co_handling_or_with_malformed_entries_count_nothing() -> None:
    assert co_parts({"result": "closed"}) == []  # a case closed on an earlier model version
    assert co_parts({"co_handling": "350602-D05"}) == []
    assert co_parts({"co_handling": [None, {"department": ""}, {"on_time": True}, part(PARKS, None, False)]}) == [
        part(PARKS, None, False)]
    assert joint_counts([{"co_handling": None}, {}]) == {}


def test_on_time_needs_true_not_just_an_answer() -> None:
    late = part(PARKS, "2026-11-05T01:00:00+00:00", False)
    odd = {**part(PARKS, "2026-11-02T01:00:00+00:00", True), "on_time": "yes"}
    assert joint_counts([case(late, odd)]) == {PARKS: {"co_handled": 2, "co_answered": 2, "co_on_time": 0}}
