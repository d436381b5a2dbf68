"""The enforcement teams' KPIs on both databases (执法队伍考核): a period's cohort of transfers per team — filed,
refused, closed, open by stage, days to close, closed within 90 days, fines decided and executed — and the total;
who reads which teams (a department member their own; 403 without READ_KPIS), a bad period refused naming its field;
through the API and the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from api_support import Api, error_of
from enforcement_support import enforcement_row, tag
from pages_support import Browser

JANUARY = datetime(2025, 1, 10, 2, 0, tzinfo=UTC)  # 2025-01-10 10:00 in the city; long past: every 90 days passed
TEAM, OTHER_TEAM = "350602-D03", "350603-D03"
MEMBER = "dept_350602d03_01"  # a member of 350602-D03


def _team_a(api: Api, team: str) -> None:
    """Five transfers in January 2025 (and one in February, outside the period)."""
    enforcement_row(api, team, "closed", JANUARY, days_to_close=30, penalty_kind="fine",
                    fine_amount=Decimal("1000.00"))
    enforcement_row(api, team, "closed", JANUARY + timedelta(days=1), days_to_close=120, penalty_kind="fine",
                    fine_amount=Decimal("500.25"))
    enforcement_row(api, team, "refused", JANUARY + timedelta(days=2))
    enforcement_row(api, team, "investigation", JANUARY + timedelta(days=3))
    enforcement_row(api, team, "execution", JANUARY + timedelta(days=4), penalty_kind="fine",
                    fine_amount=Decimal("200"))
    enforcement_row(api, team, "filing", datetime(2025, 2, 1, 2, 0, tzinfo=UTC))


def _row(body: dict[str, object], team: str) -> dict[str, object]:
    rows = {r["team"]: r for r in body["teams"]}  # type: ignore[attr-defined]
    return rows[team]  # type: ignore[no-any-return]


def test_a_teams_kpis_count_its_periods_transfers_as_they_stand(api: Api) -> None:
    marker = tag()
    team_a, team_b = f"A{marker}", f"B{marker}"
    _team_a(api, team_a)
    enforcement_row(api, team_b, "filing", JANUARY)

    response = api.get("/kpi/enforcement?period=2025-01", "supervisor01")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["period"] == "2025-01" and body["start"] == "2024-12-31T16:00:00+00:00"
    assert _row(body, team_a) == {
        "team": team_a, "team_name": team_a, "team_name_en": team_a, "transferred": 5, "filed": 4, "refused": 1,
        "closed": 2, "open": {"filing": 0, "investigation": 1, "notice": 0, "decision": 0, "service": 0,
                              "execution": 1},
        "open_total": 2, "average_days_to_close": 75.0,
        "closed_within_90_days": {"count": 1, "due": 4, "share": 0.25},
        "fines_decided": {"count": 3, "sum": "1700.25"}, "fines_executed": {"count": 2, "sum": "1500.25"}}
    b = _row(body, team_b)
    assert (b["transferred"], b["open_total"], b["average_days_to_close"]) == (1, 1, None)
    assert b["closed_within_90_days"] == {"count": 0, "due": 1, "share": 0.0}
    assert b["fines_decided"] == {"count": 0, "sum": "0.00"}
    total = body["total"]
    assert total["transferred"] == sum(r["transferred"] for r in body["teams"])
    assert total["fines_decided"]["count"] == sum(r["fines_decided"]["count"] for r in body["teams"])

    days = api.get("/kpi/enforcement?period=2025-01-11..2025-01-12", "auditor01").json
    assert _row(days, team_a)["transferred"] == 2  # the 120-day close and the refusal
    assert team_b not in {r["team"] for r in days["teams"]}
    february = api.get(f"/kpi/enforcement?period=2025-02&team={team_a}", "admin").json
    assert [r["team"] for r in february["teams"]] == [team_a] and february["total"]["open"]["filing"] == 1


def test_a_department_member_reads_their_own_teams_kpis_only(api: Api) -> None:
    enforcement_row(api, TEAM, "closed", datetime(2025, 3, 3, 2, 0, tzinfo=UTC), days_to_close=10)
    enforcement_row(api, OTHER_TEAM, "notice", datetime(2025, 3, 4, 2, 0, tzinfo=UTC))
    own = api.get("/kpi/enforcement?period=2025-03", MEMBER)
    assert own.status_code == 200, own.json
    assert [r["team"] for r in own.json["teams"]] == [TEAM]
    assert own.json["teams"][0]["team_name"] == "芗城区城市管理综合执法大队"
    assert own.json["total"]["closed"] == own.json["teams"][0]["closed"] >= 1
    assert api.get(f"/kpi/enforcement?period=2025-03&team={TEAM}", MEMBER).status_code == 200
    error_of(api.get(f"/kpi/enforcement?period=2025-03&team={OTHER_TEAM}", MEMBER), 404)
    quiet = api.get("/kpi/enforcement?period=2001-01", MEMBER).json  # nothing transferred: still their row
    assert [(r["team"], r["transferred"]) for r in quiet["teams"]] == [(TEAM, 0)]
    every = {r["team"] for r in api.get("/kpi/enforcement?period=2025-03", "shiftlead01").json["teams"]}
    assert {TEAM, OTHER_TEAM} <= every
    for refused in ("collector001", "seat01", "designer01"):
        error_of(api.get("/kpi/enforcement", refused), 403)


def test_a_bad_period_or_team_is_refused_naming_its_field(api: Api) -> None:
    for query, field in {"period=2025-13": "period", "period=last": "period", "team=a%20b": "team",
                         "colour=red": "colour", "period=2025-03-02..2025-03-01": "period",
                         "period=2020-01-01..2024-12-31": "period", "period=2024-01-01..2025-01-01": "period"}.items():
        assert set(error_of(api.get(f"/kpi/enforcement?{query}", "supervisor01"), 422)["fields"]) == {field}, query


def test_the_kpi_page_shows_the_teams_and_is_linked_from_the_ranking(api: Api) -> None:
    marker = tag()
    _team_a(api, f"P{marker}")
    lead = Browser(api, "shiftlead01")
    assert 'id="kpi-enforcement-link"' in lead.get("/kpi").text
    page = lead.get("/kpi/enforcement?period=2025-01")
    assert page.status_code == 200 and 'id="kpi-enforcement"' in page.text
    assert f'data-team="P{marker}"' in page.text and "1700.25" in page.text and "25.0%" in page.text
    bad = lead.get("/kpi/enforcement?period=2025-13")
    assert bad.status_code == 400 and 'data-field="period"' in bad.text
    five_years = lead.get("/kpi/enforcement?period=2020-01-01..2024-12-31")
    assert five_years.status_code == 400 and "366" in five_years.text
    assert lead.get("/kpi/enforcement?period=2024-01-01..2024-12-31").status_code == 200  # a leap year's 366 days
    member = Browser(api, MEMBER).get("/kpi/enforcement?period=2025-01")
    assert member.status_code == 200 and f'data-team="{TEAM}"' in member.text
    assert f'data-team="P{marker}"' not in member.text
    assert Browser(api, "collector001").get("/kpi/enforcement").status_code == 403
