"""A census campaign in a real browser (Debian's Chromium): a shift lead starts one over a street of 350602 from the
campaigns page; collector001, on a phone-sized page (390×844), opens a grid's sweep from the task list, ticks the
items 无问题, reports one finding with a photo (resized in the browser, uploaded to the sweep case) — a lifecycle case
at 立案 with channel census — and finishes the grid; the progress page then shows the grid done and the finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_support import api_get, sign_in
from image_support import png_file

PHONE = {"width": 390, "height": 844}
SMALL = {"width": 360, "height": 740}


def test_a_collector_sweeps_a_grid_on_a_phone(browser: Any, city_server: str, tmp_path: Path) -> None:
    base = city_server
    lead, campaign = _start_over_a_street(browser, base)
    phone = sign_in(browser, base, "collector001", viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(f"{base}/collector")
    phone.locator("a.sweep-link").first.click()
    phone.wait_for_load_state("networkidle")
    assert "/sweep" in phone.url, phone.content()[:2000]
    grid = phone.url.split("/grids/")[1].split("/")[0]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    phone.set_viewport_size(SMALL)
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL["width"]  # nor on the smallest we serve
    phone.set_viewport_size(PHONE)

    _report_one_and_record_the_rest(phone, tmp_path)

    sheet = api_get(base, "shiftlead01", f"/campaigns/{campaign}/grids/{grid}")
    findings = [f for topic in sheet["topics"] for item in topic["items"] for f in item["findings"]]
    case_no = next(f["case_no"] for f in findings if f.get("case_no"))
    case = api_get(base, "shiftlead01", f"/cases/{case_no}")
    assert case["channel"] == "census" and [t["bpmn_id"] for t in case["tasks"]] == ["file_or_void"]
    assert case.get("attachments"), case  # the photo went with the finding

    lead.goto(f"{base}/campaigns/{campaign}")
    lead.wait_for_selector("#campaign-map[data-ready='1']")
    assert lead.locator('#campaign-counts [data-state="done"] b').inner_text() == "1"
    assert lead.locator("#campaign-map").get_attribute("data-done") == "1"
    assert "1" in lead.locator("table.by-topic").inner_text()


def _start_over_a_street(browser: Any, base: str) -> tuple[Any, int]:
    """The shift lead starts a campaign over one street from the page: (their page, the campaign's id)."""
    lead = sign_in(browser, base, "shiftlead01")
    lead.goto(f"{base}/campaigns")
    form = lead.locator("#start-campaign")
    form.locator('[name="name"]').fill("井盖普查 e2e")
    form.locator('input[name="topics"]').nth(0).check()
    street = form.locator('select[name="streets"] option').filter(has_text="350602").first
    if street.count() == 0:
        street = form.locator('select[name="streets"] option').first
    form.locator('select[name="streets"]').select_option(street.get_attribute("value"))
    form.locator("button[type=submit]").click()
    lead.wait_for_load_state("networkidle")
    assert "/campaigns/" in lead.url, lead.content()[:3000]
    campaign = int(lead.url.rstrip("/").split("/")[-1])
    lead.wait_for_selector("#campaign-map[data-ready='1']")
    return lead, campaign


def _report_one_and_record_the_rest(phone: Any, tmp_path: Path) -> None:
    """The first item reported as a finding with a photo (resized and uploaded), every other one recorded, the grid
    finished."""
    items = phone.locator(".sweep-item")
    assert items.count() >= 2
    finding_item = items.nth(0)
    finding_item.locator("button.open-finding").click()
    phone.locator("#finding-description").fill("井盖破损")
    phone.locator("#finding-photo").set_input_files(str(png_file(tmp_path / "manhole.png", 64, 48, (0x20, 0x80, 0xC0))))
    phone.wait_for_selector("#finding-photo-state[data-sha256]", state="attached")  # resized and uploaded
    phone.locator("#finding-submit").click()
    phone.wait_for_selector(".sweep-item.result-finding")
    for index in range(1, items.count()):
        item = items.nth(index)
        if item.locator("button.record-clear").count():
            item.locator("button.record-clear").click()
        else:
            item.locator(".count-input").fill("2")
            item.locator("button.record-count").click()
        phone.wait_for_selector(f".sweep-item:nth-child({index + 1}).recorded", state="attached")
    phone.wait_for_selector(".sweep-item:not(.recorded)", state="detached")  # every item recorded
    phone.locator("#finish-grid").click()
    phone.wait_for_selector("#sweep-state[data-state='done']")

