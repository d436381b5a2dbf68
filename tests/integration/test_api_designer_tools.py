"""The designer's timer preview and moving running cases through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Api, error_of, seeded_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_city("sqlite", tmp_path_factory)


def test_a_timer_preview_gives_the_due_time_for_sample_data(api: Api) -> None:
    at = "2026-11-02T01:00:00+00:00"  # Monday 09:00 in Zhangzhou
    literal = api.post("/processes/timer-preview", "designer01", {"kind": "timeDuration", "expression": "PT4H",
                                                                  "at": at})
    assert literal.json["due_at"] == "2026-11-02T05:00:00+00:00"
    working = api.post("/processes/timer-preview", "designer01", {
        "kind": "timeDate", "expression": 'deadline(start, 2, "working_hours")', "data": {"start": at}, "at": at})
    assert working.json["due_at"] == "2026-11-02T03:00:00+00:00"
    cycle = api.post("/processes/timer-preview", "designer01", {"kind": "timeCycle", "expression": "R3/PT1H",
                                                                "at": at})
    assert (cycle.json["due_at"], cycle.json["repeats"]) == ("2026-11-02T02:00:00+00:00", 3)
    bad = error_of(api.post("/processes/timer-preview", "designer01", {"kind": "timeDate", "expression": "x +"}),
                   422)
    assert "expression" in bad["fields"]
    error_of(api.post("/processes/timer-preview", "seat01", {"kind": "timeDate", "expression": "PT1H"}), 403)


def test_migration_through_the_api_plans_first_and_names_a_missing_version(api: Api) -> None:
    api.new_case()
    planned = api.post("/processes/case_lifecycle/migrate", "designer01", {"to": 1})
    assert planned.status_code == 200 and planned.json["dry_run"] is True
    assert planned.json["cases"] == []  # every case already runs on version 1
    assert "to_version" in error_of(api.post("/processes/case_lifecycle/migrate", "designer01", {"to": 99}),
                                    404)["fields"]
    error_of(api.post("/processes/case_lifecycle/migrate", "seat01", {"to": 1}), 403)
