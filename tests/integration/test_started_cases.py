"""Every process's cases are first-class in the API and the pages (SQLite and PostgreSQL): whoever started a case of
a process sees it, its events and its page (我发起的 lists it); task lists name each task's process and filter by it;
the audit finder finds a non-lifecycle case by its process and its replay runs; ``POST /processes/{id}/cases`` and
``gridcase case start`` are idempotent with a key."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import ROOT, Api, error_of
from pages_support import Browser
from start_support import APPLICATION, INSPECTOR, PROCESS, REVIEWER, STARTER, deploy

EQUIPMENT = "equipment_request"  # the start fixture, started by a department's clerks
CLERK, OTHER_CLERK = "dept_350602d02_01", "dept_350602d05_01"
CLERK_STARTERS = '<spiffworkflow:property name="candidateStarterGroups" value="350602-D02"/>'
NAME = "占道施工申请 (Road occupation permit)"  # the fixture's process name, as its BPMN gives it


def count_cases(api: Api, process_id: str) -> int:
    engine = sa.create_engine(api.url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM cases WHERE process_id = :p"),
                                    {"p": process_id}).scalar_one())
    finally:
        engine.dispose()


def start(api: Api, user: str, data: Any = APPLICATION, process_id: str = PROCESS, key: str | None = None) -> Any:
    headers = {**api.headers(user), **({"Idempotency-Key": key} if key is not None else {})}
    return api.client.post(f"/api/v1/processes/{process_id}/cases", json={"data": data}, headers=headers)


def test_a_clerk_who_started_a_case_sees_it_its_events_and_its_page_and_lists_it(api: Api) -> None:
    deploy(api, EQUIPMENT, CLERK_STARTERS)
    started = start(api, CLERK, process_id=EQUIPMENT)
    assert started.status_code == 201, started.json
    case_no = started.json["case_no"]
    assert started.json["tasks"][0]["candidate_group"] == "shift_lead"  # nothing of it is the clerk's to work
    seen = api.get(f"/cases/{case_no}", CLERK)
    assert seen.status_code == 200, seen.json
    assert seen.json["process_id"] == EQUIPMENT
    events = api.get(f"/cases/{case_no}/events", CLERK)
    assert events.status_code == 200 and events.json["events"][0]["actor"] == CLERK
    assert api.get(f"/cases/{case_no}/diagram", CLERK).status_code == 200
    for other in (OTHER_CLERK, "collector001"):  # the same role, not the starter: not revealed
        assert api.get(f"/cases/{case_no}", other).status_code == 404
        assert api.get(f"/cases/{case_no}/events", other).status_code == 404
    clerk = Browser(api, CLERK)
    assert clerk.get(f"/cases/{case_no}").status_code == 200
    assert Browser(api, OTHER_CLERK).get(f"/cases/{case_no}").status_code == 404
    queue = clerk.get("/queue").text
    assert 'href="/started"' in queue and "我发起的" in queue
    mine = clerk.get("/started")
    assert mine.status_code == 200
    assert re.search(rf'data-process="{EQUIPMENT}">\s*<td><a href="/cases/{case_no}">', mine.text), mine.text
    assert case_no not in Browser(api, OTHER_CLERK).get("/started").text


def test_every_start_path_records_its_starter(api: Api) -> None:
    deploy(api)
    by_api = start(api, STARTER).json["case_no"]
    seat = Browser(api, STARTER)
    seat.get("/start")
    form = {"application.applicant": "漳州路桥公司", "application.road": "胜利西路", "application.days": "3"}
    by_page = seat.client.post(f"/start/{PROCESS}", data={**form, "csrf_token": seat.token})
    assert by_page.status_code == 302, by_page.text
    page_no = by_page.headers["Location"].rsplit("/", 1)[-1]
    cli = subprocess.run([sys.executable, "-m", "cli", "--database-url", api.url, "case", "start", PROCESS,
                          "--data", json.dumps(APPLICATION), "--as", REVIEWER], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=False)
    assert cli.returncode == 0, cli.stderr
    report = api.new_case("seat01")
    starters = {no: api.get(f"/cases/{no}/events", "admin").json["events"][0]["actor"]
                for no in (by_api, page_no, cli.stdout.split()[2], report)}
    assert list(starters.values()) == [STARTER, STARTER, REVIEWER, "seat01"]
    engine = sa.create_engine(api.url)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT s.case_no, c.started_by FROM cases c JOIN case_summaries s"
                                             " ON s.case_id = c.id WHERE s.case_no IN (:a, :b, :c, :d)"),
                                     dict(zip("abcd", starters, strict=True))).all())
    finally:
        engine.dispose()
    assert rows == starters


def test_the_same_idempotency_key_returns_the_first_case(api: Api) -> None:
    deploy(api)
    before = count_cases(api, PROCESS)
    first = start(api, STARTER, key="order-4711")
    assert first.status_code == 201, first.json
    again = start(api, STARTER, key="order-4711")
    assert again.status_code == 200, again.json
    assert again.json == first.json
    assert count_cases(api, PROCESS) == before + 1
    other_data = start(api, STARTER, {"application": {**APPLICATION["application"], "days": 4}}, key="order-4711")
    assert "idempotency_key" in error_of(other_data, 409)["fields"]
    assert first.json["case_no"] in error_of(other_data, 409)["message"]
    other_user = start(api, REVIEWER, key="order-4711")  # keys are per account
    assert other_user.status_code == 201 and other_user.json["case_no"] != first.json["case_no"]
    assert start(api, STARTER, key="order-4712").json["case_no"] != first.json["case_no"]
    longest = start(api, STARTER, key="~ " + "y" * 198)  # 200 printable characters are a key
    assert longest.status_code == 201 and start(api, STARTER, key="~ " + "y" * 198).status_code == 200
    assert count_cases(api, PROCESS) == before + 4
    verified = api.post(f"/cases/{first.json['case_no']}/replay/verify", "auditor01")  # a keyed start re-runs too
    assert verified.status_code == 200 and verified.json["verified"], verified.json


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there", "换行"])
def test_a_bad_idempotency_key_is_400_naming_the_header_and_nothing_starts(api: Api, key: str) -> None:
    deploy(api)
    before = count_cases(api, PROCESS)
    headers = {**api.headers(STARTER), "Idempotency-Key": key.encode("utf-8").decode("latin-1")}
    refused = api.client.post(f"/api/v1/processes/{PROCESS}/cases", json={"data": APPLICATION}, headers=headers)
    assert "Idempotency-Key" in error_of(refused, 400)["fields"]
    assert count_cases(api, PROCESS) == before


def test_the_command_line_start_is_idempotent_with_a_key(api: Api) -> None:
    deploy(api)
    before = count_cases(api, PROCESS)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "--database-url", api.url, "case", "start", PROCESS,
                               "--as", STARTER, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              check=False)

    first = run("--data", json.dumps(APPLICATION), "--idempotency-key", "batch-7")
    assert first.returncode == 0 and first.stdout.startswith("started case "), first.stderr
    again = run("--data", json.dumps(APPLICATION), "--idempotency-key", "batch-7")
    assert again.returncode == 0 and again.stdout.startswith("already started case "), again.stderr
    assert again.stdout.split()[3] == first.stdout.split()[2]
    changed = run("--data", json.dumps({"application": {**APPLICATION["application"], "days": 9}}),
                  "--idempotency-key", "batch-7")
    assert changed.returncode == 1 and "other start data" in changed.stderr
    bad = run("--data", json.dumps(APPLICATION), "--idempotency-key", "x" * 201)
    assert bad.returncode == 1 and "--idempotency-key must be at most 200" in bad.stderr
    assert count_cases(api, PROCESS) == before + 1
    # the API's key from the same account for the same process is the same key
    assert start(api, STARTER, key="batch-7").json["case_no"] == first.stdout.split()[2]


def test_task_lists_name_each_tasks_process_and_filter_by_it(api: Api) -> None:
    deploy(api)
    case_no = start(api, STARTER).json["case_no"]
    lifecycle = api.new_case()
    api.step(lifecycle, "verify_report", "collector001", {"verification": {"found": True}})
    listed = api.get("/tasks?limit=500", REVIEWER)
    assert listed.status_code == 200, listed.json
    by_case = {t["case_no"]: t for t in listed.json["tasks"]}
    assert (by_case[case_no]["process_id"], by_case[case_no]["process_name"]) == (PROCESS, NAME)
    assert by_case[lifecycle]["process_id"] == "case_lifecycle" and by_case[lifecycle]["process_name"]
    only = api.get(f"/tasks?process={PROCESS}&limit=500", REVIEWER).json
    assert {t["process_id"] for t in only["tasks"]} == {PROCESS} and case_no in {t["case_no"] for t in only["tasks"]}
    assert only["total"] == len(only["tasks"])
    for bad in ("no_such_process", "not a process!"):
        refused = api.get(f"/tasks?process={bad}", REVIEWER)
        assert "process" in error_of(refused, 422)["fields"]
    inbox = Browser(api, REVIEWER)
    page = inbox.get("/inbox").text
    assert re.search(rf'{case_no}</a></td>\s*<td class="process" data-process="{PROCESS}">{re.escape(NAME)}</td>', page)
    assert f'<option value="{PROCESS}"' in page
    filtered = inbox.get(f"/inbox?process={PROCESS}").text
    assert case_no in filtered and lifecycle not in filtered
    assert f'<option value="{PROCESS}" selected' in filtered
    assert lifecycle in inbox.get(f"/inbox/rows?process={PROCESS}x").text  # an unknown one is left out


def test_the_audit_finder_finds_a_process_cases_and_replays_one(api: Api) -> None:
    deploy(api)
    case_no = start(api, STARTER).json["case_no"]
    api.step(case_no, "review_application", REVIEWER, {"review": {"approved": True, "note": "同意"}})
    api.step(case_no, "inspect_site", INSPECTOR, {"inspection": {"compliant": True}})
    lifecycle = api.new_case()
    found = api.get(f"/audit/cases?process={PROCESS}&per_page=200", "auditor01")
    assert found.status_code == 200, found.json
    rows = {c["case_no"]: c for c in found.json["cases"]}
    assert case_no in rows and lifecycle not in rows
    assert {c["process_id"] for c in rows.values()} == {PROCESS}
    assert rows[case_no]["status"] == "completed" and rows[case_no]["department"] is None
    refused = api.get("/audit/cases?process=no_such_process", "auditor01")
    assert "process" in error_of(refused, 422)["fields"]
    auditor = Browser(api, "auditor01")
    page = auditor.get(f"/audit?process={PROCESS}&per_page=200")
    assert page.status_code == 200
    assert re.search(rf'{case_no}</a></td>\s*<td class="process">{re.escape(NAME)}</td>', page.text)
    assert lifecycle not in page.text and f'<option value="{PROCESS}" selected' in page.text
    assert auditor.get("/audit?process=no_such_process").status_code == 400

    replayed = api.get(f"/cases/{case_no}/replay", "auditor01")
    assert replayed.status_code == 200, replayed.json
    body = replayed.json
    assert body["status"] == "completed" and body["process"]["process_id"] == PROCESS
    assert f'id="{PROCESS}"' in body["process"]["bpmn"]
    frames = body["frames"]
    assert [f["seq"] for f in frames] == [e["seq"] for e in body["events"]]
    assert frames[0]["event_type"] == "case_started" and frames[0]["actor"] == STARTER
    assert [f["actor"] for f in frames if f["event_type"] == "task_completed"] == [REVIEWER, INSPECTOR]
    reviewing = next(f for f in frames if f["event_type"] == "task_ready" and f["bpmn_id"] == "inspect_site")
    assert "inspect_site" in reviewing["active"] and "review_application" in reviewing["completed"]
    assert frames[-1]["active"] == [] and frames[-1]["light"] is None
    verified = api.post(f"/cases/{case_no}/replay/verify", "auditor01")
    assert verified.status_code == 200 and verified.json["verified"], verified.json
    replay_page = auditor.get(f"/audit/cases/{case_no}")
    assert replay_page.status_code == 200 and f"· {PROCESS}</small>" in replay_page.text
    assert f"/ {len(frames)}</span>" in replay_page.text  # a step of the timeline per event
