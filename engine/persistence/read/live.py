"""What the web's live channel watches (docs/notifications.md, "In the browser"): cheap change markers of the bell
and the task lists, polled on SQLite, and PostgreSQL's ``LISTEN`` on the channels the notification writes notify.

Markers are compared, never shown: a marker that differs from the last one polled means "look again". They read
only the indexes the lists already have (``ix_inbox_items_account_read_at_id``, ``ix_human_tasks_queue``,
``ix_human_tasks_assignee``), so a poll per second costs a few index range scans whatever the database's size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Engine

from engine.persistence.repositories.cases import CaseStore

INBOX_CHANNEL = "gridcase_inbox"  # payload: the account whose inbox items were written
TASKS_CHANNEL = "gridcase_tasks"  # payload: the candidate group or the assignee whose human tasks changed
Marker = tuple[Any, ...]
LISTENER_NAME = f"gridcase-live-{os.getpid()}"  # pg_stat_activity tells each web process's listener apart


def _marks(values: Iterable[str]) -> tuple[list[str], str]:
    found = sorted(set(values))
    return found, ", ".join("?" * len(found))


def inbox_markers(store: CaseStore, accounts: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Per account of ``accounts``: (newest inbox item id, unread count); an account with no items is absent."""
    names, marks = _marks(accounts)
    if not names:
        return {}
    rows = store._execute(
        "SELECT account, MAX(id), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) FROM inbox_items"
        f" WHERE account IN ({marks}) GROUP BY account", names).fetchall()
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


def task_markers(store: CaseStore, groups: Iterable[str], assignees: Iterable[str]) -> dict[str, Marker]:
    """Per candidate group of ``groups`` and per assignee of ``assignees``: a marker of their ready human tasks
    (how many, how many unclaimed, the newest created and claimed). A task dispatched, claimed, unclaimed or
    completed changes its group's (and holder's) marker; keys are the group or the account, as notified."""
    found: dict[str, Marker] = {}
    names, marks = _marks(groups)
    if names:
        for row in store._execute(
                "SELECT candidate_group, COUNT(*), COALESCE(SUM(CASE WHEN assignee IS NULL THEN 1 ELSE 0 END), 0),"
                " MAX(created_at), MAX(claimed_at) FROM human_tasks WHERE state = 'ready'"
                f" AND candidate_group IN ({marks}) GROUP BY candidate_group", names).fetchall():
            found[str(row[0])] = tuple(str(v) for v in row[1:])
    names, marks = _marks(assignees)
    if names:
        for row in store._execute(
                "SELECT assignee, COUNT(*), MAX(claimed_at) FROM human_tasks WHERE assignee IS NOT NULL"
                f" AND state = 'ready' AND assignee IN ({marks}) GROUP BY assignee", names).fetchall():
            found[str(row[0])] = tuple(str(v) for v in row[1:])
    return found


def listens(engine: Engine) -> bool:
    """Whether the database notifies (PostgreSQL); otherwise the live channel polls the markers above."""
    return engine.dialect.name == "postgresql"


def listen(engine: Engine, on_notify: Callable[[str, str], None], keep_going: Callable[[], bool],
           timeout: float = 1.0, on_listening: Callable[[], None] | None = None) -> None:
    """Hold one dedicated connection (outside the pool: it stays open as long as the web process) listening on
    the inbox and tasks channels; call ``on_notify(channel, payload)`` for each notification until
    ``keep_going()`` is false (asked at least every ``timeout`` seconds). ``on_listening`` runs once the
    ``LISTEN`` took effect. A lost connection raises (the caller reconnects)."""
    import psycopg

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams = {k: v for k, v in cparams.items() if k not in ("autocommit", "application_name")}
    with psycopg.connect(*cargs, **cparams, autocommit=True, application_name=LISTENER_NAME) as conn:
        conn.execute(f"LISTEN {INBOX_CHANNEL}")
        conn.execute(f"LISTEN {TASKS_CHANNEL}")
        if on_listening is not None:
            on_listening()
        while keep_going():
            for note in conn.notifies(timeout=timeout):
                on_notify(note.channel, note.payload)
                if not keep_going():
                    return
