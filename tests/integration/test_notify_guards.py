"""What a subscriber's address may not make the sender do, and what the sender may not lose, on SQLite and PostgreSQL
with REAL HTTP receivers on 127.0.0.1: a redirect is not followed (a listed host cannot hand the request to an
unlisted one); an address stored before the address rules is refused when claimed, never called; the sender's own
read timeout wins over an address's ``rto=``; ``run`` claims no more deliveries than it has free sender threads;
expiring a lease never overwrites a ``sent`` committed meanwhile; a delivery is resent only while its address is
still an enabled subscription (or it went straight to an address)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from notify_support import Receiver, http_receiver
from sqlalchemy.engine import Engine

from engine.domain import notification_commands as nc
from engine.domain.errors import InvalidCommand
from engine.domain.notifications import NotifyPolicy, SmtpSettings
from engine.persistence.repositories.notifications import NotificationStore
from engine.persistence.uow import command_scope
from engine.scheduling.notifications import NotificationLoop
from engine.scheduling.notify_send import Timeouts, send
from engine.service.bus import MessageBus
from engine.service.notifications import notifier_of

Sql = Callable[..., list[Any]]


class Holding:
    """A receiver that notes each POST and answers ``status`` (with ``location``), holding each request open until
    ``release`` is set."""

    def __init__(self, status: int = 200, location: str = "", hold: bool = False) -> None:
        self.got: list[str] = []
        self.release = threading.Event()
        if not hold:
            self.release.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.got.append(self.path)
                outer.release.wait(60)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@contextmanager
def holding(status: int = 200, location: str = "", hold: bool = False) -> Iterator[Holding]:
    server = Holding(status, location, hold)
    try:
        yield server
    finally:
        server.release.set()
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as found:
        yield found


def delivery_rows(sql: Sql) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in sql("SELECT id, status, attempts, last_error FROM notification_deliveries ORDER BY id")]


def test_a_redirect_is_not_followed_to_a_host_off_the_list(bus: MessageBus, sql: Sql, receiver: Receiver) -> None:
    with holding(302, f"http://127.0.0.1:{receiver.port}/internal") as listed:
        notifier_of(bus).policy = NotifyPolicy(hosts=frozenset({f"127.0.0.1:{listed.port}"}))
        bus.handle(nc.SetSubscription("person", "alice", "webhook", f"json://127.0.0.1:{listed.port}/hook"))
        with pytest.raises(InvalidCommand) as refused:  # the internal receiver itself is off the list
            bus.handle(nc.SetSubscription("person", "alice", "webhook", receiver.url("/internal")))
        assert refused.value.field == "address"
        bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": "1"}))
        assert NotificationLoop(bus).run_once() == 1
        assert listed.got == ["/hook"] and receiver.posts == []  # the 302 went nowhere
    ((_, status, attempts, error),) = delivery_rows(sql)
    assert (status, attempts) == ("retrying", 1) and "302" in error


def test_an_address_stored_before_the_rules_is_refused_when_claimed(bus: MessageBus, sql: Sql, db: Engine,
                                                                    receiver: Receiver) -> None:
    bus.handle(nc.SetSubscription("person", "alice", "sms", "twilio://sid:token@15551234567/15557654321"))
    with db.begin() as conn:  # as an older release let it be written
        conn.exec_driver_sql("UPDATE notification_subscriptions SET address = "
                             f"'ntfy://127.0.0.1:{receiver.port}/topic'")
    bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": "1"}))
    assert NotificationLoop(bus).run_once() == 0
    ((_, status, attempts, error),) = delivery_rows(sql)
    assert (status, attempts) == ("failed", 0) and "sms address" in error and "127.0.0.1" not in error
    assert receiver.posts == []


def test_the_senders_read_timeout_wins_over_the_address() -> None:
    with holding(hold=True) as slow:  # answers only when released: never, during the send
        error = send("webhook", f"json://127.0.0.1:{slow.port}/hook?rto=120", "t", "b", SmtpSettings(),
                     Timeouts(connect=2, read=0.5))
        assert slow.got == ["/hook"] and not slow.release.is_set()
    assert error is not None and "error" in error  # gave up on the read; the old 120 s would have waited


def test_run_claims_only_as_many_as_it_has_free_senders(bus: MessageBus, sql: Sql) -> None:
    with holding(hold=True) as slow:
        bus.handle(nc.SetSubscription("person", "alice", "webhook", f"json://127.0.0.1:{slow.port}/hook"))
        for i in range(5):
            bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": str(i)}))
        loop = NotificationLoop(bus, batch=50, senders=2)
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop, 0.01))
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while len(slow.got) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.3)  # many loop rounds while both senders are busy: none claims more
            claimed = [row[1] for row in delivery_rows(sql)]
            slow.release.set()
            while sum(s == "sent" for s in (r[1] for r in delivery_rows(sql))) < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            stop.set()
            thread.join(timeout=30)
    assert claimed.count("sending") == 2 and claimed.count("queued") == 3
    assert [row[1] for row in delivery_rows(sql)] == ["sent"] * 5 and len(slow.got) == 5


def test_expiring_the_lease_never_overwrites_a_sent_delivery(bus: MessageBus, sql: Sql, db: Engine) -> None:
    bus.handle(nc.SetSubscription("person", "alice", "webhook", "json://127.0.0.1:9/hook"))
    for i in range(2):
        bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": str(i)}))
    first, second = (item.id for item in bus.handle(nc.ClaimDueDeliveries()))
    later = bus.deps.clock.now() + timedelta(minutes=10)
    with command_scope(), bus.deps.uow() as uow:
        notes = uow.repository(NotificationStore)
        assert notes.stale_sending(later) == [first, second]
        if db.dialect.name == "postgresql":  # the sender's report commits meanwhile, in its own transaction
            with db.begin() as conn:
                conn.exec_driver_sql(f"UPDATE notification_deliveries SET status = 'sent' WHERE id = {first}")
        else:  # SQLite serialises writers: the report lands in between within the transaction instead
            notes.finish(first, "sent", 1, None, None, later, later)
        assert notes.mark_unknown([first, second], later) == [second]
    assert [row[1] for row in delivery_rows(sql)] == ["sent", "unknown"]
    logged = sql("SELECT delivery_id, status FROM notification_attempts WHERE status = 'unknown'")
    assert [tuple(r) for r in logged] == [(second, "unknown")]


def test_a_delivery_is_resent_only_while_still_subscribed(bus: MessageBus, db: Engine) -> None:
    alice = bus.handle(nc.SetSubscription("person", "alice", "webhook", "json://127.0.0.1:9/alice"))
    bus.handle(nc.SetSubscription("group", "dispatcher", "webhook", "json://127.0.0.1:9/desk"))
    bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": "1"}))
    bus.handle(nc.SendNotification("supervision", ("group:dispatcher",), data={"case_no": "2"}))
    bus.handle(nc.SendNotification("test", address="json://127.0.0.1:9/ops", actor="admin"))
    with db.begin() as conn:  # each left failed after its last attempt
        conn.exec_driver_sql("UPDATE notification_deliveries SET status = 'failed'")
        ids: dict[str, int] = dict(conn.exec_driver_sql("SELECT address, id FROM notification_deliveries").fetchall())
    bus.handle(nc.RemoveSubscription(alice))  # alice opted out
    bus.handle(nc.SetSubscription("group", "dispatcher", "webhook", "json://127.0.0.1:9/desk", enabled=False))
    for address in ("json://127.0.0.1:9/alice", "json://127.0.0.1:9/desk"):
        with pytest.raises(InvalidCommand) as refused:
            bus.handle(nc.ResendNotification(ids[address], actor="ops"))
        assert refused.value.field == "delivery_id" and "no longer an enabled subscription" in str(refused.value)
    bus.handle(nc.ResendNotification(ids["json://127.0.0.1:9/ops"], actor="ops"))  # straight to an address
    bus.handle(nc.SetSubscription("group", "dispatcher", "webhook", "json://127.0.0.1:9/desk"))  # enabled again
    bus.handle(nc.ResendNotification(ids["json://127.0.0.1:9/desk"], actor="ops"))
    with db.begin() as conn:
        rows = conn.exec_driver_sql("SELECT address, status FROM notification_deliveries").fetchall()
    found: dict[str, str] = dict(rows)
    assert found == {"json://127.0.0.1:9/alice": "failed", "json://127.0.0.1:9/desk": "queued",
                     "json://127.0.0.1:9/ops": "queued"}
