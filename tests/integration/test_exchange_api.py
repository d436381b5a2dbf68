"""The exchange's API (/api/v1/exchange/<code>/…) and admin page (/admin/exchange): who may read and run, and
refusals naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, error_of
from exchange_support import add_connector, baseline, outbox_files, report
from pages_support import Browser


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    from exchange_support import exchange_api

    yield from exchange_api(city, tmp_path)


def test_admins_export_shift_leads_read_others_are_refused(api: Api, tmp_path: Path) -> None:
    baseline(api, "api_a", tmp_path)
    number = report(api)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert api.post("/exchange/api_a/export", "shiftlead01").status_code == 403
    answer = api.post("/exchange/api_a/export", "admin")
    assert answer.status_code == 200, answer.json
    assert answer.json["batches"][0]["records"] == 1 and outbox_files(tmp_path)[-1].name == \
        answer.json["batches"][0]["file_name"]
    listed = api.get("/exchange/api_a/batches?direction=export", "shiftlead01")
    assert listed.status_code == 200 and listed.json["batches"][0]["seq"] == answer.json["batches"][0]["seq"]
    assert "case_nos" not in listed.json["batches"][0]["detail"] and number
    assert api.get("/exchange/api_a/batches", "dispatcher01").status_code == 403
    missing = api.post("/exchange/api_a/inbox", "admin")  # no inbox folder yet: refused by name, not "empty"
    assert missing.status_code == 422 and "inbox_dir" in missing.json["error"]["fields"], missing.json
    (tmp_path / "inbox").mkdir()
    inbox = api.post("/exchange/api_a/inbox", "admin")
    assert inbox.status_code == 200 and inbox.json["files"] == []


@pytest.mark.parametrize(("index", "query", "field"), [
    (1, "direction=sideways", "direction"), (2, "page=0", "page"), (3, "page=%D9%A3", "page"),
    (4, "page=" + "9" * 5000, "page"), (5, "page=1%002", "page")])
def test_bad_arguments_are_422_naming_them(api: Api, tmp_path: Path, index: int, query: str, field: str) -> None:
    add_connector(api, f"api_b{index}", tmp_path)
    error = error_of(api.get(f"/exchange/api_b{index}/batches?{query}", "admin"), 422)
    assert field in error["fields"], error


def test_an_unknown_or_hostile_connector_is_a_4xx(api: Api) -> None:
    assert api.get("/exchange/nope/batches", "admin").status_code == 404
    assert api.post("/exchange/nope/export", "admin").status_code == 404
    error = error_of(api.post("/exchange/" + "x" * 500 + "/export", "admin"), 422)
    assert "connector" in error["fields"], error
    assert api.post("/exchange/a%00b/export", "admin").status_code in (404, 422)


def test_the_admin_page_lists_batches_and_runs_an_export(api: Api, tmp_path: Path) -> None:
    baseline(api, "api_c", tmp_path)
    report(api)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    admin = Browser(api, "admin")
    page = admin.get("/admin/exchange")
    assert page.status_code == 200 and 'id="exchange-api_c"' in page.text and 'id="export-api_c"' in page.text
    sent = admin.client.post("/admin/exchange/api_c/export", data={"csrf_token": admin.token})
    assert sent.status_code == 302
    page = admin.get("/admin/exchange")
    assert outbox_files(tmp_path)[-1].name in page.text
    lead = Browser(api, "shiftlead01").get("/admin/exchange")
    assert lead.status_code == 200 and 'id="export-api_c"' not in lead.text
    assert Browser(api, "dispatcher01").get("/admin/exchange").status_code == 403


def test_reading_an_inbox_another_run_reads_is_409_naming_the_connector(api: Api, tmp_path: Path) -> None:
    from city.exchange import files

    add_connector(api, "api_d", tmp_path)
    (tmp_path / "inbox").mkdir()
    with files.inbox_lock(tmp_path / "inbox"):
        error = error_of(api.post("/exchange/api_d/inbox", "admin"), 409)
    assert "connector" in error["fields"], error
    assert api.post("/exchange/api_d/inbox", "admin").status_code == 200
