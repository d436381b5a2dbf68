"""The live channel's registry: the event streams open in this web process, and the fan-out of inbox and task
changes to the streams whose account or groups they concern (docs/notifications.md, "In the browser").

One hub per app. Each stream has its own bounded queue; a feed thread (``web.live.feeds``: PostgreSQL's
``LISTEN`` or the SQLite poller) publishes into the hub, and the stream's response generator drains its queue.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Event = tuple[str, dict[str, Any]]
_HUBS: weakref.WeakSet[Hub] = weakref.WeakSet()  # every hub of this process, closed when the server stops


class TooManyStreams(Exception):
    """A stream refused: the account (or this process) holds as many as it may."""

    def __init__(self, message: str, per_account: bool) -> None:
        super().__init__(message)
        self.per_account = per_account


@dataclass(eq=False)
class Stream:
    """One open event stream: whose it is, the task groups they work, and the events waiting to be sent (None:
    the server closes the stream)."""

    account: str
    groups: frozenset[str]
    tab: str | None = None
    events: queue.Queue[Event | None] = field(default_factory=lambda: queue.Queue(maxsize=100))

    def put(self, event: Event | None) -> None:
        """Queue ``event``; a client too slow to take 100 events loses the oldest (the next event repeats the
        state: an unread count, a list to reload)."""
        while True:
            try:
                self.events.put_nowait(event)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self.events.get_nowait()


class Hub:
    """The streams of one web process; thread-safe. ``per_account``: streams one account may hold at once (tabs,
    devices); ``per_process``: streams this process holds at once (each takes a server thread while open)."""

    def __init__(self, per_account: int = 5, per_process: int = 200) -> None:
        self.per_account = per_account
        self.per_process = per_process
        self._lock = threading.Lock()
        self._streams: dict[str, list[Stream]] = {}
        self._feed_started = False
        self.closed = threading.Event()
        _HUBS.add(self)

    def join(self, account: str, groups: frozenset[str], start_feed: Callable[[Hub], object] | None = None,
             tab: str | None = None) -> Stream:
        """Open a stream for ``account`` (``TooManyStreams`` beyond the limits); the first stream starts the feed
        (``start_feed(hub)``), in this process, after any fork of the server's workers. ``tab``: the browser tab's
        id — its older stream is ended and replaced (the tab moved to another page; the server would notice the
        old one gone only at its next keep-alive, and a person clicking through pages would meet the limit)."""
        with self._lock:
            if self.closed.is_set():
                raise TooManyStreams("the server is stopping", per_account=False)
            mine = self._streams.get(account, [])
            replaced = [s for s in mine if tab is not None and s.tab == tab]
            if len(mine) - len(replaced) >= self.per_account:
                raise TooManyStreams(f"at most {self.per_account} live streams per account", per_account=True)
            if sum(len(s) for s in self._streams.values()) - len(replaced) >= self.per_process:
                raise TooManyStreams("this server holds all the live streams it may", per_account=False)
            for old in replaced:  # told so: a duplicated tab (same id) takes a new id and comes back
                mine.remove(old)
                old.put(("replaced", {}))
                old.put(None)
            stream = Stream(account, groups, tab)
            self._streams[account] = [*mine, stream]
            start, self._feed_started = (not self._feed_started and start_feed is not None), True
        if start and start_feed is not None:
            start_feed(self)
        return stream

    def leave(self, stream: Stream) -> None:
        """The stream ended (client gone or server closing)."""
        with self._lock:
            mine = self._streams.get(stream.account, [])
            if stream in mine:
                mine.remove(stream)
            if not mine:
                self._streams.pop(stream.account, None)

    def _all(self) -> list[Stream]:
        with self._lock:
            return [s for streams in self._streams.values() for s in streams]

    def accounts(self) -> set[str]:
        """The accounts with an open stream."""
        with self._lock:
            return set(self._streams)

    def groups(self) -> set[str]:
        """The task groups of the open streams."""
        return {g for s in self._all() for g in s.groups}

    def count(self, account: str | None = None) -> int:
        """Open streams (of ``account``, when given)."""
        with self._lock:
            if account is not None:
                return len(self._streams.get(account, []))
            return sum(len(s) for s in self._streams.values())

    def inbox(self, account: str, unread: int) -> None:
        """``account``'s inbox changed: tell its streams the unread count."""
        with self._lock:
            streams = list(self._streams.get(account, []))
        for stream in streams:
            stream.put(("inbox", {"unread": unread}))

    def tasks(self, target: str) -> None:
        """The human tasks of ``target`` (a candidate group, or the account holding them) changed: tell the
        streams that work the group or are that account."""
        for stream in self._all():
            if target in stream.groups or target == stream.account:
                stream.put(("tasks", {"group": target}))

    def close(self) -> None:
        """The server stops: end every stream (their clients reconnect to another process, or later)."""
        self.closed.set()
        for stream in self._all():
            stream.put(None)


def close_all() -> None:
    """End every stream of this process (gunicorn's worker, on SIGTERM: web/gunicorn_conf.py)."""
    for hub in list(_HUBS):
        hub.close()


def limit_streams(per_process: int) -> None:
    """Cap the streams each hub of this process holds (gunicorn: fewer than its threads, so streams never take
    every thread a plain request needs)."""
    for hub in list(_HUBS):
        hub.per_process = per_process
