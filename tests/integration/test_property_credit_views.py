"""Property companies' credit (物业信用) over the API and the pages, on SQLite and PostgreSQL: the companies ranked
by credit score with their grade, one company's credit file (events newest first and paged, points by month, its
compounds with their latest inspection score), the pages in Chinese and English, and 403 for roles without
READ_ASSESSMENTS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from pages_support import Browser
from property_credit_support import NESTED, OUTER, Registry, filed, inspections, seeded

from engine.domain.city_zone import city_zone


@pytest.fixture
def credit(api: Api) -> Iterator[tuple[Api, Registry]]:
    """The app with the credit registry seeded and the credit table deployed."""
    yield api, seeded(api)


def _scored(api: Api, registry: Registry, period: str, score: float) -> None:
    """A property round of ``period`` in which PR-CMP-1 was inspected with ``score``."""
    found = inspections(api, registry, period, ["PR-CMP-1"], api.new_case())
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("UPDATE assessment_inspections SET score = :s, inspected_at = :at WHERE id = :i"),
                     {"s": score, "at": datetime.now(UTC), "i": found["PR-CMP-1"]})


def test_companies_ranked_by_credit_score_and_a_credit_file(credit: tuple[Api, Registry]) -> None:
    api, registry = credit
    first, second = filed(api, OUTER, "1203"), filed(api, OUTER, "0514")  # PC-1 loses 2 and 1
    filed(api, NESTED, "0603")  # PC-2 loses 0.5
    _scored(api, registry, "V1", 70.0)
    _scored(api, registry, "V2", 88.0)  # the latest inspection of PR-CMP-1
    listed = api.get("/property/companies", "supervisor01").json["companies"]
    ranked = {c["code"]: c for c in listed}
    assert [c["score"] for c in listed] == sorted((c["score"] for c in listed), reverse=True)
    assert all(c["rank"] == 1 + sum(o["score"] > c["score"] for o in listed) for c in listed)
    pc1, pc2 = ranked["PC-1"], ranked["PC-2"]
    assert pc1["score"] == 100 - pc1["points"] and pc1["points"] >= 3 and pc1["grade"] == "A"
    assert pc1["rank"] > pc2["rank"] or pc1["score"] == pc2["score"]
    assert (pc1["compounds"], pc1["inspection_average"], ranked["PC-OFF"]["active"]) == (1, 88.0, False)
    file = api.get("/property/companies/PC-1?per_page=1", "dept_c27_01").json
    assert (file["name"], file["score"], file["grade"]) == ("湖滨物业服务有限公司", pc1["score"], "A")
    assert file["events"]["per_page"] == 1 and file["events"]["total"] >= 2
    assert file["events"]["rows"][0]["case_no"] == second and file["events"]["rows"][0]["points"] == 1.0
    older = api.get("/property/companies/PC-1?per_page=1&page=2", "auditor01").json["events"]["rows"][0]
    assert (older["case_no"], older["compound_code"], older["source"]) == (first, "PR-CMP-1", "case")
    month = f"{datetime.now(city_zone()):%Y-%m}"
    assert len(file["months"]) == 12 and file["months"][-1]["month"] == month
    assert file["months"][-1]["points"] == pc1["points"]  # every event of PC-1 is this month's
    compounds = {c["code"]: c for c in file["compounds"]}
    assert (compounds["PR-CMP-1"]["latest_score"], compounds["PR-CMP-1"]["latest_period"]) == (88.0, "V2")
    assert compounds["PR-OFF-1"]["active"] is False and compounds["PR-OFF-1"]["latest_score"] is None


def test_refusals_name_their_fields(credit: tuple[Api, Registry]) -> None:
    api, _ = credit
    assert set(error_of(api.get("/property/companies/NOPE", "supervisor01"), 404)["fields"]) == {"code"}
    for query, name in (("page=0", "page"), ("per_page=201", "per_page"), ("page=x", "page")):
        assert set(error_of(api.get(f"/property/companies/PC-1?{query}", "supervisor01"), 422)["fields"]) == {name}


@pytest.mark.parametrize("user", ["collector001", "designer01", "vision01"])
def test_roles_without_read_assessments_are_refused(credit: tuple[Api, Registry], user: str) -> None:
    api, _ = credit
    for path in ("/property/companies", "/property/companies/PC-1"):
        error_of(api.get(path, user), 403)
    if user != "vision01":  # a machine account signs in with no password
        browser = Browser(api, user)
        assert browser.get("/property/companies").status_code == 403
        assert browser.get("/property/companies/PC-1").status_code == 403


def test_the_pages_rank_the_companies_and_show_a_credit_file(credit: tuple[Api, Registry]) -> None:
    api, _ = credit
    filed(api, OUTER, "1203")
    browser = Browser(api, "shiftlead01")
    listed = browser.get("/property/companies")
    assert listed.status_code == 200 and 'id="property-companies"' in listed.text
    assert "湖滨物业服务有限公司" in listed.text and "信用分" in listed.text
    assert listed.text.index('data-code="PC-OFF"') < listed.text.index('data-code="PC-1"')  # 100 before < 100
    page = browser.get("/property/companies/PC-1")
    assert page.status_code == 200 and '<svg id="credit-chart"' in page.text and page.text.count("<rect") == 12
    assert 'data-source="case"' in page.text and "PR-CMP-1" in page.text and "物业管理不到位" in page.text
    english = browser.get("/property/companies/PC-1?lang=en")
    assert "Credit file" in english.text and "Credit score" in english.text
    assert browser.get("/property/companies/NOPE").status_code == 404
