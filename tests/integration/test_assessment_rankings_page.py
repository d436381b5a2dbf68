"""The rankings page's selectors and links on both databases (考评排名): the period selector lists every round's
period of the scheme (however many rounds there are), a long object ranking shows its first rows with a note, and
the property companies' credit pages are linked from the 考评 page and from each company row."""

from __future__ import annotations

import re

import pytest
from api_support import Api
from assessment_support import DEMO
from assessment_views_support import company, obj, registry, scored_round
from pages_support import Browser

from web.pages import assessment as assessment_pages


def test_the_period_selector_lists_every_rounds_period(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    periods = [f"{2100 + n // 12}-{n % 12 + 1:02d}" for n in range(101)]  # more rounds than the rounds list shows
    for period in periods:
        scored_round(db, "garbage_sorting", period, ids["garbage_sorting"], {})
    page = Browser(api, "shiftlead01").get(f"/assessment/rankings?scheme=garbage_sorting&period={periods[0]}")
    assert page.status_code == 200
    select = page.text.split('id="ranking-period"', 1)[1].split("</select>", 1)[0]
    listed = re.findall(r'<option value="([^"]+)"', select)
    assert set(periods) <= set(listed) and listed == sorted(listed, reverse=True)


def test_a_long_object_ranking_shows_its_first_rows_with_a_note(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    made = [obj(db, "garbage_sorting", DEMO.first, f"长表{n}") for n in range(3)]
    scored_round(db, "garbage_sorting", "2099-05", ids["garbage_sorting"], {m[1]: 90.0 - n for n, m in enumerate(made)})
    monkeypatch.setattr(assessment_pages, "PAGE_ROWS", 2)  # the page's 500, made small
    html = Browser(api, "shiftlead01").get("/assessment/rankings?scheme=garbage_sorting&period=2099-05").text
    assert re.findall(r'<tr data-code="([^"]+)"', html) == [made[0][0], made[1][0]]
    assert 'id="ranking-truncated"' in html and "共 3 个" in html


def test_the_credit_pages_are_linked_from_the_assessment_page_and_the_company_rows(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    code, company_id = company(db, "链接物业")
    compound = obj(db, "property", DEMO.first, "链接苑", company_id)
    scored_round(db, "property", "2099-Q2", ids["property"], {compound[1]: 88.0})
    browser = Browser(api, "shiftlead01")
    assert 'href="/property/companies"' in browser.get("/assessment").text
    html = browser.get("/assessment/rankings?scheme=property&period=2099-Q2&level=company").text
    assert f'href="/property/companies/{code}"' in html
    assert browser.get(f"/property/companies/{code}").status_code == 200
