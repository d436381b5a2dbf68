"""The auditor's pages on SQLite and PostgreSQL: the case finder with its filters (Chinese first, English
available), the replay page of a reworked case, the case page's links to a step's replay, the nav link, and
who may open them."""

from __future__ import annotations

import re

from api_support import Api
from audit_support import reworked_case
from pages_support import Browser


def test_the_finder_lists_reworked_cases_in_chinese_and_english(api: Api) -> None:
    reworked, plain = reworked_case(api), api.new_case()
    auditor = Browser(api, "auditor01")
    page = auditor.get("/audit?reworked=1&per_page=200")
    assert page.status_code == 200
    assert "案件审计" in page.text and 'href="/audit"' in page.text  # the nav link
    assert f'href="/audit/cases/{reworked}"' in page.text and plain not in page.text
    assert re.search(r'name="reworked" value="1"\s+checked', page.text)
    assert "返工次数 1" in page.text
    english = auditor.get("/audit?reworked=1&per_page=200&lang=en")
    assert "Case audit" in english.text and "Reworks 1" in english.text and reworked in english.text
    everything = auditor.get("/audit?per_page=200&lang=zh")
    assert reworked in everything.text and plain in everything.text


def test_bad_filters_show_the_field_and_no_cases(api: Api) -> None:
    page = Browser(api, "admin").get("/audit?since=yesterday&page=0")
    assert page.status_code == 400
    assert 'data-field="since"' in page.text and 'data-field="page"' in page.text
    assert "没有符合条件的案件" in page.text


def test_the_replay_page_draws_the_timeline_and_loads_its_script(api: Api) -> None:
    case_no = reworked_case(api)
    events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    page = Browser(api, "auditor01").get(f"/audit/cases/{case_no}")
    assert page.status_code == 200
    html = page.text
    assert f'data-url="/api/v1/cases/{case_no}/replay"' in html
    assert f'data-verify-url="/api/v1/cases/{case_no}/replay/verify"' in html
    assert len(re.findall(r'<li data-seq="\d+"', html)) == len(events)
    assert f'href="#step={len(events)}"' in html and "处置" in html and "核查" in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)  # CSP: no inline scripts
    assert "js/replay.js" in html and "css/replay.css" in html and "bpmn-navigated-viewer" in html
    texts = re.search(r"data-texts='([^']+)'", html)
    assert texts and "已验证" in texts.group(1)
    assert "Verified" in Browser(api, "admin").get(f"/audit/cases/{case_no}?lang=en").text


def test_the_case_page_links_each_event_to_its_replay_step_for_auditors_only(api: Api) -> None:
    case_no = reworked_case(api)
    page = Browser(api, "auditor01").get(f"/cases/{case_no}")
    assert page.status_code == 200
    assert f'href="/audit/cases/{case_no}#step=1"' in page.text and "回放" in page.text
    lead = Browser(api, "shiftlead01").get(f"/cases/{case_no}")
    assert lead.status_code == 200 and "#step=" not in lead.text and 'href="/audit"' not in lead.text


def test_other_roles_get_403_and_unknown_cases_404(api: Api) -> None:
    case_no = api.new_case()
    for user in ("seat01", "shiftlead01", "dept_350602s07_01"):
        browser = Browser(api, user)
        assert browser.get("/audit").status_code == 403
        assert browser.get(f"/audit/cases/{case_no}").status_code == 403
    auditor = Browser(api, "auditor01")
    assert auditor.get("/audit/cases/20990101999999").status_code == 404
    assert auditor.get("/audit/cases/" + "9" * 40).status_code == 404
    stranger = api.app.test_client().get("/audit")
    assert stranger.status_code == 302 and stranger.headers["Location"].startswith("/login")
