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
