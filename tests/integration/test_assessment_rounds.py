"""Assessment rounds on the seeded demo city (SQLite and PostgreSQL; 考评轮次): a property round started by hand
through the API and a garbage-sorting one through the command line — one inspection case and row per active object
with the INSPECTION PAYLOAD — their refusals (403, 422, 409) leaving nothing, a second timer start of the same
period making nothing, and the round list and one round read back."""

from __future__ import annotations

import json

from api_support import Api
from assessment_rounds_api_support import (
    COLLECTOR,
    COMPOUND_CODES,
    GARBAGE_CODES,
    LEAD,
    current_period,
    gridcase,
    narrow_registry,
    round_inspections,
    rows,
    scheme_rounds,
    start_data,
)
from assessment_support import DEMO, set_active

from city.assessment.commands import StartRoundInspections
from engine.domain.commands import StartCase


def test_a_property_round_through_the_api(api: Api) -> None:
    narrow_registry(api, "property")
    assert api.post("/assessment/rounds", COLLECTOR, {"scheme": "property"}).status_code == 403
    refused = api.post("/assessment/rounds", LEAD, {"scheme": "parking"})
    assert refused.status_code == 422 and "scheme" in json.dumps(refused.json)
    set_active(api.deps.db, "property", False)
    refused = api.post("/assessment/rounds", LEAD, {"scheme": "property"})
    assert refused.status_code == 422 and "scheme" in json.dumps(refused.json)
    assert scheme_rounds(api, "property") == []
    narrow_registry(api, "property")
    started = api.post("/assessment/rounds", LEAD, {"scheme": "property"})
    assert started.status_code == 201, started.json
    (row,) = scheme_rounds(api, "property")
    assert started.json == {"round_id": row.id, "case_id": row.case_id, "case_no": started.json["case_no"],
                            "period": current_period("property"), "objects": 2, "pending": 2}
    assert (row.state, row.started_by, row.object_count) == ("running", LEAD, 2)
    assert [i.case_id for i in round_inspections(api, row.id)] == [None, None]  # opened: rows, no case yet
    assert api.get(f"/assessment/rounds/{row.id}", LEAD).json["pending"] == 2
    assert api.bus.handle(StartRoundInspections(row.id)) == {"round_id": row.id, "started": 2, "pending": 0,
                                                             "told": True}  # as the scheduler's run does
    found = round_inspections(api, row.id)
    assert [(i.code, i.process_id, i.state) for i in found] == [(c, "assessment_inspection", "open")
                                                               for c in COMPOUND_CODES]
    payload = start_data(api, found[0].case_id)
    assert (payload["inspection_id"], payload["round_id"], payload["scheme"], payload["period"]) == (
        found[0].id, row.id, "property", row.period)
    assert payload["object"]["company"] == "PC-1" and payload["object"]["district"] == DEMO.first.district
    assert [i["code"] for i in payload["items"]] == ["PR01", "PR02", "PR03"]
    again = api.post("/assessment/rounds", LEAD, {"scheme": "property"})
    assert again.status_code == 409 and "scheme" in json.dumps(again.json)
    late = api.bus.handle(StartCase("assessment_round", {}, "scheduler", "timer-start",
                                    "assessment_round/quarterly_property_round@test", actor_kind="scheduler",
                                    start_message="timer:quarterly_property_round"))
    assert rows(api, "SELECT status FROM cases WHERE id = :c", c=late.case_id)[0].status == "completed"
    assert len(scheme_rounds(api, "property")) == 1 and len(round_inspections(api, row.id)) == 2
    _reads(api, row.id)


def _reads(api: Api, round_id: int) -> None:
    """The round list and the one round as the API gives them."""
    listed = api.get("/assessment/rounds?scheme=property", LEAD)
    assert listed.status_code == 200
    (mine,) = [r for r in listed.json["rounds"] if r["id"] == round_id]
    assert (mine["objects"], mine["inspected"], mine["open"], mine["overdue"], mine["average_score"],
            mine["pending"]) == (2, 0, 2, 0, None, 0)
    one = api.get(f"/assessment/rounds/{round_id}", LEAD)
    assert one.status_code == 200
    assert [(d["code"], d["objects"]) for d in one.json["by_district"]] == [(DEMO.first.district, 1),
                                                                           (DEMO.second.district, 1)]
    assert [(s["code"], s["objects"]) for s in one.json["by_state"]] == [("open", 2)]
    assert one.json["overdue_inspections"] == []
    assert api.get("/assessment/rounds?scheme=parking", LEAD).status_code == 422
    assert api.get("/assessment/rounds/999999", LEAD).status_code == 404


def test_a_garbage_sorting_round_through_the_command_line(api: Api) -> None:
    narrow_registry(api, "garbage_sorting")
    refused = gridcase(api.url, "round", "start", "--scheme", "garbage_sorting", "--as", COLLECTOR)
    assert refused.returncode == 2 and "may not start" in refused.stderr
    assert scheme_rounds(api, "garbage_sorting") == []
    done = gridcase(api.url, "round", "start", "--scheme", "garbage_sorting", "--as", LEAD, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    (row,) = scheme_rounds(api, "garbage_sorting")
    assert (result["round_id"], result["period"], result["objects"], result["pending"]) == (
        row.id, current_period("garbage_sorting"), 3, 0)  # the command line started every inspection case
    assert "inspection cases started: 3/3" in done.stderr
    found = round_inspections(api, row.id)
    assert [i.code for i in found] == GARBAGE_CODES and all(i.process_id == "assessment_inspection" for i in found)
    items = {i.code: [item["code"] for item in start_data(api, i.case_id)["items"]] for i in found}
    assert items == {"GS-COM-1": ["GS01", "GS02", "GS03"], "GS-CP-1": ["GS01", "GS02", "GS03", "GS04"],
                     "GS-TS-1": ["GS01", "GS02", "GS03", "GS04"]}
    again = gridcase(api.url, "round", "start", "--scheme", "garbage_sorting", "--as", LEAD)
    assert again.returncode == 2 and "scheme" in again.stderr
    assert len(scheme_rounds(api, "garbage_sorting")) == 1
    listed = gridcase(api.url, "round", "list", "--scheme", "garbage_sorting", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(r["id"], r["objects"], r["open"]) for r in json.loads(listed.stdout)["rounds"]] == [(row.id, 3, 3)]
