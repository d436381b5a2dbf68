"""The assessment's rankings keep their history on both databases (考评排名): a compound that changes company keeps
its past scores with its old company (the inspection's own district, street and company, as the round opened it);
a past period's company credit counts the year before the period's end; the trend's overall line (全部) counts
every inspected object; no period given means the newest round with a score; the object ranking is paged; periods
take ASCII digits only; an object trend needs its code."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from api_support import Api, error_of
from assessment_support import DEMO
from assessment_views_support import company, credit_event, obj, ranking_rows, registry, scored_round

FIRST, SECOND = DEMO.first, DEMO.second


def test_a_compound_changing_company_keeps_its_past_scores_with_its_old_company(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    (x_code, x_id), (y_code, y_id) = company(db, "甲物业"), company(db, "乙物业")
    bad = obj(db, "property", FIRST, "差苑", x_id)
    good = obj(db, "property", FIRST, "好苑", y_id)
    scored_round(db, "property", "2035-Q1", checklists["property"], {bad[1]: 40.0, good[1]: 95.0})
    with db.begin() as conn:  # a registry load gives the compound to company Y, in another street
        conn.execute(sa.text("UPDATE assessed_objects SET company_id = :y, street_code = NULL WHERE id = :o"),
                     {"y": y_id, "o": bad[1]})
    scored_round(db, "property", "2035-Q2", checklists["property"], {bad[1]: 95.0, good[1]: 95.0})

    q1 = ranking_rows(api, "scheme=property&period=2035-Q1&level=company")
    assert (q1[x_code]["score"], q1[y_code]["score"]) == (40.0, 95.0)
    q2 = ranking_rows(api, "scheme=property&period=2035-Q2&level=company")
    assert x_code not in q2 and (q2[y_code]["score"], q2[y_code]["previous"], q2[y_code]["change"]) == (
        95.0, 95.0, 0.0)
    trend = api.get(f"/assessment/trends?scheme=property&level=company&code={x_code}&periods=2&until=2035-Q2",
                    "admin").json
    assert [p["average"] for p in trend["series"][0]["points"]] == [40.0, None]
    streets = ranking_rows(api, "scheme=property&period=2035-Q1&level=street")
    assert streets[FIRST.street]["objects"] >= 2  # the street it had then
    the_map = api.get("/assessment/map?scheme=property&period=2035-Q1", "admin").json
    [feature] = [f for f in the_map["features"] if f["properties"]["code"] == bad[0]]
    assert (feature["properties"]["company"], feature["properties"]["street"]) == (x_code, FIRST.street)


def test_a_past_periods_credit_counts_the_year_before_the_periods_end(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    code, company_id = company(db, "丁物业")
    compound = obj(db, "property", FIRST, "历史苑", company_id)
    scored_round(db, "property", "2025-Q1", checklists["property"], {compound[1]: 90.0})
    credit_event(db, company_id, compound[1], 7.0, datetime(2025, 3, 10, tzinfo=UTC))
    credit_event(db, company_id, compound[1], 30.0, datetime(2024, 3, 1, tzinfo=UTC))  # > 365 days before
    credit_event(db, company_id, compound[1], 20.0, datetime(2025, 5, 1, tzinfo=UTC))  # after the period
    row = ranking_rows(api, "scheme=property&period=2025-Q1&level=company")[code]
    assert (row["credit_points"], row["credit_score"], row["grade"]) == (7.0, 93.0, "A")


def test_the_overall_trend_counts_every_inspected_object(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    on_street = obj(db, "garbage_sorting", FIRST, "街道小区")
    no_street = obj(db, "garbage_sorting", FIRST, "无街道小区", street=None)
    scored_round(db, "garbage_sorting", "2036-01", checklists["garbage_sorting"],
                 {on_street[1]: 80.0, no_street[1]: 60.0})
    for query in ("level=street", f"level=street&code={FIRST.street}", f"level=object&code={on_street[0]}"):
        body = api.get(f"/assessment/trends?scheme=garbage_sorting&{query}&periods=1&until=2036-01", "admin").json
        assert (body["overall"][0]["average"], body["overall"][0]["inspected"]) == (70.0, 2), query
    assert "code" in error_of(api.get("/assessment/trends?scheme=garbage_sorting&level=object", "admin"),
                              422)["fields"]


def test_no_period_means_the_newest_round_with_a_score(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    made = obj(db, "garbage_sorting", SECOND, "最新小区")
    scored_round(db, "garbage_sorting", "2098-01", checklists["garbage_sorting"], {made[1]: 75.0})
    scored_round(db, "garbage_sorting", "2098-02", checklists["garbage_sorting"], {made[1]: None})  # just opened
    body = api.get("/assessment/rankings?scheme=garbage_sorting&level=district", "shiftlead01").json
    assert body["period"] == "2098-01"
    assert api.get("/assessment/map?scheme=garbage_sorting", "admin").json["period"] == "2098-01"


def test_the_object_ranking_is_paged(api: Api) -> None:
    db, checklists = api.deps.db, registry(api.deps.db)
    made = [obj(db, "garbage_sorting", FIRST, f"分页{n}") for n in range(5)]
    scored_round(db, "garbage_sorting", "2036-07", checklists["garbage_sorting"],
                 {m[1]: 90.0 - n for n, m in enumerate(made)})
    body = api.get("/assessment/rankings?scheme=garbage_sorting&period=2036-07&per_page=2&page=2",
                   "shiftlead01").json
    assert [r["code"] for r in body["rows"]] == [made[2][0], made[3][0]]
    assert (body["total"], body["page"], body["per_page"], body["counts"]["rows"]) == (5, 2, 2, 5)
    assert [r["rank"] for r in body["rows"]] == [3, 4]
    for query, field in (("per_page=1001", "per_page"), ("per_page=0", "per_page"), ("page=0", "page")):
        assert field in error_of(api.get(f"/assessment/rankings?scheme=garbage_sorting&{query}", "admin"),
                                 422)["fields"], query


def test_periods_take_ascii_digits_only(api: Api) -> None:
    registry(api.deps.db)
    for period in ("２０３０-０３", "٢٠٣٠-٠٣", "2030-٠٣"):
        assert "period" in error_of(api.get(f"/assessment/rankings?scheme=garbage_sorting&period={period}",
                                            "shiftlead01"), 422)["fields"], period
    error_of(api.get("/assessment/trends?scheme=garbage_sorting&until=٢٠٣٠-٠٣", "shiftlead01"), 422)
