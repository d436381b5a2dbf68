"""PostgreSQL: the web process's listener survives losing its connection. Its backend is terminated (a restarted
database, a proxy's idle cut); it listens again within seconds, tells every stream to look again (what was notified
meanwhile is lost), and the next notification arrives as before."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from databases import migrated
from live_support import write_inbox_item
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain.clock import FakeClock
from engine.persistence.read.live import LISTENER_NAME
from web.live.feeds import start_feed
from web.live.hub import Event, Hub, Stream


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Engine]:
    for _url, engine in migrated("postgres", tmp_path):
        yield engine


def next_event(stream: Stream, want: Event, timeout: float = 10.0) -> None:
    """Wait (at most ``timeout`` s in all) for ``want`` among the stream's events."""
    seen = []
    while True:
        try:
            event = stream.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {want} within {timeout} s; saw {seen}") from None
        if event == want:
            return
        seen.append(event)


def listener(engine: Engine, other_than: int | None = None) -> int:
    """The backend pid of this process's one listener (a closed hub's may linger a second: waited out)."""
    deadline = time.monotonic() + 10
    while True:
        with engine.connect() as conn:
            pids = [int(r[0]) for r in conn.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :n"), {"n": LISTENER_NAME})]
        if len(pids) == 1 and pids[0] != other_than:
            return pids[0]
        assert time.monotonic() < deadline, f"listeners: {pids}"
        time.sleep(0.1)


def test_the_listener_reconnects_and_every_stream_looks_again(pg: Engine) -> None:
    bus = bootstrap(pg, FakeClock())
    hub = Hub()
    stream = hub.join("reconnecting", frozenset({"a-group"}), lambda h: start_feed(bus.deps, h))
    try:
        write_inbox_item(pg, "reconnecting")  # before or after LISTEN took effect: the count arrives either way
        next_event(stream, ("inbox", {"unread": 1}))
        before = listener(pg)
        while not stream.events.empty():  # what the first connection said is not what this test waits for
            stream.events.get_nowait()
        with pg.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": before})
        next_event(stream, ("inbox", {"unread": 1}))  # listening again: told to look again
        next_event(stream, ("tasks", {"group": "a-group"}))
        assert listener(pg, other_than=before) != before
        write_inbox_item(pg, "reconnecting")
        next_event(stream, ("inbox", {"unread": 2}))
    finally:
        hub.close()
