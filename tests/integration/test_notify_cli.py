"""``gridcase notify`` through the command line (SQLite and PostgreSQL): a subscription made and refused naming the
field (exit 1, nothing written), and ``notify test`` sending one message to a REAL aiosmtpd server (exit 0) — its own
delivery only, never another one due — or exiting 1 with Apprise's error when nothing listens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from notify_support import free_port, smtp_server
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain.notification_commands import SendNotification

ROOT = Path(__file__).resolve().parents[2]


def gridcase(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "notify", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "GRIDCASE_LOG_LEVEL": "ERROR", **env})


def test_subscribe_and_a_refusal_naming_the_field(db_url_engine: tuple[str, Engine],
                                                  sql: Callable[..., list[Any]]) -> None:
    url = db_url_engine[0]
    done = gridcase(url, "subscribe", "--group", "D01", "--channel", "email", "--address", "d01@example.org",
                    "--events", "task_assigned,task_overdue")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("subscription ") and "task_assigned, task_overdue" in done.stdout
    refused = gridcase(url, "subscribe", "--person", "alice", "--channel", "email", "--address", "alice",
                       "--events", "task_assigned")
    assert refused.returncode == 1 and "address" in refused.stderr
    refused = gridcase(url, "subscribe", "--person", "alice", "--channel", "email", "--address", "a@example.org",
                       "--events", "lunch")
    assert refused.returncode == 1 and "events: unknown kind 'lunch'" in refused.stderr
    rows = sql("SELECT subject_kind, subject, channel, address, events FROM notification_subscriptions")
    assert [tuple(r) for r in rows] == [("group", "D01", "email", "d01@example.org",
                                         '["task_assigned", "task_overdue"]')]


def test_notify_test_sends_one_message_or_says_why_not(db_url_engine: tuple[str, Engine],
                                                       sql: Callable[..., list[Any]]) -> None:
    url = db_url_engine[0]
    done = gridcase(url, "subscribe", "--person", "alice", "--channel", "email", "--address", "alice@example.org")
    assert done.returncode == 0, done.stderr
    bus = bootstrap(db_url_engine[1])
    bus.handle(SendNotification("supervision", ("person:alice",), data={"case_no": "1"}))  # the scheduler's to send
    with smtp_server() as (port, inbox):
        done = gridcase(url, "test", "--address", "ops@example.org", "--message", "你好",
                        GRIDCASE_SMTP_HOST="127.0.0.1", GRIDCASE_SMTP_PORT=str(port))
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith(": sent")
        assert [(m.to, m.subject, m.body) for m in inbox.mails] == [
            (["ops@example.org"], "【测试】gridcase 通知", "这是一条测试通知。你好")]  # alice's is not sent here
    assert [tuple(r) for r in sql("SELECT address, status FROM notification_deliveries ORDER BY id")] == [
        ("alice@example.org", "queued"), ("ops@example.org", "sent")]
    failed = gridcase(url, "test", "--address", f"json://127.0.0.1:{free_port()}/nobody")
    assert failed.returncode == 1 and ": retrying (" in failed.stdout
