"""What feeds the hub: on PostgreSQL one listener thread per web process (``LISTEN gridcase_inbox, gridcase_tasks``
on a dedicated connection), on SQLite one poller thread comparing the markers of the connected accounts and groups
about every second. Both only read; neither needs a broker."""

from __future__ import annotations

import logging
import threading
from typing import Any

from engine.persistence.read import live
from engine.persistence.read.notifications import unread_count
from engine.service.deps import Deps
from web.live.hub import Hub

log = logging.getLogger(__name__)
RECONNECT_WAIT = 2.0  # seconds between two tries to listen again after the connection was lost


def start_feed(deps: Deps, hub: Hub, poll_every: float = 1.0) -> threading.Thread:
    """Start the hub's feed thread (a daemon: it never keeps the server from stopping)."""
    feed: Any = Listener(deps, hub) if live.listens(deps.db) else Poller(deps, hub, poll_every)
    thread = threading.Thread(target=feed.run, name=f"gridcase-live-{type(feed).__name__.lower()}", daemon=True)
    thread.start()
    return thread


def _unread(deps: Deps, account: str) -> int:
    with deps.uow(read_only=True) as uow:
        return unread_count(uow.store, account)


class Listener:
    """PostgreSQL: the notifications of every writer, on any host, reach this process within milliseconds."""

    def __init__(self, deps: Deps, hub: Hub) -> None:
        self.deps = deps
        self.hub = hub

    def run(self) -> None:
        """Listen until the hub closes, reconnecting when the connection drops."""
        while not self.hub.closed.is_set():
            try:
                live.listen(self.deps.db, self.notified, lambda: not self.hub.closed.is_set(),
                            on_listening=self.catch_up)
            except Exception:  # a lost connection, a restarted database: listen again shortly
                log.warning("live channel: listening failed, trying again", exc_info=True)
                self.hub.closed.wait(RECONNECT_WAIT)

    def catch_up(self) -> None:
        """Just (re)connected: whatever was notified while no one listened is lost, so every stream looks again."""
        for account in self.hub.accounts():
            self.hub.inbox(account, _unread(self.deps, account))
        for group in self.hub.groups():
            self.hub.tasks(group)

    def notified(self, channel: str, payload: str) -> None:
        """One notification: the account's new unread count, or the group's list to reload."""
        if channel == live.INBOX_CHANNEL:
            if payload in self.hub.accounts():
                self.hub.inbox(payload, _unread(self.deps, payload))
        elif channel == live.TASKS_CHANNEL:
            self.hub.tasks(payload)


class Poller:
    """SQLite (one host, nothing notifies): compare the markers of the connected accounts and groups."""

    def __init__(self, deps: Deps, hub: Hub, every: float) -> None:
        self.deps = deps
        self.hub = hub
        self.every = every
        self.inbox: dict[str, tuple[int, int]] = {}
        self.tasks: dict[str, Any] = {}

    def run(self) -> None:
        """Poll until the hub closes."""
        while not self.hub.closed.wait(self.every):
            try:
                self.poll()
            except Exception:  # a busy or locked database: the next poll sees the same changes
                log.warning("live channel: polling failed", exc_info=True)

    def poll(self) -> None:
        """One look: publish what changed since the last one. An account or group seen for the first time is
        published too: its page was drawn before its stream joined, and may have missed a change in between."""
        accounts, groups = self.hub.accounts(), self.hub.groups()
        if not accounts:  # nobody listens: no read at all
            self.inbox, self.tasks = {}, {}
            return
        with self.deps.uow(read_only=True) as uow:
            inbox = live.inbox_markers(uow.store, accounts)
            tasks = live.task_markers(uow.store, groups, accounts)
        for account in accounts:
            now = inbox.get(account, (0, 0))
            if self.inbox.get(account) != now:
                self.hub.inbox(account, now[1])
        for target in groups | accounts:
            now_tasks = tasks.get(target)
            if target not in self.tasks or self.tasks[target] != now_tasks:
                self.hub.tasks(target)
        self.inbox = {a: inbox.get(a, (0, 0)) for a in accounts}
        self.tasks = {t: tasks.get(t) for t in groups | accounts}
