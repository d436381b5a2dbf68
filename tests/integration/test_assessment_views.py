"""The assessment's rankings, trends, map and report over the API on both databases (考评排名, 趋势, 地图, 月报):
ranks with ties, the change against the previous period, street / district / company averages with not-inspected
counts and the companies' credit grade, trend lines, map lights, the report's totals and counts — and who is refused
(403), what is malformed (422 naming the field) and a period without a round (404)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_support import Api, error_of
from assessment_support import DEMO
from assessment_views_support import company, credit_event, obj, ranking_rows, registry, result, scored_round

FIRST, SECOND = DEMO.first, DEMO.second  # districts 350602 and 350603, a street each


def test_objects_rank_best_first_ties_share_a_rank_and_change_is_against_the_previous_period(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    a, b, c, d, e = (obj(db, "garbage_sorting", place, name) for place, name in (
        (FIRST, "甲小区"), (FIRST, "乙小区"), (FIRST, "丙小区"), (FIRST, "丁小区"), (SECOND, "戊小区")))
    other_street = obj(db, "garbage_sorting", FIRST, "己小区", street=None)
    scored_round(db, "garbage_sorting", "2030-01", checklists["garbage_sorting"],
                 {a[1]: 90.0, b[1]: 97.0, c[1]: None, e[1]: 70.0})
    scored_round(db, "garbage_sorting", "2030-02", checklists["garbage_sorting"],
                 {a[1]: 95.0, b[1]: (95.0, 1, "rectifying"), c[1]: (80.0, 2, "closed"), d[1]: None, e[1]: 70.0,
                  other_street[1]: 60.0})

    objects = ranking_rows(api, "scheme=garbage_sorting&period=2030-02&level=object")
    assert {code: (r["rank"], r["score"], r["previous"], r["change"]) for code, r in objects.items()} == {
        a[0]: (1, 95.0, 90.0, 5.0), b[0]: (1, 95.0, 97.0, -2.0), c[0]: (3, 80.0, None, None),
        e[0]: (4, 70.0, 70.0, 0.0), other_street[0]: (5, 60.0, None, None), d[0]: (None, None, None, None)}
    assert objects[d[0]]["inspected"] is False and objects[d[0]]["light"] == "grey"
    assert objects[a[0]]["district"] == "350602" and objects[a[0]]["street"] == FIRST.street

    districts = ranking_rows(api, "scheme=garbage_sorting&period=2030-02&level=district")
    first, second = districts["350602"], districts["350603"]
    assert (first["score"], first["objects"], first["inspected"], first["not_inspected"], first["failed_items"]) == (
        82.5, 5, 4, 1, 3)  # (95 + 95 + 80 + 60) / 4
    assert (first["previous"], first["change"], first["rank"]) == (93.5, -11.0, 1)
    assert (second["score"], second["rank"], second["change"]) == (70.0, 2, 0.0)
    assert first["name"] != "350602"  # the district's name

    streets = ranking_rows(api, "scheme=garbage_sorting&period=2030-02&level=street")
    assert set(streets) == {FIRST.street, SECOND.street}  # an object without a street is in no street's row
    assert (streets[FIRST.street]["score"], streets[FIRST.street]["not_inspected"]) == (90.0, 1)


def test_companies_average_their_compounds_and_carry_their_credit_grade(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    (x_code, x_id), (y_code, y_id) = company(db, "甲物业"), company(db, "乙物业")
    x1, x2 = obj(db, "property", FIRST, "甲苑", x_id), obj(db, "property", SECOND, "乙苑", x_id)
    y1, y2 = obj(db, "property", FIRST, "丙苑", y_id), obj(db, "property", SECOND, "丁苑", y_id)
    scored_round(db, "property", "2030-Q1", checklists["property"], {x1[1]: 90.0, x2[1]: 80.0, y1[1]: 85.0,
                                                                     y2[1]: None})
    now = datetime.now(UTC)
    credit_event(db, x_id, x1[1], 8.0, now - timedelta(days=10))
    credit_event(db, x_id, x2[1], 4.0, now - timedelta(days=200))
    credit_event(db, x_id, x1[1], 50.0, now - timedelta(days=400))  # older than a year: no longer counts

    companies = ranking_rows(api, "scheme=property&period=2030-Q1&level=company")
    x, y = companies[x_code], companies[y_code]
    assert (x["score"], x["rank"], x["inspected"], x["not_inspected"]) == (85.0, 1, 2, 0)
    assert (y["score"], y["rank"], y["inspected"], y["not_inspected"]) == (85.0, 1, 1, 1)
    assert (x["credit_points"], x["credit_score"], x["grade"]) == (12.0, 88.0, "B")
    assert (y["credit_score"], y["grade"]) == (100.0, "A")


def test_trends_give_each_period_its_average_and_none_without_a_round(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    a, b = obj(db, "garbage_sorting", FIRST, "庚小区"), obj(db, "garbage_sorting", SECOND, "辛小区")
    scored_round(db, "garbage_sorting", "2031-01", checklists["garbage_sorting"], {a[1]: 80.0, b[1]: 60.0})
    scored_round(db, "garbage_sorting", "2031-03", checklists["garbage_sorting"], {a[1]: 90.0, b[1]: None})

    response = api.get("/assessment/trends?scheme=garbage_sorting&level=district&periods=4&until=2031-03",
                       "supervisor01")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["periods"] == ["2030-12", "2031-01", "2031-02", "2031-03"]
    assert [p["average"] for p in body["overall"]] == [None, 70.0, None, 90.0]
    lines = {s["code"]: [p["average"] for p in s["points"]] for s in body["series"]}
    assert lines == {"350602": [None, 80.0, None, 90.0], "350603": [None, 60.0, None, None]}
    one = api.get(f"/assessment/trends?scheme=garbage_sorting&level=object&code={a[0]}&periods=2&until=2031-03",
                  "auditor01").json
    assert [s["code"] for s in one["series"]] == [a[0]] and one["series"][0]["points"][1]["inspected"] == 1


def test_the_map_colours_each_object_by_its_light(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    made = [obj(db, "property", FIRST, f"苑{n}") for n in range(5)]
    scores = dict(zip([m[1] for m in made], [95.0, 85.0, 65.0, 40.0, None], strict=True))
    scored_round(db, "property", "2031-Q2", checklists["property"], scores)

    response = api.get("/assessment/map?scheme=property&period=2031-Q2", "dept_c06_01")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["type"] == "FeatureCollection" and body["period"] == "2031-Q2"
    lights = {f["properties"]["code"]: f["properties"]["light"] for f in body["features"]}
    assert [lights[m[0]] for m in made] == ["green", "yellow", "orange", "red", "grey"]
    assert body["lights"] == {"green": 1, "yellow": 1, "orange": 1, "red": 1, "grey": 1}
    assert {f["geometry"]["type"] for f in body["features"]} == {"Polygon"}  # compounds: their polygons
    garbage = registry(db)
    scored_round(db, "garbage_sorting", "2031-06", checklists["garbage_sorting"], {garbage["GS-CP-1"]: 88.0})
    points = api.get("/assessment/map?scheme=garbage_sorting&period=2031-06", "admin").json["features"]
    assert [(f["geometry"]["type"], f["properties"]["light"]) for f in points] == [("Point", "yellow")]


def test_the_report_counts_totals_failed_items_rectifications_and_credit(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    inspections = scored_round(db, "garbage_sorting", "2032-05", ids["garbage_sorting"], {
        ids["GS-COM-1"]: (60.0, 1, "escalated"), ids["GS-CP-1"]: 100.0, ids["GS-TS-1"]: None})
    low = inspections[ids["GS-COM-1"]]
    result(db, low, 0, "GS01", "fail", 20.0, rectification=True)
    result(db, low, 0, "GS02", "fail", 15.0, rectification=True)
    result(db, low, 1, "GS01", "fail", 20.0, rectification=True)  # 重复整改
    result(db, low, 1, "GS02", "pass")
    result(db, inspections[ids["GS-CP-1"]], 0, "GS01", "pass")

    response = api.get("/assessment/report?scheme=garbage_sorting&period=2032-05", "auditor01")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["totals"] == {"objects": 3, "inspected": 2, "not_inspected": 1, "average": 80.0, "passed": 1,
                              "pass_rate": 50.0, "failed_items": 1}
    assert [r["code"] for r in body["highest"]] == ["GS-CP-1", "GS-COM-1"]
    assert [r["code"] for r in body["lowest"]] == ["GS-COM-1", "GS-CP-1"]
    items = {i["code"]: i for i in body["failed_items"]}
    assert (items["GS01"]["failed"], items["GS01"]["deducted"], items["GS01"]["opened"], items["GS01"]["repeated"],
            items["GS01"]["rectified"], items["GS01"]["label"]) == (1, 20.0, 2, 1, 0, "分类投放设施齐全")
    assert (items["GS02"]["failed"], items["GS02"]["rectified"], items["GS04"]["failed"]) == (1, 1, 0)
    assert body["rectifications"] == {"opened": 3, "rectified": 1, "repeated": 1, "escalated": 1}
    assert {d["code"] for d in body["districts"]} == {"350602", "350603"} and body["credit"] == []

    code, company_id = company(db, "丙物业")
    compound = obj(db, "property", FIRST, "戌苑", company_id)
    scored_round(db, "property", "2032-Q2", ids["property"], {compound[1]: 70.0})
    credit_event(db, company_id, compound[1], 6.0, datetime(2032, 5, 3, tzinfo=UTC))
    credit_event(db, company_id, compound[1], 3.0, datetime(2032, 6, 30, 15, tzinfo=UTC))
    credit_event(db, company_id, compound[1], 9.0, datetime(2032, 7, 1, 1, tzinfo=UTC))  # Q3 in the city's zone
    credit = api.get("/assessment/report?scheme=property&period=2032-Q2", "shiftlead01").json["credit"]
    assert [(c["company"], c["events"], c["points"]) for c in credit] == [(code, 2, 9.0)]


def test_bad_values_are_named_and_a_period_without_a_round_is_not_found(api: Api) -> None:
    registry(api.deps.db)
    for query, field in (("", "scheme"), ("scheme=waste", "scheme"), ("scheme=property&level=city", "level"),
                         ("scheme=garbage_sorting&period=2030-13", "period"),
                         ("scheme=garbage_sorting&period=2030-Q1", "period"),
                         ("scheme=property&period=2030-05", "period")):
        assert field in error_of(api.get(f"/assessment/rankings?{query}", "shiftlead01"), 422)["fields"], query
    assert "periods" in error_of(api.get("/assessment/trends?scheme=property&periods=0", "admin"), 422)["fields"]
    assert "period" in error_of(api.get("/assessment/report?scheme=property", "admin"), 422)["fields"]
    assert "x" in error_of(api.get("/assessment/map?scheme=property&x=1", "admin"), 422)["fields"]
    error_of(api.get("/assessment/rankings?scheme=garbage_sorting&period=2039-07", "shiftlead01"), 404)
    error_of(api.get("/assessment/report?scheme=property&period=2039-Q3", "shiftlead01"), 404)
    for refused in ("collector001", "designer01"):
        error_of(api.get("/assessment/rankings?scheme=property", refused), 403)
    assert "/assessment/rankings" in api.client.get("/api/v1/openapi.json").json["paths"]
