"""The scheduler process killed with SIGKILL while timers are pending: a new one fires the rest, once each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from invariants import rows
from scheduler_support import assert_each_fired_once, start_inspections, wait_until_fired
from sqlalchemy.engine import Engine

from engine.domain.clock import SystemClock
from engine.service.bus import MessageBus


def _scheduler(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRIDCASE_SCHEDULER_INTERVAL": "0.2", "GRIDCASE_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "cli", "--database-url", url, "scheduler"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_scheduler_loses_nothing_and_fires_nothing_twice(db_url_engine: tuple[str, Engine],
                                                                make_bus) -> None:
    url, db = db_url_engine
    bus: MessageBus = make_bus(SystemClock())
    now = datetime.now(UTC)
    early = start_inspections(bus, 5, now + timedelta(seconds=1))
    late = start_inspections(bus, 5, now + timedelta(seconds=10))  # well after the first scheduler starts
    first = _scheduler(url)
    try:
        wait_until_fired(db, len(early), timeout=15)
    finally:
        os.kill(first.pid, signal.SIGKILL)  # armed jobs for the late timers die with it
        first.wait(10)
    assert rows(db, "SELECT COUNT(*) AS n FROM timers WHERE status = 'pending'")[0].n == len(late)
    time.sleep(max(0.0, (now + timedelta(seconds=10.5) - datetime.now(UTC)).total_seconds()))  # let them fall due
    second = _scheduler(url)
    try:
        wait_until_fired(db, len(early) + len(late), timeout=30)
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(15)
    assert second.returncode == 0
    assert_each_fired_once(db, len(early) + len(late))
