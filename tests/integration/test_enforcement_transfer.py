"""转执法 on SQLite and PostgreSQL: a case transferred through the API (TransferToEnforcement) starts its enforcement
case with the district's team, writes its enforcement_cases row and tells the case; who may not, an unknown case, a
missing reason, a second transfer while one is under way and a closed case are refused with nothing written. The
step hook keeps the row through the whole path (party, decision, stage times), gives the 文书号 when filing is
approved — numbered per team and year, each once — and at the end the result returns to the originating case (an
enforcement_concluded event in its chain) with the two cases linked both ways."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import Api, error_of, png_bytes
from pages_support import Browser

from engine.domain.city_zone import city_zone
from engine.persistence.enforcement_records import EnforcementCaseRecord
from engine.service.audit.replay import verify_case

ROOT = Path(__file__).resolve().parents[2]
DISPOSER = "dept_350602s07_01"  # 石亭街道 disposes the test point's 0601 cases
MEMBER, LEADER = "dept_350602d03_02", "dept_350602d03_01"  # 芗城区执法大队: a member and its leader (first member)
NUMBER = re.compile(r"^芗城执罚〔\d{4}〕(\d{5})号$")
PROPOSAL = {"filing_proposal": {"party_name": "漳州顺达渣土运输有限公司", "party_kind": "organisation",
                                "party_id": "91350600MA2XXXXX1K", "facts": "沿路抛洒渣土",
                                "proposed_basis": "《城市市容和环境卫生管理条例》第十五条"}}
APPROVE = {"decision": "approve"}


def _rows(api: Api, **where: Any) -> list[dict[str, Any]]:
    table = EnforcementCaseRecord.__table__
    query = sa.select(table).order_by(table.c.id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with api.deps.db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _sql(api: Api, statement: str, **params: Any) -> list[sa.Row]:
    with api.deps.db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def _transfer(api: Api, case_no: str, user: str, body: Any = None) -> Any:
    return api.post(f"/cases/{case_no}/enforcement", user, {"reason": "多次抛洒，需立案处罚"} if body is None else body)


def _origin_events(api: Api, case_no: str, kind: str) -> list[dict[str, Any]]:
    rows = _sql(api, "SELECT e.data FROM case_events e JOIN case_summaries s ON s.case_id = e.case_id"
                " WHERE s.case_no = :no AND e.event_type = :kind ORDER BY e.seq", no=case_no, kind=kind)
    return [json.loads(r.data) for r in rows]


def _file(api: Api, enforcement_no: str) -> None:
    api.step(enforcement_no, "propose_filing", MEMBER, PROPOSAL)
    api.step(enforcement_no, "approve_filing", LEADER, {"filing_review": APPROVE})


def test_transfer_refusals_write_nothing(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    for user in ("seat01", "collector001", "auditor01"):  # not the centre's transferring roles
        assert error_of(_transfer(api, case_no, user), 403)
    assert "department" in error_of(_transfer(api, case_no, "dept_c01_01"), 403)["message"]  # not disposing of it
    assert error_of(_transfer(api, case_no, "dispatcher01", {}), 422)["fields"] == {
        "reason": "the reason (a text) is needed (移送理由)"}
    assert "reason" in error_of(_transfer(api, case_no, "dispatcher01", {"reason": "  "}), 422)["fields"]
    assert error_of(_transfer(api, "ZZ20990101999999", "dispatcher01"), 404)
    assert _rows(api, origin_case_id=_case_id(api, case_no)) == []
    assert _origin_events(api, case_no, "enforcement_transferred") == []


def test_the_disposing_department_transfers_once(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    response = _transfer(api, case_no, DISPOSER)
    assert response.status_code == 201, response.json
    result = response.json
    assert (result["case_no"], result["team"]) == (case_no, "350602-D03")
    (row,) = _rows(api, id=result["enforcement_id"])
    assert (row["stage"], row["team"], row["subtype_code"], row["district_code"]) == (
        "filing", "350602-D03", "0601", "350602")
    assert (row["transferred_by"], row["summary"], row["number"]) == (DISPOSER, "多次抛洒，需立案处罚", None)
    (told,) = _origin_events(api, case_no, "enforcement_transferred")
    assert told == {"enforcement_case": result["enforcement_case_no"], "reason": "多次抛洒，需立案处罚",
                    "team": "350602-D03"}
    conflict = error_of(_transfer(api, case_no, "dispatcher01"), 409)
    assert "under way" in conflict["message"]
    assert len(_rows(api, origin_case_id=row["origin_case_id"])) == 1
    task = api.task(result["enforcement_case_no"], "propose_filing", MEMBER)
    assert task["candidate_group"] == "350602-D03"
    # the case goes on while enforcement works, restored past the event its log gained
    api.step(case_no, "dispose_problem", DISPOSER, {"disposal": {"outcome": "disposed", "result": "已清理"}})
    assert api.task(case_no, "check_on_site", "collector001")["bpmn_id"] == "check_on_site"
    assert verify_case(api.deps, _case_id(api, case_no)).verified


def test_the_whole_path_returns_its_result(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    enforcement_no = _transfer(api, case_no, "dispatcher01").json["enforcement_case_no"]
    _file(api, enforcement_no)
    (row,) = _rows(api, case_id=_case_id(api, enforcement_no))
    assert row["stage"] == "investigation" and row["filed_at"] is not None
    assert NUMBER.match(row["number"]) and row["party_name"] == "漳州顺达渣土运输有限公司"
    photo = api.client.post(f"/api/v1/cases/{enforcement_no}/attachments", headers=api.headers(MEMBER),
                            data={"file": (io.BytesIO(png_bytes()), "scene.png")})
    assert photo.status_code == 201, photo.json
    api.step(enforcement_no, "investigate", MEMBER, {"investigation": {
        "site_notes": "现场道路约 30 米抛洒", "evidence": [photo.json["sha256"]]}})
    today = datetime.now(UTC).astimezone(city_zone()).date().isoformat()  # the notice and service are today's
    api.step(enforcement_no, "notify_party", MEMBER, {"notice": {"date": today, "method": "in_person"}})
    api.step(enforcement_no, "record_statement", MEMBER, {"statement": {"content": "无异议"}})
    api.step(enforcement_no, "decide_penalty", MEMBER, {"decision": {
        "legal_basis": "《城市市容和环境卫生管理条例》第三十四条", "penalty_kind": "fine", "fine_amount": 5000}})
    api.step(enforcement_no, "approve_decision", LEADER, {"decision_review": APPROVE})
    api.step(enforcement_no, "serve_decision", MEMBER, {"service": {"served_on": today, "method": "post"}})
    api.step(enforcement_no, "execute_decision", MEMBER, {"execution": {"result": "paid"}})
    assert _origin_events(api, case_no, "enforcement_concluded") == []
    api.step(enforcement_no, "close_enforcement", MEMBER, {"closing": {"summary": "罚款已缴纳"}})
    (row,) = _rows(api, case_id=_case_id(api, enforcement_no))
    assert (row["stage"], row["penalty_kind"], str(row["fine_amount"]), row["result"]) == (
        "closed", "fine", "5000.00", "paid")
    assert all(row[k] is not None for k in ("decided_at", "served_at", "executed_at", "closed_at"))
    (concluded,) = _origin_events(api, case_no, "enforcement_concluded")
    assert concluded == {"enforcement_case": enforcement_no, "number": row["number"], "stage": "closed",
                         "result": "paid", "penalty": "fine", "fine": "5000.00"}
    links = {(r.kind, r.case_id, r.linked_case_id) for r in _sql(api, "SELECT kind, case_id, linked_case_id"
                                                                  " FROM case_links WHERE kind LIKE '%enforcement%'")}
    origin_id, enforcement_id = _case_id(api, case_no), _case_id(api, enforcement_no)
    assert {("has_enforcement", origin_id, enforcement_id), ("enforcement_of", enforcement_id, origin_id)} <= links
    for case_id in (origin_id, enforcement_id):  # the origin's extra events replay as steps of their own
        assert verify_case(api.deps, case_id).verified
    again = _transfer(api, case_no, "dispatcher01")  # over: the case may go to enforcement again
    assert again.status_code == 201, again.json


def test_refused_filing_returns_and_numbers_are_unique(api: Api) -> None:
    refused_no, first_no, second_no = (api.new_case() for _ in range(3))
    started = {}
    for case_no in (refused_no, first_no, second_no):
        api.to_disposal(case_no)
        started[case_no] = _transfer(api, case_no, "supervisor01").json["enforcement_case_no"]
    api.step(started[refused_no], "propose_filing", MEMBER, PROPOSAL)
    api.step(started[refused_no], "approve_filing", LEADER, {"filing_review": {"decision": "refuse",
                                                                               "reason": "证据不足"}})
    (refused,) = _rows(api, case_id=_case_id(api, started[refused_no]))
    assert (refused["stage"], refused["result"], refused["number"]) == ("refused", "refused", None)
    (concluded,) = _origin_events(api, refused_no, "enforcement_concluded")
    assert (concluded["stage"], concluded["number"], concluded["fine"]) == ("refused", None, None)
    _file(api, started[first_no])
    _file(api, started[second_no])
    numbers = [_rows(api, case_id=_case_id(api, started[no]))[0]["number"] for no in (first_no, second_no)]
    sequence = [int(found.group(1)) for n in numbers if (found := NUMBER.match(n))]
    assert len(sequence) == 2 and sequence[1] == sequence[0] + 1
    taken = [r["number"] for r in _rows(api) if r["number"] is not None]
    assert len(taken) == len(set(taken))


def test_a_voided_case_is_not_transferred(api: Api) -> None:
    case_no = api.new_case()
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "void", "void_reason": "invalid"}})
    assert "only an open case" in error_of(_transfer(api, case_no, "shiftlead01"), 409)["message"]
    assert _origin_events(api, case_no, "enforcement_transferred") == []


def _case_id(api: Api, case_no: str) -> int:
    (row,) = _sql(api, "SELECT case_id FROM case_summaries WHERE case_no = :no", no=case_no)
    return int(row.case_id)


def _cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    """``gridcase enforcement …`` against the test's database, as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", api.url, "enforcement", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_command_line_transfers_and_refuses_alike(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    refused = _cli(api, "transfer", case_no, "--reason", "违法倾倒", "--as", "seat01")
    assert refused.returncode == 1 and "may not transfer" in refused.stderr
    blank = _cli(api, "transfer", case_no, "--reason", " ", "--as", "dispatcher01")
    assert blank.returncode == 1 and "reason:" in blank.stderr
    assert _rows(api, origin_case_id=_case_id(api, case_no)) == []
    done = _cli(api, "transfer", case_no, "--reason", "违法倾倒", "--as", "dispatcher01")
    assert done.returncode == 0, done.stderr
    assert f"case {case_no} transferred to enforcement" in done.stdout and "team 350602-D03" in done.stdout
    again = _cli(api, "transfer", case_no, "--reason", "违法倾倒", "--as", "dispatcher01")
    assert again.returncode == 1 and "case_no: " in again.stderr and "under way" in again.stderr
    (row,) = _rows(api, origin_case_id=_case_id(api, case_no))
    assert (row["transferred_by"], row["summary"]) == ("dispatcher01", "违法倾倒")


def test_the_case_page_button_transfers_for_who_may(api: Api) -> None:
    case_no = api.new_case()
    api.to_disposal(case_no)
    seat = Browser(api, "seat01").get(f"/cases/{case_no}")
    assert seat.status_code == 200 and "转执法" not in seat.text  # the button only for who may transfer
    disposer = Browser(api, DISPOSER)
    page = disposer.get(f"/cases/{case_no}")
    assert page.status_code == 200 and 'name="reason"' in page.text and "转执法" in page.text
    blank = disposer.client.post(f"/cases/{case_no}/enforcement", data={"reason": " ", "csrf_token": disposer.token},
                                 follow_redirects=True)
    assert blank.status_code == 200 and "未能转执法" in blank.text
    assert _rows(api, origin_case_id=_case_id(api, case_no)) == []
    done = disposer.client.post(f"/cases/{case_no}/enforcement", data={"reason": "违法倾倒",
                                                                       "csrf_token": disposer.token},
                                follow_redirects=True)
    assert done.status_code == 200 and "已转执法" in done.text
    (row,) = _rows(api, origin_case_id=_case_id(api, case_no))
    (enforcement_no,) = [r.case_no for r in _sql(api, "SELECT case_no FROM case_summaries WHERE case_id = :id",
                                                 id=row["case_id"])]
    after = disposer.get(f"/cases/{case_no}")
    assert enforcement_no in after.text and "立案审批" in after.text and 'name="reason"' not in after.text


def test_a_number_taken_meanwhile_is_taken_again(api: Api) -> None:
    """Another transaction holds the next 文书号 uncommitted while filing is approved: on PostgreSQL the approval's
    number waits on it and, once it commits, is refused as a duplicate and taken again from the new highest (the
    savepoint keeps the step's transaction); on SQLite the approval waits for the write lock and reads it after."""
    first_no, second_no = api.new_case(), api.new_case()
    started = {}
    for case_no in (first_no, second_no):
        api.to_disposal(case_no)
        started[case_no] = _transfer(api, case_no, "dispatcher01").json["enforcement_case_no"]
    api.step(started[first_no], "propose_filing", MEMBER, PROPOSAL)
    year = datetime.now(UTC).astimezone(city_zone()).year
    taken = [int(found.group(1)) for r in _rows(api) if r["number"] and (found := NUMBER.match(r["number"]))
             and str(year) in r["number"]]
    held = f"芗城执罚〔{year}〕{max(taken, default=0) + 1:05d}号"
    second_id = _case_id(api, started[second_no])
    outcome: list[Any] = []
    with api.deps.db.connect() as blocker:
        blocker.execute(sa.text("UPDATE enforcement_cases SET number = :n WHERE case_id = :id"),
                        {"n": held, "id": second_id})
        approval = threading.Thread(target=lambda: outcome.append(api.complete(
            api.task(started[first_no], "approve_filing", LEADER)["id"], {"filing_review": APPROVE}, LEADER)))
        approval.start()
        if api.url.startswith("postgresql"):
            _wait_for_a_lock_wait(api)
        blocker.commit()
    approval.join()
    assert outcome[0].status_code == 200, outcome[0].json
    (first,) = _rows(api, case_id=_case_id(api, started[first_no]))
    assert first["stage"] == "investigation"
    assert first["number"] == f"芗城执罚〔{year}〕{max(taken, default=0) + 2:05d}号"
    assert _rows(api, case_id=second_id)[0]["number"] == held


def _wait_for_a_lock_wait(api: Api) -> None:
    """Until some session of the database waits on a lock (the approval's number, on the held one)."""
    with api.deps.db.connect() as watcher:
        while not watcher.execute(sa.text(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'")).scalar_one():
            watcher.rollback()
            threading.Event().wait(0.05)


def test_a_case_closed_while_the_transfer_waits_is_not_transferred(api: Api) -> None:
    """Another transaction holds the case and closes it while the transfer waits for its lock: the transfer reads
    the case again once it holds the lock and refuses it (409), writing nothing."""
    case_no = api.new_case()
    api.to_disposal(case_no)
    case_id = _case_id(api, case_no)
    outcome: list[Any] = []
    with api.deps.db.connect() as blocker:
        blocker.execute(sa.text("UPDATE cases SET status = status WHERE id = :id"), {"id": case_id})
        blocker.execute(sa.text("UPDATE case_facts SET result = 'closed' WHERE case_id = :id AND source = 'live'"),
                        {"id": case_id})
        transfer = threading.Thread(target=lambda: outcome.append(_transfer(api, case_no, "dispatcher01")))
        transfer.start()
        if api.url.startswith("postgresql"):
            _wait_for_a_lock_wait(api)
        blocker.commit()
    transfer.join()
    assert "closed" in error_of(outcome[0], 409)["message"]
    assert _rows(api, origin_case_id=case_id) == []
    assert _origin_events(api, case_no, "enforcement_transferred") == []


def test_only_the_transfer_starts_an_enforcement_case(api: Api) -> None:
    """The model's empty starter list: nobody starts it by hand, admins and designers included."""
    body = {"data": {"origin": {"case_no": "ZZ20261207000001", "district": "350602"}, "reason": "hand"}}
    for user in ("admin", "designer01", "dispatcher01"):
        refused = error_of(api.post("/processes/enforcement_case/cases", user, body), 403)
        assert set(refused["fields"]) == {"process_id"} and "its own command" in refused["message"]
    assert _sql(api, "SELECT COUNT(*) AS n FROM cases WHERE process_id = 'enforcement_case'"
                " AND started_by IN ('admin', 'designer01')")[0].n == 0
    startable = api.get("/processes/startable", "admin").json
    assert "enforcement_case" not in {p["process_id"] for p in startable["processes"]}


def test_the_leader_neither_proposes_nor_approves_his_own(api: Api) -> None:
    """Four eyes through the task API: the leader (in the team's group too) may not propose the filing he approves;
    a member proposes, the leader approves; the leader still investigates."""
    case_no = api.new_case()
    api.to_disposal(case_no)
    enforcement_no = _transfer(api, case_no, "dispatcher01").json["enforcement_case_no"]
    task = api.task(enforcement_no, "propose_filing", LEADER)
    refused = error_of(api.complete(task["id"], PROPOSAL, LEADER), 403)
    assert set(refused["fields"]) == {"filing_proposal"} and "team leader" in refused["message"]
    (row,) = _rows(api, case_id=_case_id(api, enforcement_no))
    assert (row["stage"], row["party_name"]) == ("filing", None)
    _file(api, enforcement_no)
    done = api.step(enforcement_no, "investigate", LEADER, {"investigation": {"site_notes": "现场道路约 30 米抛洒"}})
    assert done.status_code == 200, done.json
