"""Duplicates at 立案, the review's fixes, on SQLite and PostgreSQL: candidates only the caller may see, numbers
matched whole, the ordinary 立案 form's void/duplicate linked through the report's ``duplicate_of``, the nearest kept
before the scan's limit, the original's audit event (both cases verify), a repeated void writing nothing, the
warning on the original's 立案 page, the page's refusal in Chinese naming the field, and who linked hidden from
callers who are not staff."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api, error_of, png_bytes
from duplicates_support import clocked_api, near, patrol_report, spot
from pages_support import Browser

from city.duplicates.candidates import bounding_box
from city.duplicates.commands import VoidAsDuplicate
from city.persistence.read.duplicates import open_cases_in_box
from engine.domain.errors import NotFound
from engine.domain.summary import case_id_from_no
from engine.service.audit.replay import verify_case

DEPT = "dept_350602s07_01"  # the department the API tests' point routes 0601 to
VOID_DUPLICATE = {"filing": {"decision": "void", "void_reason": "duplicate"}}


@pytest.fixture
def dup(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from clocked_api(city, tmp_path)


def numbers(api: Api, case_no: str, user: str) -> list[str]:
    response = api.get(f"/cases/{case_no}/duplicate-candidates", user)
    assert response.status_code == 200, response.json
    return [c["case_no"] for c in response.json["candidates"]]


def events(api: Api, case_no: str) -> list[dict[str, Any]]:
    return list(api.get(f"/cases/{case_no}/events", "shiftlead01").json["events"])


def verified(api: Api, *case_nos: str) -> bool:
    ids = [case_id_from_no(no) for no in case_nos]
    return all(i is not None and verify_case(api.deps, i).verified for i in ids)


def test_candidates_are_only_the_cases_the_caller_may_see(dup: Api) -> None:
    place = spot(11)  # in district 350602; collector002 works 350603
    hidden = patrol_report(dup, near(place, north_m=10))  # the centre's report: not collector002's to see
    own = dup.new_case("collector002", subtype_code="0601", channel="patrol", **near(place, north_m=30))
    report = dup.new_case("collector002", subtype_code="0601", channel="patrol", **place)
    assert dup.get(f"/cases/{hidden}", "collector002").status_code == 404
    assert numbers(dup, report, "collector002") == [own]
    assert numbers(dup, report, "shiftlead01") == [hidden, own]


def test_a_number_is_matched_whole_not_by_the_id_inside_it(dup: Api) -> None:
    place = spot(12)
    original, report = patrol_report(dup, place), patrol_report(dup, near(place, north_m=20))
    forged = "19990101" + original[8:]  # the original's id under another date
    assert "duplicate_of" in error_of(dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01",
                                               {"duplicate_of": forged}), 404)["fields"]
    with pytest.raises(NotFound) as refused:
        dup.bus.handle(VoidAsDuplicate("19990101" + report[8:], original, "shiftlead01"))
    assert refused.value.field == "case_no"
    assert dup.get(f"/cases/{report}", "shiftlead01").json["status"] != "completed"  # nothing written


def test_the_ordinary_filing_form_links_the_case_the_report_named(dup: Api) -> None:
    place = spot(13)
    original = patrol_report(dup, near(place, north_m=90))
    nearer = patrol_report(dup, near(place, north_m=10))
    report = patrol_report(dup, place, duplicate_of=original)
    assert numbers(dup, report, "shiftlead01")[:2] == [original, nearer]  # the named case first, though farther
    dup.step(report, "file_or_void", "shiftlead01", VOID_DUPLICATE)
    assert dup.get(f"/cases/{report}", "shiftlead01").json["links"]["duplicate_of"] == original
    assert dup.get(f"/cases/{original}", "shiftlead01").json["links"]["duplicates"] == [report]
    linked = [e for e in events(dup, original) if e["event_type"] == "duplicate_linked"]
    assert [e["data"] for e in linked] == [{"duplicate": report, "by": "shiftlead01"}]
    assert verified(dup, original, report)
    unnamed = patrol_report(dup, near(place, east_m=20))  # voided as a duplicate, naming no case: no link
    dup.step(unnamed, "file_or_void", "shiftlead01", VOID_DUPLICATE)
    assert dup.get(f"/cases/{unnamed}/links", "shiftlead01").json["duplicate_of"] is None
    page = Browser(dup, "shiftlead01").get(f"/cases/{unnamed}").text
    assert 'class="unknown-original"' in page


def test_the_nearest_is_kept_before_the_scans_limit(dup: Api) -> None:
    place = spot(14)
    nearest = patrol_report(dup, near(place, north_m=5))  # the oldest: a newest-first limit would drop it
    for metres in (40, 50, 60):
        dup.clock.advance(minutes=1)  # type: ignore[attr-defined]
        patrol_report(dup, near(place, north_m=metres))
    report = patrol_report(dup, place)
    case_id = case_id_from_no(report)
    assert case_id is not None
    now = dup.clock.now()  # type: ignore[attr-defined]
    with dup.deps.uow(read_only=True) as uow:
        rows = open_cases_in_box(uow.store, "0601", (place["lon"], place["lat"]),
                                 bounding_box(place["lon"], place["lat"], 100),
                                 (now - timedelta(days=1), now + timedelta(days=1)), case_id, limit=2)
    assert len(rows) == 2 and rows[0]["case_no"] == nearest


def test_the_original_records_the_link_and_both_cases_verify(dup: Api) -> None:
    place = spot(-1)  # inside the grids, so the original can be filed (500 m west of the others' line)
    original, report = patrol_report(dup, place), patrol_report(dup, near(place, north_m=20))
    dup.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {"duplicate_of": original}).status_code == 200
    linked = [e for e in events(dup, original) if e["event_type"] == "duplicate_linked"]
    assert len(linked) == 1 and linked[0]["command"] == "link_duplicate" and linked[0]["actor"] == "shiftlead01"
    assert linked[0]["data"] == {"duplicate": report, "by": "shiftlead01"}
    assert "关联重复报告" in Browser(dup, "shiftlead01").get(f"/cases/{original}").text  # the timeline names it
    dup.clock.advance(minutes=1)  # type: ignore[attr-defined]
    dup.step(original, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})  # the original goes on
    assert verified(dup, original, report)


def test_a_repeated_void_writes_nothing_and_the_page_lands_on_the_case(dup: Api) -> None:
    place = spot(16)
    original, report = patrol_report(dup, place), patrol_report(dup, near(place, north_m=20))
    task = dup.task(report, "file_or_void", "shiftlead01")
    browser = Browser(dup, "shiftlead01")
    browser.get(f"/tasks/{task['id']}")
    first = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                                data={"duplicate_of": original, "csrf_token": browser.token})
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/cases/{report}")
    counts = len(events(dup, report)), len(events(dup, original))
    again = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                                data={"duplicate_of": original, "csrf_token": browser.token})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/cases/{report}")
    api_again = dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {"duplicate_of": original})
    assert api_again.status_code == 200 and api_again.json["duplicate_of"]["case_no"] == original
    assert (len(events(dup, report)), len(events(dup, original))) == counts
    assert dup.get(f"/cases/{original}/links", "shiftlead01").json["reports"] == 2
    page = browser.get(f"/tasks/{dup.task(patrol_report(dup, place), 'file_or_void', 'shiftlead01')['id']}").text
    assert "data-submit-once" in page  # the button is disabled once the form is sent (web/static/js/app.js)


def test_the_originals_filing_page_warns_of_its_duplicate_reports(dup: Api) -> None:
    place = spot(17)
    original, report = patrol_report(dup, place), patrol_report(dup, near(place, north_m=20))
    task = dup.task(original, "file_or_void", "shiftlead01")
    browser = Browser(dup, "shiftlead01")
    assert 'id="duplicate-reports"' not in browser.get(f"/tasks/{task['id']}").text
    assert dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {"duplicate_of": original}).status_code == 200
    page = browser.get(f"/tasks/{task['id']}").text
    assert 'id="duplicate-reports"' in page and f'href="/cases/{report}"' in page


def test_the_originals_closing_page_warns_of_its_duplicate_reports(dup: Api) -> None:
    original = dup.new_case()  # a hotline report at the API tests' point: routed to DEPT, verified on site
    dup.to_dispatch(original)
    report = patrol_report(dup, near(POINT, north_m=15))
    assert dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {"duplicate_of": original}).status_code == 200
    dup.step(original, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
    task = dup.task(original, "dispose_problem", DEPT)
    assert dup.post(f"/tasks/{task['id']}/claim", DEPT).status_code == 200
    upload = dup.client.post(f"/api/v1/cases/{original}/attachments", headers=dup.headers(DEPT),
                             data={"file": (io.BytesIO(png_bytes()), "after.png")})
    evidence = [upload.json["sha256"]]
    assert dup.complete(task["id"], {"disposal": {"outcome": "disposed", "result": "清理完毕", "evidence": evidence}},
                        DEPT).status_code == 200
    dup.step(original, "check_on_site", "collector001", {"check": {"passed": True, "evidence": evidence}})
    closing = dup.task(original, "close_case", "shiftlead01")
    page = Browser(dup, "shiftlead01").get(f"/tasks/{closing['id']}").text
    assert 'id="duplicate-reports"' in page and f'href="/cases/{report}"' in page
    assert 'id="duplicate-candidates"' not in page  # 结案 lists no candidates: only the warning


def test_a_refusal_on_the_page_is_chinese_and_names_the_field(dup: Api) -> None:
    place = spot(18)
    report = patrol_report(dup, place)
    other = patrol_report(dup, near(place, north_m=20), subtype="0602")
    task = dup.task(report, "file_or_void", "shiftlead01")
    browser = Browser(dup, "shiftlead01")
    browser.get(f"/tasks/{task['id']}")
    refused = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                                  data={"duplicate_of": other, "csrf_token": browser.token})
    assert refused.status_code == 302
    page = browser.get(f"/tasks/{task['id']}").text
    assert "属于另一小类" in page and "allow_other_subtype" in page and "set allow_other_subtype" not in page


def test_who_linked_is_shown_to_staff_only(dup: Api) -> None:
    place = spot(19)
    detection = {"camera_id": "CAM-D1", "subtype": "1004", **place, "image": "alert.jpg", "confidence": 0.9}
    sent = dup.post("/messages", "vision01", {"name": "video_detection", "payload": {"detection": detection},
                                              "correlation": {}, "external_id": f"d-{uuid.uuid4().hex}"})
    assert sent.status_code == 200, sent.json
    (original,) = sent.json["cases"]
    report = patrol_report(dup, near(place, north_m=20), subtype="1004")
    assert dup.post(f"/cases/{report}/void-as-duplicate", "shiftlead01", {"duplicate_of": original}).status_code == 200
    as_worker = dup.get(f"/cases/{original}/links", "vision01")
    assert as_worker.status_code == 200 and as_worker.json["duplicates"][0]["case_no"] == report
    assert as_worker.json["duplicates"][0]["created_by"] is None
    assert dup.get(f"/cases/{original}/links", "shiftlead01").json["duplicates"][0]["created_by"] == "shiftlead01"


def test_a_named_case_of_another_subtype_is_offered_with_its_confirmation(dup: Api) -> None:
    place = spot(20)
    other = patrol_report(dup, near(place, north_m=20), subtype="0602")
    report = patrol_report(dup, place, duplicate_of=other)
    task = dup.task(report, "file_or_void", "shiftlead01")
    browser = Browser(dup, "shiftlead01")
    page = browser.get(f"/tasks/{task['id']}").text
    row = page[page.index(f'data-case="{other}"'):]
    assert 'name="allow_other_subtype"' in row[:row.index("</tr>")]
    done = browser.client.post(f"/tasks/{task['id']}/void-as-duplicate",
                               data={"duplicate_of": other, "allow_other_subtype": "1", "csrf_token": browser.token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{report}")
    assert dup.get(f"/cases/{report}/links", "shiftlead01").json["duplicate_of"]["case_no"] == other
