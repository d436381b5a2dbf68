"""Enforcement records on both databases (智慧执法): the search's filters (number, party name or id, team, stage,
subtype, legal basis, days of transfer, fine), its paging and order, one record with its milestones and cases, who
reads what (a department member their own team's only; 403 for those without READ_ENFORCEMENT; 404 for an unknown
record), the refusals naming their field — through the API, the pages and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from api_support import Api, error_of
from enforcement_support import enforcement_row, tag
from pages_support import Browser

from engine.domain.city_zone import city_zone

ROOT = Path(__file__).resolve().parents[2]
TEAM = "350602-D03"  # 芗城区城市管理综合执法大队 (the team of district 350602, where api.new_case reports)
MEMBER_OF_TEAM = "dept_350602d03_03"
DAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in the city


def _ids(response: object) -> list[int]:
    body = response.json  # type: ignore[attr-defined]
    return [r["id"] for r in body["records"]]


def _rows(api: Api, marker: str) -> dict[str, dict[str, object]]:
    """Five records of a team of the test's own, a day apart, the newest last."""
    team = f"T{marker}"
    return {
        "fined": enforcement_row(api, team, "closed", DAY, number=f"漳城执罚〔2026〕{marker}1号",
                                 party_name=f"漳州{marker}建材有限公司", party_kind="organisation",
                                 party_id=f"91350600{marker}X", legal_basis="《城市市容和环境卫生管理条例》第三十六条",
                                 penalty_kind="fine", fine_amount=Decimal("1500.50"), subtype_code="0601"),
        "warned": enforcement_row(api, team, "service", DAY + timedelta(days=1), number=f"漳城执罚〔2026〕{marker}2号",
                                  party_name=f"林{marker}", party_kind="person", party_id=f"350602199001{marker}",
                                  legal_basis="《福建省城市市容和环境卫生管理办法》第十条", penalty_kind="warning",
                                  subtype_code="0602"),
        "refused": enforcement_row(api, team, "refused", DAY + timedelta(days=2), party_name=f"王{marker}"),
        "filing": enforcement_row(api, team, "filing", DAY + timedelta(days=3)),
        "investigating": enforcement_row(api, team, "investigation", DAY + timedelta(days=4),
                                         number=f"漳城执罚〔2026〕{marker}5号", party_name=f"漳州{marker}运输公司"),
    }


def test_the_search_filters_pages_and_orders_the_records(api: Api) -> None:
    marker = tag()
    made = _rows(api, marker)
    ids = {name: int(row["id"]) for name, row in made.items()}  # type: ignore[call-overload]
    base = f"/enforcement/cases?team=T{marker}"

    everything = api.get(base, "shiftlead01")
    assert everything.status_code == 200, everything.json
    assert everything.json["total"] == 5
    assert _ids(everything) == [ids[n] for n in ("investigating", "filing", "refused", "warned", "fined")]
    searches = {
        f"&number={marker}2": ["warned"],
        "&number=" + "漳城执罚": ["investigating", "warned", "fined"],
        f"&party=漳州{marker}": ["investigating", "fined"],
        f"&party=91350600{marker}": ["fined"],  # the party's id (统一社会信用代码)
        "&party=199001": ["warned"],
        "&legal_basis=第三十六条": ["fined"],
        "&legal_basis=市容": ["warned", "fined"],
        "&stage=refused": ["refused"],
        "&subtype=0602": ["warned"],
        "&has_fine=true": ["fined"],
        "&has_fine=false": ["investigating", "filing", "refused", "warned"],
        "&from=2026-03-11&to=2026-03-12": ["refused", "warned"],  # days of transfer, both included
        "&from=2026-03-14": ["investigating"],
        "&party=100%25": [],  # LIKE's wildcards are text
        "&party=_": [],
    }
    for query, expected in searches.items():
        found = api.get(base + query, "auditor01")
        assert found.status_code == 200, (query, found.json)
        assert _ids(found) == [ids[n] for n in expected], query
        assert found.json["total"] == len(expected), query

    first = api.get(base + "&per_page=2", "admin").json
    second = api.get(base + "&per_page=2&page=2", "admin").json
    last = api.get(base + "&per_page=2&page=3", "admin").json
    assert (first["pages"], first["total"]) == (3, 5)
    assert [r["id"] for r in first["records"] + second["records"] + last["records"]] == _ids(everything)
    assert api.get(base + "&page=9", "admin").json["records"] == []
    assert first["filters"] == {"team": f"T{marker}", "page": 1, "per_page": 2}


def test_one_record_shows_its_milestones_party_decision_and_cases(api: Api) -> None:
    marker = tag()
    row = _rows(api, marker)["fined"]
    found = api.get(f"/enforcement/cases/{row['id']}", "supervisor01")
    assert found.status_code == 200, found.json
    record = found.json
    assert (record["case_no"], record["origin_case_no"]) == (row["case_no"], row["origin_case_no"])
    assert record["fine_amount"] == "1500.50" and record["penalty_kind"] == "fine"
    assert record["party_id"] == f"913506{'*' * (len(marker) - 1)}{marker[-3:]}X"  # a centre role: masked
    assert record["stage"] == "closed"
    assert record["team"] == f"T{marker}" and record["team_name"] == f"T{marker}"  # no such department: its code
    assert [m["milestone"] for m in record["milestones"]] == ["transferred", "filed", "decided", "served",
                                                              "executed", "closed"]
    assert record["milestones"][0]["at"] == DAY.isoformat()
    assert record["milestones"][-1]["at"] == (DAY + timedelta(days=5)).isoformat()
    error_of(api.get("/enforcement/cases/987654321", "supervisor01"), 404)


def test_a_department_member_reads_their_own_teams_records_only(api: Api) -> None:
    marker = tag()
    own = enforcement_row(api, TEAM, "investigation", DAY, party_name=f"陈{marker}")
    other = enforcement_row(api, "350603-D03", "investigation", DAY, party_name=f"陈{marker}")
    member = "dept_350602d03_01"
    listed = api.get(f"/enforcement/cases?party=陈{marker}", member)
    assert listed.status_code == 200 and _ids(listed) == [own["id"]]
    assert listed.json["records"][0]["team_name"] == "芗城区城市管理综合执法大队"
    assert api.get(f"/enforcement/cases?party=陈{marker}&team=350603-D03", member).json["total"] == 0
    assert api.get(f"/enforcement/cases/{own['id']}", member).status_code == 200
    error_of(api.get(f"/enforcement/cases/{other['id']}", member), 404)
    assert _ids(api.get(f"/enforcement/cases?party=陈{marker}", "dispatcher01")) == [other["id"], own["id"]]
    for refused in ("collector001", "designer01"):
        error_of(api.get("/enforcement/cases", refused), 403)
        error_of(api.get(f"/enforcement/cases/{own['id']}", refused), 403)


def test_bad_filters_are_refused_naming_their_field(api: Api) -> None:
    refusals = {"stage=archived": "stage", "from=2026-03-12&to=2026-03-11": "to", "from=2026-13-01": "from",
                "per_page=0": "per_page", "per_page=101": "per_page", "page=0": "page", "has_fine=maybe": "has_fine",
                "team=a%20b": "team", "colour=red": "colour", "number=" + "9" * 61: "number"}
    for query, field in refusals.items():
        assert set(error_of(api.get(f"/enforcement/cases?{query}", "shiftlead01"), 422)["fields"]) == {field}, query


def test_the_pages_show_the_search_and_the_record(api: Api) -> None:
    marker = tag()
    made = _rows(api, marker)
    lead = Browser(api, "shiftlead01")
    page = lead.get(f"/enforcement?team=T{marker}&has_fine=true")
    assert page.status_code == 200 and 'id="enforcement-results"' in page.text
    assert f'data-enforcement="{made["fined"]["id"]}"' in page.text
    assert f'data-enforcement="{made["warned"]["id"]}"' not in page.text
    assert 'id="nav-enforcement"' in page.text
    bad = lead.get(f"/enforcement?team=T{marker}&stage=archived&from=nope")
    assert bad.status_code == 422 and 'data-field="stage"' in bad.text and 'data-field="from"' in bad.text
    record = lead.get(f"/enforcement/{made['fined']['id']}")
    assert record.status_code == 200 and "1500.50" in record.text
    assert f'/cases/{made["fined"]["case_no"]}"' in record.text
    assert f'/cases/{made["fined"]["origin_case_no"]}"' in record.text
    assert lead.get("/enforcement/987654321").status_code == 404
    member = Browser(api, "dept_350602d03_01")
    assert member.get(f"/enforcement/{made['fined']['id']}").status_code == 404
    collector = Browser(api, "collector001")
    assert collector.get("/enforcement").status_code == 403
    assert 'id="nav-enforcement"' not in collector.get("/").text


def _cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", api.url, "enforcement", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_lists_and_shows_records(api: Api) -> None:
    marker = tag()
    made = _rows(api, marker)
    listed = _cli(api, "list", "--team", f"T{marker}", "--has-fine", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)["records"]] == [made["fined"]["id"]]
    table = _cli(api, "list", "--team", f"T{marker}", "--party", f"漳州{marker}")
    assert table.returncode == 0 and f"{marker}5号" in table.stdout and f"{marker}1号" in table.stdout
    shown = _cli(api, "show", str(made["warned"]["id"]), "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["party_name"] == f"林{marker}"
    missing = _cli(api, "show", "987654321")
    assert missing.returncode == 1 and "not found" in missing.stderr
    refused = _cli(api, "list", "--stage", "archived")
    assert refused.returncode == 2 and "stage" in refused.stderr


def test_a_transferred_case_is_found_and_its_filing_shows_its_number_party_and_kpis(api: Api) -> None:
    """The real path: 转执法 through the API, the team proposes filing, its leader approves — the step hook's row is
    what the search, the record and the KPIs read."""
    marker = tag()
    origin = api.new_case()
    moved = api.post(f"/cases/{origin}/enforcement", "dispatcher01", {"reason": f"拒不整改 {marker}"})
    assert moved.status_code == 201, moved.json
    enforcement_id, enforcement_case = moved.json["enforcement_id"], moved.json["enforcement_case_no"]
    waiting = api.get(f"/enforcement/cases/{enforcement_id}", "shiftlead01").json
    assert (waiting["stage"], waiting["team"], waiting["number"]) == ("filing", TEAM, None)
    assert (waiting["origin_case_no"], waiting["case_no"]) == (origin, enforcement_case)
    assert enforcement_id in _ids(api.get(f"/enforcement/cases?team={TEAM}&stage=filing&per_page=100", "admin"))

    api.step(enforcement_case, "propose_filing", "dept_350602d03_02", {"filing_proposal": {
        "party_name": f"漳州{marker}装饰工程有限公司", "party_kind": "organisation", "party_id": f"91350602{marker}",
        "facts": "建筑垃圾随意倾倒", "proposed_basis": "《城市建筑垃圾管理规定》第二十六条"}})
    api.step(enforcement_case, "approve_filing", "dept_350602d03_01", {"filing_review": {"decision": "approve"}})
    found = api.get(f"/enforcement/cases?party=91350602{marker}&number=执罚〔", MEMBER_OF_TEAM)
    assert found.status_code == 200 and _ids(found) == [enforcement_id], found.json
    filed = found.json["records"][0]
    assert filed["stage"] == "investigation" and filed["filed_at"] is not None
    assert filed["party_name"] == f"漳州{marker}装饰工程有限公司" and "执罚〔" in filed["number"]
    assert api.get(f"/enforcement/cases?number={filed['number']}", "auditor01").json["total"] == 1
    month = datetime.fromisoformat(filed["transferred_at"]).astimezone(city_zone()).strftime("%Y-%m")
    team = api.get(f"/kpi/enforcement?period={month}", MEMBER_OF_TEAM).json["teams"][0]
    assert team["team"] == TEAM and team["filed"] >= 1 and team["open"]["investigation"] >= 1


def test_party_ids_are_masked_and_not_searched_outside_the_team_auditors_and_admins(api: Api) -> None:
    """身份证号 / 统一社会信用代码 whole for the record's team, auditors and admins; the centre's roles see the first 6
    and last 4 characters and search parties by name only."""
    marker = tag()
    person_id = f"3506021990{marker[:4]}1234"
    own = enforcement_row(api, TEAM, "investigation", DAY, party_name=f"郑{marker}", party_kind="person",
                          party_id=person_id)
    masked = f"350602{'*' * (len(person_id) - 10)}1234"
    for reader in ("auditor01", "admin", "dept_350602d03_02"):
        assert api.get(f"/enforcement/cases/{own['id']}", reader).json["party_id"] == person_id, reader
        assert _ids(api.get(f"/enforcement/cases?party={person_id[4:14]}", reader)) == [own["id"]], reader
    for reader in ("supervisor01", "shiftlead01", "dispatcher01", "seat01"):
        shown = api.get(f"/enforcement/cases/{own['id']}", reader)
        assert shown.status_code == 200 and shown.json["party_id"] == masked, reader
        assert person_id not in shown.get_data(as_text=True)
        listed = api.get(f"/enforcement/cases?party=郑{marker}", reader)
        assert _ids(listed) == [own["id"]] and listed.json["records"][0]["party_id"] == masked, reader
        assert api.get(f"/enforcement/cases?party={person_id[4:14]}", reader).json["total"] == 0, reader
    page = Browser(api, "seat01").get(f"/enforcement/{own['id']}")
    assert page.status_code == 200 and masked in page.text and person_id not in page.text
    assert person_id in Browser(api, "auditor01").get(f"/enforcement/{own['id']}").text
