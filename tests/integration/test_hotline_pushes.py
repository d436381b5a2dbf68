"""The 12345 hotline connector against a real local HTTP endpoint (both databases): a transferred order taken in
once, its stages pushed back in order with the mapped body and a valid signature; the sender down (connection
refused, then 500) → retrying with back-off, every attempt logged; back on the same port → delivered in order,
nothing lost or doubled; failed after max attempts → retried by an admin → sent; a claim past its lease sent again."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from api_support import Api, rows
from hotline_support import SECRET, SECRET_ENV, STAGE_CODES, SignedReceiver, hotline, load, order, post_order, send_all
from notify_support import free_port
from pages_support import Browser

from city.connectors.commands import ClaimDuePushes, ReceiveWorkOrder
from city.connectors.push_loop import send_due
from engine.domain.clock import FakeClock

DEPT = "dept_350602s07_01"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch, api: Api) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    api.deps.clock = FakeClock(api.deps.clock.now())


def _close(api: Api, case_no: str) -> None:
    """立案, 派遣, 处置, 核查, 结案 with the existing helpers."""
    api.to_disposal(case_no)
    api.step(case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "disposed", "result": "已清理完毕"}})
    api.step(case_no, "check_on_site", "collector001", {"check": {"passed": True}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})


def _deliveries(api: Api, code: str) -> list[Any]:
    return rows(api, "SELECT id, seq, event, status, attempts FROM connector_deliveries WHERE connector = :c"
                     " ORDER BY case_id, seq", c=code)


def _attempts(api: Api, code: str) -> list[Any]:
    return rows(api, "SELECT a.status, a.http_status, a.error FROM connector_attempts a JOIN connector_deliveries d"
                     " ON d.id = a.delivery_id WHERE d.connector = :c ORDER BY a.id", c=code)


def test_duplicate_transfer_gives_one_case(api: Api) -> None:
    receiver = SignedReceiver()
    try:
        assert load(api, hotline("dup", receiver.port)).status_code == 200
        first = post_order(api, "dup", order("GD-0001"))
        assert first.status_code == 201, first.json
        again = post_order(api, "dup", order("GD-0001", sqnr="再次转派"))
        assert again.status_code == 200 and again.json == {"case_no": first.json["case_no"], "created": False}
        found = rows(api, "SELECT order_id, deadline FROM connector_cases WHERE connector = 'dup'")
        assert [r[0] for r in found] == ["GD-0001"] and found[0][1] is not None
        assert [r[2] for r in _deliveries(api, "dup")] == ["received"]  # the repeat queued nothing
    finally:
        receiver.close()


def test_two_identical_posts_racing_give_one_case(api: Api) -> None:
    assert load(api, hotline("race", free_port())).status_code == 200
    body = post_body = b'{"gdbh": "GD-RACE", "sqnr": "x", "location": {"lng": 117.65, "lat": 24.51},' \
        b' "blsx": "2026-12-31 18:00:00", "sqlb": "HJWS-001"}'
    del post_body
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def post() -> None:
        start.wait()
        answers.append(api.bus.handle(ReceiveWorkOrder("race", body, "connector:race")))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["created"] for a in answers) == [False, True]
    assert len({a["case_no"] for a in answers}) == 1
    assert len(rows(api, "SELECT id FROM connector_cases WHERE connector = 'race'")) == 1


def test_stages_are_pushed_in_order_with_the_mapped_body(api: Api) -> None:
    receiver = SignedReceiver()
    try:
        assert load(api, hotline("order", receiver.port)).status_code == 200
        case_no = post_order(api, "order", order("GD-0002")).json["case_no"]
        _close(api, case_no)
        send_all(api)
        bodies = [p.body for p in receiver.pushes]
        assert all(p.signed for p in receiver.pushes)
        assert [b["jd"] for b in bodies] == ["received", "filed", "dispatched", "disposed", "closed"]
        assert [b["zt"] for b in bodies] == [STAGE_CODES[b["jd"]] for b in bodies]
        assert {b["gdbh"] for b in bodies} == {"GD-0002"} and {b["ajbh"] for b in bodies} == {case_no}
        assert bodies[-1]["cljg"] == "已清理完毕" and bodies[-1]["jalx"] == "normal"
        assert bodies[2]["cbdw"] == "350602-S07" and bodies[0]["cljg"] is None
        assert len({p.delivery for p in receiver.pushes}) == 5
        assert {r[3] for r in _deliveries(api, "order")} == {"sent"}
        page = Browser(api, "shiftlead01").get(f"/cases/{case_no}").text
        assert 'id="case-transfer"' in page and "GD-0002" in page and page.count('class="push-sent"') == 5
    finally:
        receiver.close()


def test_sender_down_then_back_delivers_in_order(api: Api) -> None:
    port = free_port()
    assert load(api, hotline("down", port)).status_code == 200
    case_no = post_order(api, "down", order("GD-0003")).json["case_no"]
    api.to_dispatch(case_no)  # received, filed queued
    assert send_due(api.bus) == {"sent": 0, "retrying": 1, "failed": 0}  # connection refused
    assert send_due(api.bus) == {"sent": 0, "retrying": 0, "failed": 0}  # not due before its back-off
    error = _attempts(api, "down")[0]
    assert error[0] == "retrying" and error[1] is None and "Connection refused" in error[2]
    api.deps.clock.advance(timedelta(seconds=31))
    receiver = SignedReceiver(port)
    try:
        receiver.statuses = [500]
        assert send_due(api.bus) == {"sent": 0, "retrying": 1, "failed": 0}  # answered 500
        api.deps.clock.advance(timedelta(seconds=59))
        assert send_due(api.bus)["retrying"] == 0 == send_due(api.bus)["sent"]  # back-off doubled: 60 s
        api.deps.clock.advance(timedelta(seconds=2))
        send_all(api)
        assert [p.body["jd"] for p in receiver.pushes] == ["received", "filed"]
        assert [(r[0], r[1]) for r in _attempts(api, "down")] == [("retrying", None), ("retrying", 500),
                                                                   ("sent", 200), ("sent", 200)]
    finally:
        receiver.close()


def test_failed_after_max_attempts_then_retried_by_an_admin(api: Api) -> None:
    port = free_port()
    assert load(api, hotline("fail", port, max_attempts=2, backoff_seconds=10)).status_code == 200
    post_order(api, "fail", order("GD-0004"))
    send_due(api.bus)
    api.deps.clock.advance(timedelta(seconds=11))
    assert send_due(api.bus)["failed"] == 1
    delivery_id, _seq, _event, status, attempts = _deliveries(api, "fail")[0]
    assert (status, attempts) == ("failed", 2)
    assert api.post(f"/connectors/deliveries/{delivery_id}/retry", "shiftlead01").status_code == 403
    listed = api.get("/connectors/fail/deliveries?status=failed", "shiftlead01").json["deliveries"]
    assert [d["id"] for d in listed] == [delivery_id] and len(listed[0]["log"]) == 2
    receiver = SignedReceiver(port)
    try:
        answer = api.post(f"/connectors/deliveries/{delivery_id}/retry", "admin")
        assert answer.status_code == 200 and answer.json["status"] == "queued"
        assert api.post(f"/connectors/deliveries/{delivery_id}/retry", "admin").status_code == 422
        send_all(api)
        assert [p.body["gdbh"] for p in receiver.pushes] == ["GD-0004"]
        log = [(r[0], r[1]) for r in rows(api, "SELECT status, actor FROM connector_attempts"
                                               " WHERE delivery_id = :d ORDER BY id", d=delivery_id)]
        assert log == [("retrying", "scheduler"), ("failed", "scheduler"), ("queued", "admin"),
                       ("sent", "scheduler")]
    finally:
        receiver.close()


def test_a_claim_past_its_lease_is_sent_again(api: Api) -> None:
    receiver = SignedReceiver()
    try:
        assert load(api, hotline("lease", receiver.port)).status_code == 200
        post_order(api, "lease", order("GD-0005"))
        claimed = api.bus.handle(ClaimDuePushes(10))  # a sender that died before reporting
        assert len(claimed) == 1 and _deliveries(api, "lease")[0][3] == "sending"
        assert api.bus.handle(ClaimDuePushes(10)) == []
        api.deps.clock.advance(timedelta(minutes=6))
        send_all(api)
        assert [p.delivery for p in receiver.pushes] == [str(claimed[0].delivery_id)]
        assert _deliveries(api, "lease")[0][3] == "sent"
    finally:
        receiver.close()


def test_a_missing_secret_sends_nothing_and_names_the_variable(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = SignedReceiver()
    try:
        assert load(api, hotline("nosecret", receiver.port)).status_code == 200
        post_order(api, "nosecret", order("GD-0006"))
        monkeypatch.delenv(SECRET_ENV)
        assert send_due(api.bus)["retrying"] == 1
        assert receiver.pushes == [] and SECRET_ENV in _attempts(api, "nosecret")[0][2]
    finally:
        receiver.close()
