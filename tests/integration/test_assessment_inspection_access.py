"""Who reads an inspection (考评检查), on both databases: the readers of assessments (READ_ASSESSMENTS: for department
members only the city's managing departments, C06/C27 in the demo city) and the inspection's own task group read its
sheet, its page and find it in the list; any other department's member (C01, C03) or another district's collector
gets 404 and an empty list."""

from __future__ import annotations

from typing import Any

from api_support import Api, error_of
from inspection_api_support import INSPECTOR, OTHER_INSPECTOR, READER, start_inspection
from pages_support import Browser

OUTSIDERS = ("dept_c01_01", "dept_c03_01", OTHER_INSPECTOR)  # not managing assessments, not the inspection's group


def _ids(api: Api, query: str, user: str = READER) -> tuple[list[int], int]:
    found = api.get(f"/assessment/inspections?{query}", user)
    assert found.status_code == 200, found.json
    return [int(i["id"]) for i in found.json["inspections"]], int(found.json["total"])


def test_only_the_readers_and_the_inspections_group_read_it(api: Api) -> None:
    inspection: dict[str, Any] = start_inspection(api)
    sheet = page = f"/assessment/inspections/{inspection['inspection_id']}"  # the API's (under /api/v1), the page's
    for outsider in OUTSIDERS:
        error_of(api.get(sheet, outsider), 404)
        assert Browser(api, outsider).get(page).status_code == 404, outsider
        assert _ids(api, f"round_id={inspection['round_id']}", outsider) == ([], 0), outsider
    for reader in (INSPECTOR, "dept_c06_01", "dept_c27_01", READER, "auditor01"):
        assert api.get(sheet, reader).status_code == 200, reader
        assert Browser(api, reader).get(page).status_code == 200, reader
        assert _ids(api, f"round_id={inspection['round_id']}", reader) == ([inspection["inspection_id"]], 1), reader
