"""``gridcase bench public``'s push figures: the 12345 orders' pushes (each order's ``received`` push, and a
``filed`` one for the ``drive`` orders moved one stage on: verified by the grid's collector and filed by the shift
lead through the API) sent by the scheduler's loop's rounds (``city.connectors.push_loop.send_due``'s steps: claim,
signed POST, report — each phase timed) to a real HTTP receiver on 127.0.0.1 that checks each signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.public_intake import App, token
from city.connectors.commands import ClaimDuePushes, ReportPushes
from city.connectors.push_loop import BATCH
from city.connectors.sender import send
from engine.connectors.base import ConnectorSettings
from engine.scheduling.connectors import ConnectorLoop

COLLECTOR, LEAD = "collector001", "shiftlead01"  # the bench point's grid collector; a shift lead (demo/seed)


class Receiver:
    """The 12345 system's push endpoint: records each push's stage and whether its signature matched."""

    def __init__(self, secret: str) -> None:
        self.stages: Counter[str] = Counter()
        self.signed = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stamp = self.headers.get("X-Gridcase-Timestamp", "")
                expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + raw,
                                                hashlib.sha256).hexdigest()
                with receiver.lock:
                    receiver.stages[str(json.loads(raw).get("jd"))] += 1
                    receiver.signed += hmac.compare_digest(expected, self.headers.get("X-Gridcase-Signature", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])


@contextmanager
def receiving(secret: str) -> Iterator[Receiver]:
    """A receiver serving in a thread until the block ends."""
    receiver = Receiver(secret)
    thread = threading.Thread(target=receiver.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.httpd.shutdown()
        receiver.httpd.server_close()
        thread.join(timeout=10)


def _complete(app: App, headers: dict[str, str], case_no: str, bpmn_id: str, data: dict[str, Any]) -> None:
    listed = app.client.get(f"/api/v1/tasks?case_no={case_no}", headers=headers)
    found = [t for t in (listed.get_json() or {}).get("tasks", []) if t["bpmn_id"] == bpmn_id]
    if listed.status_code != 200 or len(found) != 1:
        raise RuntimeError(f"{case_no}: no one ready task {bpmn_id}: {listed.get_data(as_text=True)[:300]}")
    done = app.client.post(f"/api/v1/tasks/{found[0]['id']}/complete", json={"data": data}, headers=headers)
    if done.status_code != 200:
        raise RuntimeError(f"{case_no} {bpmn_id}: HTTP {done.status_code} {done.get_data(as_text=True)[:300]}")
    ConnectorLoop(app.bus, ConnectorSettings()).run_once()  # the lifecycle's notify steps, as the scheduler does


def file_orders(app: App, numbers: list[str]) -> float:
    """Verify and file the cases (立案: their public stage becomes ``filed``, a push each); the seconds taken."""
    collector = {"Authorization": f"Bearer {token(app, COLLECTOR)}"}
    lead = {"Authorization": f"Bearer {token(app, LEAD)}"}
    started = time.perf_counter()
    for number in numbers:
        _complete(app, collector, number, "verify_report", {"verification": {"found": True}})
        _complete(app, lead, number, "file_or_void", {"filing": {"decision": "file"}})
    return time.perf_counter() - started


def _round(app: App, phases: Counter[str], errors: list[str]) -> Counter[str]:
    """One round of the sender loop (``city.connectors.push_loop.send_due``'s steps, each timed): claim the due
    pushes, POST each signed, report the results; the counts by new status."""
    started = time.perf_counter()
    pushes = app.bus.handle(ClaimDuePushes(BATCH))
    claimed = time.perf_counter()
    now = app.bus.deps.clock.now().timestamp()
    results = tuple(send(push, now) for push in pushes)
    sent = time.perf_counter()
    counts: dict[str, int] = app.bus.handle(ReportPushes(results)) if results else {}
    phases.update({"claim": claimed - started, "send": sent - claimed, "report": time.perf_counter() - sent})
    errors.extend(f"{r.http_status} {r.error} ({r.duration_ms} ms)" for r in results if r.error)
    return Counter(counts)


def send_pushes(app: App, receiver: Receiver) -> dict[str, Any]:
    """Send round after round until no push is due (a round takes each case's next one); the figures."""
    totals: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    errors: list[str] = []
    rounds = 0
    started = time.perf_counter()
    while sum((counts := _round(app, phases, errors)).values()):
        totals.update(counts)
        rounds += 1
    elapsed = time.perf_counter() - started
    return {"sent": totals["sent"], "retrying": totals["retrying"], "failed": totals["failed"], "rounds": rounds,
            "seconds": round(elapsed, 3), "pushes_per_s": round(totals["sent"] / elapsed, 1) if elapsed else None,
            "seconds_by_phase": {name: round(value, 3) for name, value in phases.items()},
            "received_by_stage": dict(sorted(receiver.stages.items())), "signatures_valid": receiver.signed,
            "first_errors": errors[:3]}
