"""Shared steps of the live channel's tests: reading a server-sent event stream with a bounded wait, and writing
an inbox item as the notification writer does (with ``pg_notify`` on PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from api_support import Api
from werkzeug.test import TestResponse


class EventReader:
    """Reads a streamed response in a thread; ``next_event`` waits at most ``timeout`` seconds for one."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.chunks: queue.Queue[str | None] = queue.Queue()
        self.buffer = ""
        self.comments: list[str] = []
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.retry: int | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for chunk in self.response.response:  # the client goes away between two chunks (keep-alives included)
            self.chunks.put(chunk.decode() if isinstance(chunk, bytes) else chunk)
            if self.stop.is_set():
                break
        self.response.close()
        self.chunks.put(None)

    def next_event(self, timeout: float = 8.0, name: str | None = None,
                   want: tuple[str, dict[str, Any]] | Callable[[tuple[str, dict[str, Any]]], bool] | None = None,
                   ) -> tuple[str, dict[str, Any]]:
        """The next event (named ``name`` when given, the ones before it passed over), or the first event equal
        to ``want`` (or for which ``want(event)`` is true) among those not taken yet (the others stay);
        AssertionError after ``timeout``."""
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                found = self._take(name, want)
                if found is not None:
                    return found
                try:
                    chunk = self.chunks.get(timeout=0.2)
                except queue.Empty:
                    continue
                assert chunk is not None, "the stream ended"
                self.buffer += chunk
                while "\n\n" in self.buffer:
                    block, self.buffer = self.buffer.split("\n\n", 1)
                    event = self._parse(block)
                    if event is not None:
                        self.pending.append(event)
        finally:
            timer.cancel()
        raise AssertionError(f"no event {want or name or ''} within {timeout} s")

    def _take(self, name: str | None, want: Any) -> tuple[str, dict[str, Any]] | None:
        if want is not None:
            for event in self.pending:
                if (want(event) if callable(want) else event == want):
                    self.pending.remove(event)
                    return event
            return None
        while self.pending:
            event = self.pending.pop(0)
            if name is None or event[0] == name:
                return event
        return None

    def _parse(self, block: str) -> tuple[str, dict[str, Any]] | None:
        name, data = "message", ""
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("retry:"):
                self.retry = int(line.split(":", 1)[1])
            elif line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data += line.split(":", 1)[1].strip()
        return (name, json.loads(data)) if data else None

    def next_comment(self, timeout: float = 8.0) -> str:
        """The next comment line (a keep-alive) the stream sends."""
        seen = len(self.comments)
        with contextlib.suppress(AssertionError):
            self.next_event(timeout, name="never")
        assert len(self.comments) > seen, f"no comment within {timeout} s"
        return self.comments[seen]

    def ended(self, timeout: float = 8.0) -> bool:
        """Whether the server ends the stream within ``timeout`` seconds."""
        try:
            while True:
                if self.chunks.get(timeout=timeout) is None:
                    return True
        except queue.Empty:
            return False

    def close(self) -> None:
        """Go away as a browser does: the server notices at its next write (a keep-alive at the latest)."""
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the stream did not end"


def write_inbox_item(db: Engine, account: str, title: str = "新任务 New task") -> int:
    """An inbox item for ``account`` (and its notification), as the notification writer stores one; on
    PostgreSQL notified on ``gridcase_inbox`` in the same transaction. Its id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.begin() as conn:
        notification = conn.execute(sa.text(
            "INSERT INTO notifications (case_id, kind, urgency, recipient_kind, recipient, data, dedupe_key,"
            " created_at) VALUES (NULL, 'task_assigned', 'normal', 'person', :a, '{}', :k, :t) RETURNING id"),
            {"a": account, "k": f"test:{account}:{now.isoformat()}:{title}", "t": now}).scalar_one()
        item = conn.execute(sa.text(
            "INSERT INTO inbox_items (account, notification_id, case_id, title, body, link, created_at, read_at)"
            " VALUES (:a, :n, NULL, :title, 'body', '/inbox', :t, NULL) RETURNING id"),
            {"a": account, "n": notification, "title": title, "t": now}).scalar_one()
        if db.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_notify('gridcase_inbox', :a)"), {"a": account})
    return int(item)


STREAM = {"Accept": "text/event-stream"}  # as EventSource sends


def open_stream(api: Api, user: str, path: str = "/api/v1/events/stream") -> Any:
    return api.client.get(path, headers={**api.headers(user), **STREAM}, buffered=False)
