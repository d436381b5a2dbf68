"""An assessment inspection on a phone in a real browser (Debian's Chromium, 390×844): a shift lead starts the
garbage-sorting round from the 考评 page; collector001 opens an inspection from the task list, is refused while
items are missing, records every item — one failed with a preset deduction and a photo (resized in the browser,
uploaded to the inspection case), photos where the checklist asks for them — finishes and sees the score; the
failed item's rectification case (整改) exists; the 复查 page then lists only the failed item with its earlier
result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from assessment_browser_support import PHONE
from browser_support import api_get, serve_city, sign_in
from image_support import png_file

SMALL = {"width": 360, "height": 740}
KEPT = 3  # garbage-sorting objects of 350602 kept active: the round's inspections (the demo city has ~300)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    yield from serve_city(tmp_path_factory, "assessment_server")


def _wider(page: Any, viewport: dict[str, int]) -> list[str]:
    """The elements reaching past the viewport's right edge (the failure's message)."""
    return list(page.evaluate(
        "w => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > w)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 10)", viewport["width"]))


def _keep_few_objects(url: str) -> None:
    """Only KEPT communities of 350602 stay in the coming round (a smaller round, the same path)."""
    db = sa.create_engine(url)
    try:
        with db.begin() as conn:
            kept = [r[0] for r in conn.execute(sa.text(
                "SELECT id FROM assessed_objects WHERE scheme = 'garbage_sorting' AND district_code = '350602'"
                " AND kind = 'community' ORDER BY code LIMIT :n"), {"n": KEPT})]
            conn.execute(sa.text("UPDATE assessed_objects SET active = :off WHERE scheme = 'garbage_sorting'"
                                 " AND id NOT IN :kept").bindparams(sa.bindparam("kept", expanding=True)),
                         {"off": False, "kept": kept})
    finally:
        db.dispose()


def _start_round(browser: Any, base: str) -> None:
    lead = sign_in(browser, base, "shiftlead01")
    lead.goto(f"{base}/assessment")
    lead.locator('#start-round select[name="scheme"]').select_option("garbage_sorting")
    lead.locator("#start-round button[type=submit]").click()
    lead.wait_for_url("**/assessment/rounds/*", timeout=60_000)
    assert lead.locator('[data-count="objects"]').inner_text() == str(KEPT)
    round_id = lead.url.rstrip("/").split("/")[-1]
    deadline = time.monotonic() + 60  # the scheduler starts the round's inspection cases, chunk by chunk
    while api_get(base, "shiftlead01", f"/assessment/rounds/{round_id}")["pending"] and time.monotonic() < deadline:
        time.sleep(0.5)


def _record_everything(phone: Any, tmp_path: Path) -> str:
    """Every item recorded: the first with deductions failed with a preset and a photo, the rest passed (with a
    photo where always required); the failed item's code."""
    items = phone.locator(".inspect-item")
    codes = [items.nth(i).get_attribute("data-item") for i in range(items.count())]
    failed = next(c for i, c in enumerate(codes) if items.nth(i).locator(".deduction-code").count())
    photo = str(png_file(tmp_path / "bins.png", 640, 480, (0x30, 0x90, 0x50)))
    for code in codes:
        item = phone.locator(f'.inspect-item[data-item="{code}"]')
        if code == failed:
            item.locator('button.choose[data-result="fail"]').click()
            item.locator(".deduction-code").select_option(index=0)
            item.locator("input.photo").set_input_files(photo)
            item.locator("button.save-fail").click()
            phone.wait_for_selector(f'.inspect-item[data-item="{code}"][data-saved="photo"]')
            continue
        if item.get_attribute("data-photo") == "always":
            item.locator("input.photo").set_input_files(photo)
        item.locator('button.choose[data-result="pass"]').click()
        phone.wait_for_selector(f'.inspect-item[data-item="{code}"][data-saved]:not([data-saved=""])')
    return str(failed)


def test_an_inspector_records_finishes_and_re_inspects_on_a_phone(browser: Any, server: tuple[str, str],
                                                                   tmp_path: Path) -> None:
    base, url = server
    _keep_few_objects(url)
    _start_round(browser, base)
    phone = sign_in(browser, base, "collector001", viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(f"{base}/collector")
    phone.locator("a.assessment-link").first.click()
    phone.wait_for_selector("#inspect")
    inspection_id = int(phone.url.rstrip("/").split("/")[-1])
    for viewport in (SMALL, PHONE):  # nothing wider than the phone, nor than the smallest we serve
        phone.set_viewport_size(viewport)
        assert phone.evaluate("document.documentElement.scrollWidth") <= viewport["width"], _wider(phone, viewport)

    phone.locator("#finish-inspection").click()  # nothing recorded: the model refuses, naming the items
    phone.wait_for_selector("#inspect-error:not([hidden])")
    assert "items" in phone.locator("#inspect-error").inner_text()

    failed = _record_everything(phone, tmp_path)
    phone.locator("#finish-inspection").click()
    phone.wait_for_selector("#inspection-state[data-state='rectifying']", timeout=30_000)
    score = float(phone.locator("#inspection-score").get_attribute("data-score"))
    assert 0 < score < 100

    sheet = api_get(base, "shiftlead01", f"/assessment/inspections/{inspection_id}")
    first = next(i for i in sheet["items"] if i["code"] == failed)["results"][0]
    assert first["result"] == "fail" and first["photos"] and first["case_no"], first
    case = api_get(base, "shiftlead01", f"/cases/{first['case_no']}")
    assert case["channel"] == "assessment", case

    # the re-inspection (复查): the page now lists only the failed item, with what the inspection found
    assert phone.locator("#inspection-state").get_attribute("data-visit") == "1"
    assert [phone.locator(".inspect-item").nth(i).get_attribute("data-item")
            for i in range(phone.locator(".inspect-item").count())] == [failed]
    assert first["case_no"] in phone.locator(".inspect-item .earlier").inner_text()
    assert phone.locator("#finish-inspection").inner_text().strip() == "完成复查"
