"""Emergency command over the API on both databases (应急指挥): declared through ``POST /emergencies`` (the city's
typhoon defaults call ~140 people), the calls written for the right people, their notifications (urgent, to each
person), acknowledgement and check-in by the called person only, escalation to leader and commander after 20
minutes of the clock (the timer fired through the scheduler's command path), the end, and refusals naming the field
with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import ROOT, Api, error_of
from duplicates_support import clocked_api
from pages_support import Browser

from city.emergency.handlers import city_defaults
from city.package.export import export_package
from engine.connectors.base import ConnectorSettings
from engine.scheduling.connectors import ConnectorLoop
from engine.scheduling.scheduler import TimerScheduler

TEAM = {"name": "生态环境局 C12", "departments": ["C12"], "leader": "dept_c12_01"}
C12 = {"dept_c12_01", "dept_c12_02", "dept_c12_03", "dept_c12_04"}
CALL_CASES = "SELECT id FROM cases WHERE channel = 'assembly' AND external_id LIKE :key"  # one case per person


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from clocked_api(city, tmp_path)


def body(api: Api, **overrides: Any) -> dict[str, Any]:
    now = api.clock.now()  # type: ignore[attr-defined]
    base = {"kind": "typhoon", "level": "II", "area": {"districts": ["350602"]}, "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(), "commander": "supervisor01", "teams": [TEAM],
            "name": "台风 杜鹃", "ack_within_minutes": 20}
    return {**base, **overrides}


def send(api: Api) -> int:
    total = 0
    while (done := ConnectorLoop(api.bus, ConnectorSettings()).run_once()) > 0:
        total += done
    return total


def sql(api: Api, text: str, **params: Any) -> list[Any]:
    import sqlalchemy as sa

    with api.deps.db.connect() as conn:
        return list(conn.execute(sa.text(text), params))


def test_declare_call_acknowledge_check_in_escalate_and_end(api: Api) -> None:
    declared = api.post("/emergencies", "shiftlead01", body(api))
    assert declared.status_code == 201, declared.json
    emergency_id = declared.json["id"]
    assert declared.json["case_no"]
    assert send(api) == len(C12)  # each person's assembly_call case tells them
    notes = sql(api, "SELECT recipient_kind, recipient, urgency, data FROM notifications WHERE kind = 'assembly'"
                     f" AND case_id IN ({CALL_CASES})", key=f"{emergency_id}:%")
    assert sorted((n.recipient_kind, n.recipient, n.urgency) for n in notes) == sorted(
        ("person", name, "urgent") for name in C12)
    assert all(json.loads(n.data)["link"] == f"/emergencies/{emergency_id}/assembly/me" for n in notes)
    assembly = api.get(f"/emergencies/{emergency_id}/assembly", "supervisor01").json
    (team,) = assembly["teams"]
    assert (team["team"], team["called"]) == (TEAM["name"], 4)
    assert {c["username"] for c in team["calls"]} == C12

    # only the called person answers their own call
    assert api.post(f"/emergencies/{emergency_id}/acknowledge", "dept_c03_01").status_code == 404
    ack = api.post(f"/emergencies/{emergency_id}/acknowledge", "dept_c12_02")
    assert ack.status_code == 200, ack.json
    assert ack.json["call"]["state"] == "acknowledged"
    bad = api.post(f"/emergencies/{emergency_id}/check-in", "dept_c12_02", {"lon": "east", "lat": 24.5})
    assert error_of(bad, 422)["fields"] == {"lon": "must be a number"} or "lon" in json.dumps(bad.json)
    checked = api.post(f"/emergencies/{emergency_id}/check-in", "dept_c12_02", {"lon": 117.65, "lat": 24.51})
    assert checked.status_code == 200 and checked.json["call"]["state"] == "checked_in"

    api.clock.advance(timedelta(minutes=20))  # type: ignore[attr-defined]
    fired = TimerScheduler(api.bus).fire_due()
    assert len(fired) == 3
    send(api)
    calls = {c["username"]: c["state"] for c in api.get(f"/emergencies/{emergency_id}/assembly",
                                                        "supervisor01").json["teams"][0]["calls"]}
    assert calls == {"dept_c12_01": "escalated", "dept_c12_02": "checked_in", "dept_c12_03": "escalated",
                     "dept_c12_04": "escalated"}
    told = sql(api, "SELECT recipient, data FROM notifications WHERE kind = 'assembly'"
                    f" AND case_id IN ({CALL_CASES}) AND data LIKE '%escalated%'", key=f"{emergency_id}:%")
    assert {(t.recipient, json.loads(t.data)["username"]) for t in told} == {
        ("supervisor01", "dept_c12_01"), ("dept_c12_01", "dept_c12_03"), ("supervisor01", "dept_c12_03"),
        ("dept_c12_01", "dept_c12_04"), ("supervisor01", "dept_c12_04")}

    assert api.post(f"/emergencies/{emergency_id}/end", "dispatcher01").status_code == 403
    ended = api.post(f"/emergencies/{emergency_id}/end", "supervisor01", {"summary": "台风过境"})
    assert ended.status_code == 200 and ended.json["state"] == "ended"
    listed = api.get("/emergencies?state=ended", "auditor01").json["emergencies"]
    assert emergency_id in {e["id"] for e in listed}
    assert api.post(f"/emergencies/{emergency_id}/acknowledge", "dept_c12_01").status_code == 422


@pytest.mark.parametrize(("override", "field"), [
    ({"kind": "meteor"}, "kind"), ({"level": "V"}, "level"), ({"area": {"districts": []}}, "area"),
    ({"commander": "nobody-here"}, "commander"), ({"ack_within_minutes": 0}, "ack_within_minutes"),
    ({"starts_at": "tomorrow"}, "starts_at"),
])
def test_a_bad_declaration_is_422_naming_the_field_and_writes_nothing(api: Api, override: dict[str, Any],
                                                                      field: str) -> None:
    before = sql(api, "SELECT COUNT(*) AS n FROM cases")[0].n, sql(api, "SELECT COUNT(*) AS n FROM emergencies")[0].n
    refused = api.post("/emergencies", "supervisor01", body(api, **override))
    assert refused.status_code == 422, refused.json
    assert field in json.dumps(refused.json.get("fields") or refused.json)
    after = sql(api, "SELECT COUNT(*) AS n FROM cases")[0].n, sql(api, "SELECT COUNT(*) AS n FROM emergencies")[0].n
    assert after == before


def test_the_city_defaults_call_its_typhoon_teams(api: Api) -> None:
    declared = api.post("/emergencies", "supervisor01", {k: v for k, v in body(api).items() if k != "teams"})
    assert declared.status_code == 201, declared.json
    calls = api.get(f"/emergencies/{declared.json['id']}/assembly", "shiftlead01").json
    assert calls["totals"]["called"] >= 140
    names = {c["username"]: c for t in calls["teams"] for c in t["calls"]}
    assert names["collector001"]["leader"] == "shiftlead01" and names["dept_c03_02"]["leader"] == "dept_c03_01"


def test_the_defaults_are_the_loaded_citys_and_its_export_gives_them_back(api: Api, tmp_path: Path,
                                                                         make_bus: Any) -> None:
    source = json.loads((ROOT / "config" / "city" / "zhangzhou" / "emergency_defaults.json").read_text("utf-8"))
    assert city_defaults(api.deps) == source
    export_package(api.deps, tmp_path / "city")
    assert json.loads((tmp_path / "city" / "emergency_defaults.json").read_text("utf-8")) == source
    assert city_defaults(make_bus().deps) == {"teams": [], "ack_within_minutes": 20}  # a city loaded without them


def gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "emergency", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_declares_shows_and_ends_with_the_same_refusals(api: Api, tmp_path: Path) -> None:
    teams_file = tmp_path / "emergency_teams.json"
    teams_file.write_text(json.dumps([TEAM]), encoding="utf-8")
    args = ["declare", "--kind", "flood", "--level", "III", "--districts", "350603", "--starts",
            "2026-12-08T08:00:00+08:00", "--ends", "2026-12-09T08:00:00+08:00", "--commander", "supervisor01",
            "--teams-file", str(teams_file)]
    refused = gridcase(api.url, *args[:4], "IX", *args[5:], "--as", "shiftlead01")
    assert refused.returncode == 1 and "level" in refused.stderr
    assert gridcase(api.url, *args, "--as", "dispatcher01").returncode == 1  # not a starter
    done = gridcase(api.url, *args, "--as", "shiftlead01")
    assert done.returncode == 0, done.stderr
    emergency_id = done.stdout.split()[2]
    shown = gridcase(api.url, "status", emergency_id, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["kind"] == "flood"
    assert gridcase(api.url, "end", emergency_id, "--as", "dispatcher01").returncode == 1
    ended = gridcase(api.url, "end", emergency_id, "--as", "supervisor01")
    assert ended.returncode == 0, ended.stderr
    assert json.loads(gridcase(api.url, "status", emergency_id, "--json").stdout)["state"] == "ended"


def test_the_pages_declare_and_a_called_person_acknowledges_and_checks_in(api: Api) -> None:
    lead = Browser(api, "shiftlead01")
    listed = lead.get("/emergencies")
    assert listed.status_code == 200 and 'id="declare-emergency"' in listed.text
    now = api.clock.now()  # type: ignore[attr-defined]
    form = {"kind": "rainstorm", "level": "IV", "districts": "350690", "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=6)).isoformat(), "commander": "supervisor01", "ack_within_minutes": "20",
            "csrf_token": lead.token}
    bad = lead.client.post("/emergencies", data={**form, "level": "V"})
    assert bad.status_code == 422 and "level" in bad.text
    done = lead.client.post("/emergencies", data=form)
    assert done.status_code == 302, done.text
    emergency_id = int(done.headers["Location"].rstrip("/").split("/")[-2])
    assert "assembly-teams" in lead.get(f"/emergencies/{emergency_id}/assembly").text
    send(api)
    called = sql(api, "SELECT username FROM assembly_calls WHERE emergency_id = :id AND role = 'collector'",
                 id=emergency_id)[0].username
    assert Browser(api, "dispatcher01").get(f"/emergencies/{emergency_id}/assembly/me").status_code == 404
    phone = Browser(api, called)
    page = phone.get(f"/emergencies/{emergency_id}/assembly/me")
    assert page.status_code == 200 and 'id="acknowledge"' in page.text
    acked = phone.client.post(f"/emergencies/{emergency_id}/assembly/me",
                              data={"action": "acknowledge", "csrf_token": phone.token})
    assert acked.status_code == 302
    page = phone.get(f"/emergencies/{emergency_id}/assembly/me")
    assert 'id="check-in"' in page.text
    missing = phone.client.post(f"/emergencies/{emergency_id}/assembly/me",
                                data={"action": "check_in", "lon": "", "lat": "24.5", "csrf_token": phone.token})
    assert missing.status_code == 422 and "lon" in missing.text
    checked = phone.client.post(f"/emergencies/{emergency_id}/assembly/me",
                                data={"action": "check_in", "lon": "117.6", "lat": "24.5", "csrf_token": phone.token})
    assert checked.status_code == 302
    assert 'id="checked-in"' in phone.get(f"/emergencies/{emergency_id}/assembly/me").text
