"""At most once across a real crash (SQLite and PostgreSQL): ``gridcase scheduler`` takes a delivery and is killed
with SIGKILL while the webhook receiver holds its request open (mid-send). The delivery is left ``sending``; after
the lease a new sender marks it ``unknown`` and never sends it again on its own; ``ResendNotification`` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain import notification_commands as nc
from engine.domain.clock import FakeClock
from engine.persistence.read import notifications as reads
from engine.scheduling.notifications import NotificationLoop

ROOT = Path(__file__).resolve().parents[2]


class HangingReceiver:
    """Answers 200 at once, except while ``hang`` is set: then it notes the request and holds it open."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.hang = threading.Event()
        self.hang.set()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.got.append(self.path)
                if receiver.hang.is_set():
                    receiver.release.wait(60)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_scheduler_killed_mid_send_sends_nothing_twice(db_url_engine: tuple[str, Engine]) -> None:
    url, db = db_url_engine
    clock = FakeClock(datetime.now(UTC))
    bus = bootstrap(db, clock)
    receiver = HangingReceiver()
    child = None
    try:
        bus.handle(nc.SetSubscription("person", "alice", "webhook", receiver.url))
        ids = bus.handle(nc.SendNotification("supervision", ("person:alice",), data={"case_no": "9"}))
        env = {**os.environ, "GRIDCASE_LOG_LEVEL": "ERROR", "GRIDCASE_SCHEDULER_INTERVAL": "0.05"}
        child = subprocess.Popen([sys.executable, "-m", "cli", "--database-url", url, "scheduler"], cwd=ROOT,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not receiver.got and time.monotonic() < deadline:
            time.sleep(0.05)  # waits for the child to reach the receiver
        assert receiver.got == ["/hook"]
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        receiver.hang.clear()
        with bus.deps.uow() as uow:
            (delivery,) = reads.deliveries_of(uow.store, ids)
        assert delivery["status"] == "sending"
        loop = NotificationLoop(bus)
        clock.advance(minutes=6)  # past the 5-minute lease
        assert loop.run_once() == 0
        clock.advance(hours=1)
        assert loop.run_once() == 0
        with bus.deps.uow() as uow:
            (delivery,) = reads.deliveries_of(uow.store, ids)
        assert delivery["status"] == "unknown" and receiver.got == ["/hook"]
        bus.handle(nc.ResendNotification(delivery["id"], actor="ops"))
        assert loop.run_once() == 1 and receiver.got == ["/hook", "/hook"]
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait(30)
        receiver.close()
