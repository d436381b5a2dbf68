"""Cases for the audit tests (the API's and the pages'): one reworked (返工) and closed."""

from __future__ import annotations

from api_support import Api

DEPT = "dept_350602s07_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "清理完毕"}}


def reworked_case(api: Api) -> str:
    """A case disposed, failed at the on-site check (返工), disposed again, checked and closed."""
    case_no = api.new_case()
    api.to_disposal(case_no)
    for passed in (False, True):
        api.step(case_no, "dispose_problem", DEPT, DISPOSED)
        api.step(case_no, "check_on_site", "collector001", {"check": {"passed": passed, "note": "地面仍有残留"}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})
    return case_no
