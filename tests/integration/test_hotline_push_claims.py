"""The pushes' claims and a paused connector (both databases): a late result of a claim released after its lease
changes nothing (logged ``stale``) — the newer claim's delivery stands; stage changes while the connector is
inactive are queued and sent, in order, once it is active again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from api_support import Api, rows
from hotline_support import SECRET, SECRET_ENV, SignedReceiver, hotline, load, order, post_order, send_all
from notify_support import free_port

from city.connectors.commands import ClaimDuePushes, PushResult, ReportPushes
from engine.domain.clock import FakeClock


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch, api: Api) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    api.deps.clock = FakeClock(api.deps.clock.now())


def _pushes(api: Api, order_id: str) -> list[Any]:
    return rows(api, "SELECT d.seq, d.event, d.status FROM connector_deliveries d JOIN connector_cases c"
                     " ON c.case_id = d.case_id WHERE c.order_id = :o ORDER BY d.seq", o=order_id)


def test_a_late_result_of_a_released_claim_changes_nothing(api: Api) -> None:
    assert load(api, hotline("late", free_port(), max_attempts=1)).status_code == 200
    post_order(api, "late", order("GD-LATE"))
    first = api.bus.handle(ClaimDuePushes(10))  # its receiver hangs past the lease
    api.deps.clock.advance(timedelta(minutes=6))
    second = api.bus.handle(ClaimDuePushes(10))  # the lease passed: claimed again
    assert [p.delivery_id for p in first] == [p.delivery_id for p in second]
    delivery = first[0].delivery_id
    # the first claim's attempt finally times out, and is reported before the second's delivery
    late = api.bus.handle(ReportPushes((PushResult(delivery, None, "TimeoutError", 360000, first[0].claimed_at),)))
    assert late == {"sent": 0, "retrying": 0, "failed": 0}
    assert api.bus.handle(ReportPushes((PushResult(delivery, 200, None, 40, second[0].claimed_at),)))["sent"] == 1
    assert rows(api, "SELECT status, attempts FROM connector_deliveries WHERE id = :d", d=delivery) == [("sent", 1)]
    assert rows(api, "SELECT status, error FROM connector_attempts WHERE delivery_id = :d ORDER BY id",
                d=delivery) == [("stale", "TimeoutError"), ("sent", None)]
    # and the second claim's result again (reported twice) is stale too: the push is sent already
    api.bus.handle(ReportPushes((PushResult(delivery, 500, None, 40, second[0].claimed_at),)))
    assert rows(api, "SELECT status FROM connector_deliveries WHERE id = :d", d=delivery) == [("sent",)]


def test_stage_changes_while_inactive_are_sent_once_active(api: Api) -> None:
    receiver = SignedReceiver()
    try:
        config = hotline("pause", receiver.port)
        assert load(api, config).status_code == 200
        case_no = post_order(api, "pause", order("GD-PAUSE")).get_json()["case_no"]
        assert load(api, hotline("other", free_port())).status_code == 200  # 'pause' missing: deactivated
        api.to_disposal(case_no)  # 立案, 派遣 while it is inactive
        send_all(api)
        assert receiver.pushes == []  # nothing goes to an inactive connector
        assert [p[1] for p in _pushes(api, "GD-PAUSE")] == ["received", "filed", "dispatched"]
        assert load(api, config, hotline("other", free_port())).status_code == 200  # active again
        send_all(api)
        assert [p.body["jd"] for p in receiver.pushes] == ["received", "filed", "dispatched"]
        assert {p[2] for p in _pushes(api, "GD-PAUSE")} == {"sent"}
    finally:
        receiver.close()
