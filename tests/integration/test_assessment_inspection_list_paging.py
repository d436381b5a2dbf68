"""The inspection list (``GET /assessment/inspections``) a page at a time, on both databases: ``page`` and
``per_page`` (at most 500) with ``total`` (every match), refused out of range naming the field, in the OpenAPI
document."""

from __future__ import annotations

from api_support import Api, error_of
from inspection_api_support import READER, start_inspection


def _ids(api: Api, query: str, user: str = READER) -> tuple[list[int], int]:
    found = api.get(f"/assessment/inspections?{query}", user)
    assert found.status_code == 200, found.json
    return [int(i["id"]) for i in found.json["inspections"]], int(found.json["total"])


def test_the_list_comes_a_page_at_a_time_with_its_total(api: Api) -> None:
    made = {start_inspection(api)["inspection_id"] for _ in range(3)}
    every, total = _ids(api, "per_page=500")
    assert made <= set(every) and total == len(every) >= 3
    first, counted = _ids(api, "per_page=2")
    second, _ = _ids(api, "per_page=2&page=2")
    assert (len(first), counted) == (2, total) and not set(first) & set(second)
    assert first + second == every[:4]
    assert _ids(api, f"per_page=2&page={total}") == ([], total)
    for query, field in (("per_page=501", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"),
                         ("page=x", "page"), ("per_page=١", "per_page")):
        assert set(error_of(api.get(f"/assessment/inspections?{query}", READER), 422)["fields"]) == {field}, query


def test_the_lists_paging_is_in_the_openapi_document(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json
    parameters = {p["name"]: p for p in document["paths"]["/assessment/inspections"]["get"]["parameters"]}
    assert parameters["per_page"]["schema"]["maximum"] == 500 and parameters["page"]["schema"]["minimum"] == 1
