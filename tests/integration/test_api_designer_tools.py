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


def test_a_form_draft_is_saved_only_as_a_valid_form_and_validated_with_the_bpmn(api: Api) -> None:
    folder = api.get("/processes/forms/dispose_problem.json", "designer01")
    assert folder.status_code == 200 and folder.json["name"] == "forms/dispose_problem.json"
    error_of(api.get("/processes/forms/missing.json", "designer01"), 404)
    error_of(api.get("/processes/forms/dispose_problem.json", "seat01"), 403)
    put = lambda body: api.client.put("/api/v1/drafts/dispose_problem.json", json=body,  # noqa: E731
                                      headers=api.headers("designer01"))
    saved = put({"content": folder.json["content"]})
    assert saved.status_code in (200, 201) and saved.json["file_name"] == "dispose_problem.json"
    refused = error_of(put({"content": '{"type": "objekt"}'}), 422)
    assert "content" in refused["fields"]
    assert api.get("/drafts/dispose_problem.json", "designer01").json["content"] == folder.json["content"]
    checked = api.post("/processes/validate", "designer01", {"files": {"forms/x.json": '{"type": "objekt"}'}})
    assert checked.json["valid"] is False and checked.json["problems"][0]["file"] == "forms/x.json"
    bad_name = error_of(api.post("/processes/validate", "designer01", {"files": {"forms/../x.json": "{}"}}), 422)
    assert any(key.startswith("files.") for key in bad_name["fields"])
