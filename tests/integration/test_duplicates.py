"""Duplicates at 立案 on SQLite and PostgreSQL: the candidates (distance, window, subtype, open state), voiding as a
duplicate in one action (linked both ways, one transaction, replayable) and its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from duplicates_support import clocked_api, near, patrol_report, spot
from pages_support import Browser

from city.duplicates.commands import VoidAsDuplicate
from city.persistence.read.duplicates import candidates_plan
from engine.domain.errors import GridcaseError
from engine.domain.summary import case_id_from_no
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus


@pytest.fixture
def dup(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from clocked_api(city, tmp_path)


def candidates(api: Api, case_no: str, user: str = "shiftlead01") -> list[dict[str, Any]]:
    response = api.get(f"/cases/{case_no}/duplicate-candidates", user)
    assert response.status_code == 200, response.json
    return list(response.json["candidates"])


def void(api: Api, case_no: str, original: str, user: str = "shiftlead01", **body: Any) -> Any:
    return api.post(f"/cases/{case_no}/void-as-duplicate", user, {"duplicate_of": original, **body})


def test_candidates_are_open_cases_of_the_subtype_near_and_recent_nearest_first(dup: Api) -> None:
    place = spot(1)
    old = patrol_report(dup, near(place, north_m=20))
    dup.clock.advance(days=8)  # type: ignore[attr-defined]
    second = patrol_report(dup, near(place, north_m=60))
    first = patrol_report(dup, near(place, east_m=30))
    far = patrol_report(dup, near(place, north_m=150))
    other = patrol_report(dup, place, subtype="0602")
    voided = patrol_report(dup, near(place, north_m=10))
    dup.step(voided, "file_or_void", "shiftlead01", {"filing": {"decision": "void", "void_reason": "invalid"}})
    dup.clock.advance(minutes=5)  # type: ignore[attr-defined]
    report = patrol_report(dup, place)
    found = candidates(dup, report)
    assert [c["case_no"] for c in found] == [first, second], (old, far, other, voided)
    assert 29 < found[0]["distance_m"] < 31 and 59 < found[1]["distance_m"] < 61
    assert found[0]["steps"] and found[0]["description"] and found[0]["image_url"] is None
    assert {c["case_no"] for c in candidates(dup, old)} == set()  # 8 days before the others: none within 7 days


def test_the_radius_and_window_come_from_the_settings(city: str, tmp_path: Path) -> None:
    for api in clocked_api(city, tmp_path, GRIDCASE_DUPLICATE_RADIUS_M="200", GRIDCASE_DUPLICATE_WINDOW_DAYS="10"):
        place = spot(2)
        old = patrol_report(api, near(place, north_m=150))
        api.clock.advance(days=8)  # type: ignore[attr-defined]
        report = patrol_report(api, place)
        response = api.get(f"/cases/{report}/duplicate-candidates", "shiftlead01")
        assert response.json["radius_m"] == 200 and response.json["window_days"] == 10
        assert [c["case_no"] for c in response.json["candidates"]] == [old]


def test_void_as_duplicate_links_both_ways_and_replays(dup: Api) -> None:
    place = spot(3)
    original = patrol_report(dup, place)
    report = patrol_report(dup, near(place, north_m=40))
    response = void(dup, report, original, note="同一处垃圾")
    assert response.status_code == 200, response.json
    assert response.json["duplicate_of"]["case_no"] == original
    links = dup.get(f"/cases/{original}/links", "shiftlead01").json
    assert [d["case_no"] for d in links["duplicates"]] == [report] and links["reports"] == 2
    case = dup.get(f"/cases/{report}", "shiftlead01").json
    assert case["status"] == "completed" and case["links"]["duplicate_of"] == original
    assert dup.get(f"/cases/{original}", "shiftlead01").json["links"] == {"duplicate_of": None, "duplicates": [report],
                                                                          "reports": 2}
    events = dup.get(f"/cases/{report}/events", "shiftlead01").json["events"]
    done = [e for e in events if e["event_type"] == "task_completed"][-1]
    assert done["actor"] == "shiftlead01" and original in done["data"]["filing"]["note"]
    assert done["data"]["filing"]["void_reason"] == "duplicate"
    case_id = case_id_from_no(report)
    assert case_id is not None and verify_case(dup.deps, case_id).verified
    assert candidates(dup, patrol_report(dup, place))[0]["case_no"] == original  # the voided one is no candidate


def test_refusals_name_the_field(dup: Api) -> None:
    place = spot(4)
    original = patrol_report(dup, place)
    report = patrol_report(dup, near(place, north_m=20))
    assert error_of(void(dup, report, report), 422)["fields"] == {"duplicate_of": "a case cannot be a duplicate of"
                                                                                   " itself"}
    assert "duplicate_of" in error_of(void(dup, report, "99999999"), 404)["fields"]
    assert "duplicate_of" in error_of(dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {}), 422)["fields"]
    other = patrol_report(dup, near(place, east_m=20), subtype="0602")
    assert "allow_other_subtype" in error_of(void(dup, other, original), 422)["fields"]
    error_of(void(dup, report, original, user="dispatcher01"), 403)
    assert void(dup, report, original).status_code == 200
    again = void(dup, report, original)  # a double click: the same answer, nothing written
    assert again.status_code == 200 and again.json["duplicate_of"]["case_no"] == original
    error_of(void(dup, report, other), 409)  # voided already into another case: no 立案 task left
    third = patrol_report(dup, near(place, north_m=30))
    pointed = error_of(void(dup, third, report), 422)
    assert original in pointed["fields"]["duplicate_of"]  # a voided duplicate points to its original
    assert void(dup, other, original, allow_other_subtype=True).status_code == 200
    closed = patrol_report(dup, near(place, north_m=50))
    dup.step(closed, "file_or_void", "shiftlead01", {"filing": {"decision": "void", "void_reason": "invalid"}})
    assert "voided" in error_of(void(dup, third, closed), 422)["fields"]["duplicate_of"]


def test_a_failure_after_the_step_writes_nothing(dup: Api) -> None:
    place = spot(5)
    original = patrol_report(dup, place)
    report = patrol_report(dup, near(place, north_m=20))
    ids = case_id_from_no(original), case_id_from_no(report)
    events_before = len(dup.get(f"/cases/{report}/events", "shiftlead01").json["events"])
    with dup.deps.db.begin() as conn:  # the reverse link already there: the second insert breaks the unique key
        conn.execute(sa.text("INSERT INTO case_links (case_id, linked_case_id, kind, created_at, created_by)"
                             " VALUES (:a, :b, 'has_duplicate', :t, 'tests')"),
                     {"a": ids[0], "b": ids[1], "t": dup.clock.now()})  # type: ignore[attr-defined]
    with pytest.raises(Exception) as raised:
        dup.bus.handle(VoidAsDuplicate(report, original, "shiftlead01"))
    assert not isinstance(raised.value, GridcaseError)  # the database refused it, after the step ran
    assert len(dup.get(f"/cases/{report}/events", "shiftlead01").json["events"]) == events_before
    assert dup.task(report, "file_or_void", "shiftlead01")["assignee"] is None  # not even the claim is left
    with dup.deps.db.connect() as conn:
        rows = conn.execute(sa.text("SELECT result FROM case_facts WHERE case_id = :c"), {"c": ids[1]}).all()
        links = conn.execute(sa.text("SELECT COUNT(*) FROM case_links WHERE case_id = :c"), {"c": ids[1]}).scalar()
    assert rows[0][0] == "open" and links == 0


def test_the_filing_page_offers_the_candidates_and_voids_in_one_click(dup: Api) -> None:
    place = spot(6)
    original = patrol_report(dup, place)
    report = patrol_report(dup, near(place, north_m=25))
    task = dup.task(report, "file_or_void", "shiftlead01")
    browser = Browser(dup, "shiftlead01")
    page = browser.get(f"/tasks/{task['id']}")
    assert page.status_code == 200 and 'id="duplicate-candidates"' in page.text
    assert f'data-case="{original}"' in page.text
    dispatch = dup.to_dispatch(dup.new_case())  # at the API tests' point: 派遣 shows no candidates
    assert 'id="duplicate-candidates"' not in Browser(dup, "dispatcher01").get(f"/tasks/{dispatch['id']}").text
    verify = dup.task(dup.new_case(), "verify_report", "collector001")  # 核实: the candidates, no button
    on_site = Browser(dup, "collector001").get(f"/tasks/{verify['id']}").text
    assert 'id="duplicate-candidates"' in on_site and "void-as-duplicate" not in on_site
    done = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                               data={"duplicate_of": original, "note": "", "csrf_token": browser.token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{report}")
    assert f'class="duplicate-of"><a href="/cases/{original}"' in browser.get(f"/cases/{report}").text
    shown = browser.get(f"/cases/{original}").text
    assert f'href="/cases/{report}"' in shown and 'class="reports">2<' in shown
    another = patrol_report(dup, near(place, east_m=40))  # voided already: into another case it is refused
    refused = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                                  data={"duplicate_of": another, "csrf_token": browser.token})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/tasks/{task['id']}")
    no_token = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate", data={"duplicate_of": original})
    assert no_token.status_code in (400, 403)


def test_the_candidates_query_uses_the_index(bus: MessageBus) -> None:
    with bus.deps.uow(read_only=True) as uow:
        plan = candidates_plan(uow.store)
    assert "ix_case_facts_subtype_result_lat" in plan, plan


def test_two_voids_crossing_each_other_leave_one_link(dup: Api) -> None:
    place = spot(7)
    first, second = patrol_report(dup, place), patrol_report(dup, near(place, north_m=20))
    results: dict[str, str | None] = {}

    def void_into(case_no: str, original: str) -> None:
        try:
            dup.bus.handle(VoidAsDuplicate(case_no, original, "shiftlead01"))
            results[case_no] = "voided"
        except GridcaseError as exc:
            results[case_no] = exc.field

    threads = [Thread(target=void_into, args=(first, second)), Thread(target=void_into, args=(second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(str(v) for v in results.values()) == ["duplicate_of", "voided"], results
    voided = next(case for case, outcome in results.items() if outcome == "voided")
    kept = second if voided == first else first
    assert dup.get(f"/cases/{kept}", "shiftlead01").json["links"]["duplicates"] == [voided]
    assert dup.get(f"/cases/{kept}", "shiftlead01").json["links"]["duplicate_of"] is None


def test_the_openapi_document_lists_the_duplicates_calls(dup: Api) -> None:
    paths = dup.client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/cases/{case_no}/duplicate-candidates"] and "get" in paths["/cases/{case_no}/links"]
    body = paths["/cases/{case_no}/void-as-duplicate"]["post"]
    assert "422" in body["responses"] and "requestBody" in body
