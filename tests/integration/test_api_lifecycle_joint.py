"""回退审批 and 主办/协办 through the REST API (SQLite and PostgreSQL): refusals name their field with HTTP 422 and
write nothing; a co-department's member sees and answers its own 协办 task; the shift lead's refusal sends the case
back to the department."""

from __future__ import annotations

from api_support import Api
from pages_support import Browser

DEPT = "dept_350602s07_01"
PARKS = "350602-D05"


def test_return_review_and_co_handling_through_the_api(api: Api) -> None:
    case_no = api.new_case()
    dispatch = api.to_dispatch(case_no)
    refused = api.complete(dispatch["id"], {"dispatch": {"co_departments": ["350602-S07"]}}, "dispatcher01")
    assert refused.status_code == 422 and "dispatch.co_departments" in str(refused.json), refused.json
    api.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {"co_departments": [PARKS]}})
    co_member = "dept_350602d05_01"  # a member of the co-department
    co_task = api.task(case_no, "assist_disposal", co_member)
    assert co_task["candidate_group"] == PARKS and co_task["due_at"] is not None  # its own deadline
    api.step(case_no, "assist_disposal", co_member, {"assist": {"reply": "已修剪绿化带"}})
    api.step(case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    review = api.task(case_no, "review_return", "shiftlead01")
    without_reason = api.complete(review["id"], {"return_review": {"approved": False}}, "shiftlead01")
    assert without_reason.status_code == 422 and "return_review.comment" in str(without_reason.json)
    assert api.task(case_no, "review_return", "shiftlead01")["id"] == review["id"]  # nothing written
    api.step(case_no, "review_return", "shiftlead01", {"return_review": {"approved": False, "comment": "属本单位职责"}})
    again = api.task(case_no, "dispose_problem", DEPT)
    assert again["candidate_group"] == "350602-S07"
    page = Browser(api, DEPT).get(f"/tasks/{again['id']}").text  # the department reads why, and the co-handler's part
    assert "回退未获批准" in page and "属本单位职责" in page and "已修剪绿化带" in page
