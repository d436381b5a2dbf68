"""Property companies' credit (物业信用) with the models as deployed (the city's ``assessment_inspection`` and its
property_credit table), on SQLite and PostgreSQL: a property inspection scored through the model costs the
compound's company the table's points once; a case filed inside a demo compound counts by the same deployed
table."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api
from inspection_api_support import post_item, rows, start_inspection, upload, visit_task
from property_credit_support import case_id, events, filed

INSPECTOR = "dept_c27_01"  # 物业管理服务中心 (C27) inspects the compounds (assessment_inspectors.dmn)


@pytest.fixture
def inspection(api: Api) -> dict[str, Any]:
    """An open inspection of a demo compound in 350602, its case started by the deployed model."""
    return start_inspection(api, "property", "compound", "350602")


def _company(api: Api, code: str) -> int:
    return int(rows(api, "SELECT id FROM property_companies WHERE code = :code", code=code)[0].id)


def test_a_property_inspection_failing_every_item_costs_its_company_once(api: Api,
                                                                         inspection: dict[str, Any]) -> None:
    photo = upload(api, inspection["case_no"], INSPECTOR)
    for item in inspection["items"]:
        response = post_item(api, inspection, item["code"], "fail", INSPECTOR, photos=[photo])
        assert response.status_code == 200, response.json
    task = visit_task(api, inspection, INSPECTOR)
    response = api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}})
    assert response.status_code == 200, response.json
    (event,) = events(api, f"inspection:{inspection['inspection_id']}")
    place = inspection["object"]
    assert (event["company_id"], event["object_id"]) == (_company(api, place["company"]), place["id"])
    assert (event["source"], float(event["points"]), event["reason"][:5]) == ("inspection", 5.0, "考评不合格")
    reinspection = visit_task(api, inspection, INSPECTOR)  # the re-inspection's step keeps the credit as it was
    for item in inspection["items"]:
        assert post_item(api, inspection, item["code"], "pass", INSPECTOR, photos=[photo]).status_code == 200
    assert api.post(f"/tasks/{reinspection['id']}/complete", INSPECTOR, {"data": {}}).status_code == 200
    assert len(events(api, f"inspection:{inspection['inspection_id']}")) == 1


def test_a_case_filed_inside_a_demo_compound_counts_by_the_deployed_table(api: Api) -> None:
    (place,) = rows(api, "SELECT o.id, o.lon, o.lat, o.company_id FROM assessed_objects o JOIN property_companies c"
                    " ON c.id = o.company_id WHERE o.kind = 'compound' AND o.district_code = '350602'"
                    " AND o.active = :t AND c.active = :t ORDER BY o.code LIMIT 1", t=True)
    case_no = filed(api, (place.lon, place.lat), "1203")
    (event,) = events(api, f"case:{case_id(api, case_no)}")
    assert (event["company_id"], float(event["points"])) == (place.company_id, 2.0)


def test_a_failed_inspections_rectification_cases_once_filed_cost_nothing_more(api: Api,
                                                                               inspection: dict[str, Any]) -> None:
    """考评整改: the inspection's own credit event already counts the failure; its rectification cases (channel
    ``assessment``) filed inside the compound are not charged again."""
    photo = upload(api, inspection["case_no"], INSPECTOR)
    for item in inspection["items"]:
        assert post_item(api, inspection, item["code"], "fail", INSPECTOR, photos=[photo]).status_code == 200
    task = visit_task(api, inspection, INSPECTOR)
    assert api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}}).status_code == 200
    company = _company(api, inspection["object"]["company"])
    cases = rows(api, "SELECT s.case_no FROM assessment_results r JOIN case_summaries s ON s.case_id = r.case_id"
                 " WHERE r.inspection_id = :i", i=inspection["inspection_id"])
    assert cases
    for (case_no,) in cases:
        api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    charged = rows(api, "SELECT event_key FROM property_credit_events WHERE company_id = :c AND source = 'case'"
                   " AND case_id IN (SELECT case_id FROM assessment_results WHERE inspection_id = :i)",
                   c=company, i=inspection["inspection_id"])
    assert charged == []
