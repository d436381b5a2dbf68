"""``gridcase bench notify``: notifications delivered to a local SMTP server and a local HTTP receiver while cases
move, and the latency from the event to the delivery.

A department group (``bench_dept``) is subscribed by email and by webhook. ``cases`` cases of a two-task process
(bench/processes/bench_notify.bpmn) are started and their first task completed through the real bus (each step makes
a task ready for the department: one ``task_assigned`` notification, two deliveries), while the scheduler's
``NotificationLoop`` runs in its thread as in production. Twice: ``burst`` moves them as fast as one caller can
(the sender's throughput with a backlog), ``paced`` at ``rate`` steps per second (the latency while cases move at a
steady pace). The receivers (aiosmtpd; a stdlib ``http.server``) note when each message arrived. Printed per phase:
notifications, deliveries per second (from the first step to the last arrival) per channel and in all, and
event-to-delivery latency p50/p95/max (event: the notification's ``created_at``; delivery: when the receiver got it).
"""

from __future__ import annotations

import email
import email.header
import json
import logging
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bench.engine_bench import prepare
from bench.jobs_bench import bench_database
from bench.web_bench import _free_port
from engine.domain import commands as c
from engine.domain import notification_commands as nc
from engine.domain.notification_templates import render
from engine.domain.notifications import SmtpSettings
from engine.persistence.db import durability
from engine.persistence.read import notifications as reads
from engine.scheduling.notifications import NotificationLoop

PROCESS = Path(__file__).resolve().parent / "processes" / "bench_notify.bpmn"
GROUP = "bench_dept"
Arrivals = list[tuple[float, str]]  # (wall-clock seconds, the message's title)


class _Mails:
    def __init__(self) -> None:
        self.got: Arrivals = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
        self.got.append((time.time(), subject))
        return "250 OK"


@contextmanager
def _smtp() -> Iterator[tuple[int, Arrivals]]:
    mails, port = _Mails(), _free_port()
    controller = Controller(mails, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mails.got
    finally:
        controller.stop()


@contextmanager
def _http() -> Iterator[tuple[str, Arrivals]]:
    got: Arrivals = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            got.append((time.time(), str(body.get("title"))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_s": None, "p95_s": None, "max_s": None}
    ordered = sorted(values)
    return {"p50_s": round(statistics.median(ordered), 4),
            "p95_s": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 4),
            "max_s": round(ordered[-1], 4)}


def run(database_url: str | None = None, cases: int = 1000, senders: int = 8, rate: float = 25.0,
        wait_seconds: float = 600.0) -> dict[str, Any]:
    """Two phases over one database: ``burst`` moves ``cases`` cases as fast as one caller can while the sender
    runs (what the sender delivers per second when it has a backlog); ``paced`` moves ``cases`` more at ``rate``
    steps per second (the event-to-delivery latency while cases move at a city's pace). JSON-ready figures."""
    for chatty in ("mail.log", "apprise"):  # a line per message would drown the JSON's terminal
        logging.getLogger(chatty).setLevel(logging.WARNING)
    with bench_database(database_url, "notify") as url, _smtp() as (smtp_port, mails), _http() as (hook, posts):
        db, bus = prepare(url, [PROCESS])
        bus.handle(nc.SetSubscription("group", GROUP, "email", "dept@example.org", actor="bench"))
        bus.handle(nc.SetSubscription("group", GROUP, "webhook", hook, actor="bench"))
        loop = NotificationLoop(bus, SmtpSettings(host="127.0.0.1", port=smtp_port), batch=2 * senders,
                                senders=senders)
        stop = threading.Event()
        sender = threading.Thread(target=loop.run, args=(stop, 0.02), name="notifications", daemon=True)
        sender.start()
        arrivals = {"email": mails, "webhook": posts}
        phases = {}
        for name, pace in (("burst", None), ("paced", rate)):
            first_id = _last_notification(bus)
            before = {channel: len(got) for channel, got in arrivals.items()}
            started, moved = _move(bus, cases, pace)
            deadline = time.monotonic() + wait_seconds
            while sum(len(got) - before[ch] for ch, got in arrivals.items()) < 4 * cases \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            with bus.deps.uow(read_only=True) as uow:
                written = reads.notifications_after(uow.store, first_id)
            phases[name] = _figures(cases, moved, started, written,
                                    {ch: got[before[ch]:] for ch, got in arrivals.items()})
        stop.set()
        sender.join(timeout=30)
        with bus.deps.uow(read_only=True) as uow:
            counts = reads.delivery_counts(uow.store)
        database = durability(db)
        db.dispose()
    return {"cases_per_phase": cases, "senders": senders, "paced_steps_per_s": rate, **phases,
            "deliveries_by_status": counts, "target_p95_s": 2.0, "durability": database,
            "cpus": os.cpu_count(), "load_average_1m_after": round(os.getloadavg()[0], 2)}


def _last_notification(bus: Any) -> int:
    with bus.deps.uow(read_only=True) as uow:
        found = reads.notifications_after(uow.store)
    return found[-1]["id"] if found else 0


def _move(bus: Any, cases: int, pace: float | None) -> tuple[float, float]:
    """Start ``cases`` cases and complete the first task of each (2 steps a case), at most ``pace`` steps a second;
    returns (when it began, seconds it took)."""
    started = time.time()
    step = 0

    def wait() -> None:
        nonlocal step
        step += 1
        if pace is not None:
            ahead = started + step / pace - time.time()
            if ahead > 0:
                time.sleep(ahead)

    refs = []
    for n in range(cases):
        wait()
        refs.append(bus.handle(c.StartCase("bench_notify", {"n": n}, "bench")))
    for ref in refs:
        wait()
        bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"done": True}, "bench"))
    return started, time.time() - started


def _figures(cases: int, moved: float, started: float, written: list[dict[str, Any]],
             arrivals: dict[str, Arrivals]) -> dict[str, Any]:
    created: dict[str, datetime] = {render(n["kind"], "zh", n["data"]).title: n["created_at"] for n in written}
    channels: dict[str, Any] = {}
    everything: list[float] = []
    for channel, got in arrivals.items():
        latencies = [at - created[title].timestamp() for at, title in got if title in created]
        everything += latencies
        span = (max(at for at, _ in got) - started) if got else 0.0
        channels[channel] = {"delivered": len(got), "unmatched": len(got) - len(latencies),
                             "delivered_per_s": round(len(got) / span, 1) if span else None,
                             **_percentiles(latencies)}
    total = sum(len(got) for got in arrivals.values())
    span = max((at for got in arrivals.values() for at, _ in got), default=started) - started
    return {"steps": 2 * cases, "steps_per_s": round(2 * cases / moved, 1), "notifications": len(written),
            "delivered": total, "delivered_per_s": round(total / span, 1) if span else None, "channels": channels,
            "event_to_delivery": _percentiles(everything)}
