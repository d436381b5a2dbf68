"""Notification delivery through Apprise to a REAL aiosmtpd SMTP server and a REAL HTTP receiver (127.0.0.1), on
SQLite and PostgreSQL, time moved by the fake clock: the zh template by email, the JSON body by webhook, retries
after 500s with their log, failed after the last attempt, quiet hours (deferred to the next duty window, urgent at
once), the per-channel rate limit, and at most once after a crash (``sending`` → ``unknown``, resent only by
``ResendNotification``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from notify_support import Mail, Receiver, http_receiver, smtp_server

from engine.domain import notification_commands as nc
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.notifications import NotifyPolicy, QuietHours, RateLimit, SmtpSettings
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.persistence.read import notifications as reads
from engine.scheduling.notifications import NotificationLoop
from engine.service.bus import MessageBus
from engine.service.notifications import notifier_of

CALENDAR = Path(__file__).resolve().parents[2] / "config" / "calendar" / "china.json"
DATA = {"case_no": "202611020001", "task_name": "处置", "department": "市容环卫", "due_at": "2026-11-03T01:00:00+00:00",
        "link": "/cases/202611020001"}


@pytest.fixture
def smtp() -> Iterator[tuple[int, list[Mail]]]:
    with smtp_server() as (port, inbox):
        yield port, inbox.mails


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as found:
        yield found


@pytest.fixture
def sender(bus: MessageBus, smtp: tuple[int, list[Mail]]) -> NotificationLoop:
    return NotificationLoop(bus, SmtpSettings(host="127.0.0.1", port=smtp[0], sender="gridcase@example.org"))


def policy(bus: MessageBus, **changes: Any) -> None:
    notifier_of(bus).policy = NotifyPolicy(**changes)


def subscribe(bus: MessageBus, channel: str, address: str, who: str = "person:alice", **more: Any) -> int:
    kind, name = who.split(":", 1)
    found: int = bus.handle(nc.SetSubscription(kind, name, channel, address, **more))
    return found


def notify(bus: MessageBus, to: str = "person:alice", kind: str = "task_assigned", **more: Any) -> list[int]:
    found: list[int] = bus.handle(nc.SendNotification(kind, (to,), data=dict(DATA), **more))
    return found


def deliveries(bus: MessageBus, ids: list[int]) -> list[dict[str, Any]]:
    with bus.deps.uow() as uow:
        return reads.deliveries_of(uow.store, ids)


def statuses(bus: MessageBus, ids: list[int]) -> list[str]:
    return [d["status"] for d in deliveries(bus, ids)]


def test_email_arrives_with_the_chinese_template(bus: MessageBus, sender: NotificationLoop,
                                                smtp: tuple[int, list[Mail]]) -> None:
    subscribe(bus, "email", "alice@example.org")
    ids = notify(bus)
    assert sender.run_once() == 1
    (mail,) = smtp[1]
    assert mail.to == ["alice@example.org"]
    assert mail.subject == "【派遣】案件 202611020001：处置"
    assert "已派遣给 市容环卫" in mail.body and "2026年11月03日 09:00" in mail.body  # due time in Asia/Shanghai
    (delivery,) = deliveries(bus, ids)
    assert (delivery["status"], delivery["attempts"], delivery["sent_at"]) == ("sent", 1, bus.deps.clock.now())
    assert [a["status"] for a in delivery["attempts_log"]] == ["queued", "sent"]
    assert sender.run_once() == 0 and len(smtp[1]) == 1


def test_webhook_gets_the_json_body_in_english(bus: MessageBus, sender: NotificationLoop, receiver: Receiver) -> None:
    subscribe(bus, "webhook", receiver.url(), "group:dispatcher", locale="en")
    notify(bus, "group:dispatcher", kind="task_overdue")
    assert sender.run_once() == 1
    ((_, path, body),) = receiver.posts
    assert path == "/hook"
    assert body["title"] == "[Overdue] Case 202611020001 is overdue"
    assert "passed its due time 2026-11-03 09:00" in body["message"]


def test_retried_after_two_500s_then_sent(bus: MessageBus, clock: FakeClock, sender: NotificationLoop,
                                         receiver: Receiver) -> None:
    policy(bus, backoff=timedelta(seconds=30))
    subscribe(bus, "webhook", receiver.url())
    ids = notify(bus)
    receiver.statuses = [500, 500]
    assert sender.run_once() == 1 and statuses(bus, ids) == ["retrying"]
    clock.advance(seconds=29)
    assert sender.run_once() == 0  # backing off
    clock.advance(seconds=1)
    assert sender.run_once() == 1 and statuses(bus, ids) == ["retrying"]
    clock.advance(seconds=59)
    assert sender.run_once() == 0  # the second wait doubles
    clock.advance(seconds=1)
    assert sender.run_once() == 1
    (delivery,) = deliveries(bus, ids)
    assert (delivery["status"], delivery["attempts"]) == ("sent", 3)
    log = delivery["attempts_log"]
    assert [a["status"] for a in log] == ["queued", "retrying", "retrying", "sent"]
    assert "500" in log[1]["error"] and log[3]["error"] is None
    assert len(receiver.posts) == 1


def test_failed_after_the_last_attempt(bus: MessageBus, clock: FakeClock, sender: NotificationLoop,
                                       receiver: Receiver) -> None:
    policy(bus, max_attempts=2, backoff=timedelta(seconds=10))
    subscribe(bus, "webhook", receiver.url())
    ids = notify(bus)
    receiver.statuses = [500, 503, 500]
    sender.run_once()
    clock.advance(seconds=10)
    sender.run_once()
    clock.advance(hours=2)
    assert sender.run_once() == 0
    (delivery,) = deliveries(bus, ids)
    assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == ("failed", 2, None)
    assert "503" in delivery["last_error"] and receiver.posts == []


def test_quiet_hours_defer_normal_ones_to_the_next_duty_window_and_urgent_go_at_once(
        bus: MessageBus, clock: FakeClock, sender: NotificationLoop, receiver: Receiver) -> None:
    bus.deps.working_time = WorkingTime(HolidayCalendar.from_file(CALENDAR))
    policy(bus, quiet=QuietHours.parse("22:00-07:00"))
    subscribe(bus, "webhook", receiver.url())
    clock.advance(until(clock, datetime(2026, 11, 2, 15, 0, tzinfo=UTC)))  # Monday 23:00 in Shanghai
    normal = notify(bus)
    urgent = notify(bus, kind="task_overdue", urgency="urgent")
    assert sender.run_once() == 1 and statuses(bus, urgent) == ["sent"]
    assert [p[2]["title"] for p in receiver.posts] == ["【超时】案件 202611020001 已超时"]
    (deferred,) = deliveries(bus, normal)
    tuesday_8 = datetime(2026, 11, 3, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai: the first duty window
    assert (deferred["status"], deferred["next_attempt_at"]) == ("deferred", tuesday_8)
    with bus.deps.uow() as uow:
        assert reads.unread_count(uow.store, "alice") == 2  # the bell does not wait
    clock.advance(until(clock, tuesday_8 - timedelta(seconds=1)))
    assert sender.run_once() == 0
    clock.advance(seconds=1)
    assert sender.run_once() == 1 and statuses(bus, normal) == ["sent"] and len(receiver.posts) == 2


def until(clock: FakeClock, moment: datetime) -> timedelta:
    return moment - clock.now()


def test_over_the_rate_limit_deliveries_wait_and_none_is_dropped(bus: MessageBus, clock: FakeClock,
                                                                 sender: NotificationLoop, receiver: Receiver) -> None:
    policy(bus, rate_limits={"webhook": RateLimit(2, timedelta(minutes=1))})
    subscribe(bus, "webhook", receiver.url())
    ids = [notify(bus, dedupe_key=f"event-{i}")[0] for i in range(3)]
    assert sender.run_once() == 2
    third = deliveries(bus, ids)[2]
    assert (third["status"], third["next_attempt_at"]) == ("queued", clock.now() + timedelta(minutes=1))
    clock.advance(seconds=59)
    assert sender.run_once() == 0
    clock.advance(seconds=1)
    assert sender.run_once() == 1
    assert statuses(bus, ids) == ["sent"] * 3 and len(receiver.posts) == 3


def test_nothing_is_sent_twice_after_a_crash_mid_send(bus: MessageBus, clock: FakeClock, sender: NotificationLoop,
                                                      smtp: tuple[int, list[Mail]]) -> None:
    policy(bus, lease=timedelta(minutes=5))
    subscribe(bus, "email", "alice@example.org")
    ids = notify(bus)
    taken = bus.handle(nc.ClaimDueDeliveries())  # a sender took it, then its process died before reporting
    assert [t.id for t in taken] == [d["id"] for d in deliveries(bus, ids)] and statuses(bus, ids) == ["sending"]
    clock.advance(minutes=4)
    assert sender.run_once() == 0 and statuses(bus, ids) == ["sending"]  # within the lease: still its sender's
    clock.advance(minutes=2)
    assert sender.run_once() == 0
    (delivery,) = deliveries(bus, ids)
    assert delivery["status"] == "unknown" and smtp[1] == []
    clock.advance(hours=1)
    assert sender.run_once() == 0 and smtp[1] == []  # never resent on its own
    with pytest.raises(NotFound) as missing:
        bus.handle(nc.ResendNotification(delivery["id"] + 1000))
    assert missing.value.field == "delivery_id"
    bus.handle(nc.ResendNotification(delivery["id"], actor="ops"))
    assert statuses(bus, ids) == ["queued"]
    assert sender.run_once() == 1 and len(smtp[1]) == 1
    log = [a["status"] for a in deliveries(bus, ids)[0]["attempts_log"]]
    assert log == ["queued", "unknown", "queued", "sent"]
    with pytest.raises(InvalidCommand) as again:
        bus.handle(nc.ResendNotification(delivery["id"]))  # sent: an operator cannot send it twice by mistake
    assert again.value.field == "delivery_id"


def test_notify_test_command_sends_one_message_straight_to_an_address(
        bus: MessageBus, sender: NotificationLoop, smtp: tuple[int, list[Mail]], sql: Callable[..., list[Any]]) -> None:
    bus.handle(nc.SendNotification("test", address="ops@example.org", data={"message": "hello"}, actor="admin"))
    assert sender.run_once() == 1
    assert [(m.to, m.subject) for m in smtp[1]] == [(["ops@example.org"], "【测试】gridcase 通知")]
    assert sql("SELECT COUNT(*) FROM inbox_items")[0][0] == 0


def test_the_running_sender_delivers_each_once_through_its_pipeline(
        bus: MessageBus, smtp: tuple[int, list[Mail]], receiver: Receiver) -> None:
    subscribe(bus, "email", "alice@example.org")
    subscribe(bus, "webhook", receiver.url())
    ids = [notify(bus, dedupe_key=f"event-{i}")[0] for i in range(6)]
    loop = NotificationLoop(bus, SmtpSettings(host="127.0.0.1", port=smtp[0]), batch=4, senders=3)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop, 0.01))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(smtp[1]) + len(receiver.posts) < 12 and time.monotonic() < deadline:
            time.sleep(0.02)  # waits for the receivers, not for time to pass in the model
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(smtp[1]) == 6 and len(receiver.posts) == 6
    assert statuses(bus, ids) == ["sent"] * 12 and (loop.sent, loop.attempted) == (12, 12)
