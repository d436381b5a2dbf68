"""The hotline connector's tests: a real signed-push receiver on 127.0.0.1 (a stdlib HTTP server in a thread, which
checks each push's signature and records it), the connector's configuration, signed work orders posted over the
app, and the pushes sent as the scheduler's loop sends them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api_support import POINT, Api
from werkzeug.test import TestResponse

from city.connectors.push_loop import send_due

SECRET = "s3cret-of-the-12345-hotline"
SECRET_ENV = "GRIDCASE_TEST_HOTLINE_SECRET"
STAGE_CODES = {"received": "10", "filed": "20", "dispatched": "30", "disposed": "40", "closed": "50", "voided": "90"}
BODY = {"gdbh": "order_id", "ajbh": "case_no", "zt": "status", "jd": "stage", "ztmc": "stage_label",
        "cbdw": "department", "cljg": "result", "jalx": "close_type"}


@dataclass(frozen=True)
class Push:
    """One push the receiver accepted: its delivery id, whether the signature matched, its JSON."""

    delivery: str
    signed: bool
    body: dict[str, Any]


class SignedReceiver:
    """A sender's endpoint on ``port`` (0: any free one): answers each POST with the next of ``statuses`` (then
    200), records the accepted pushes with their signature checked against ``SECRET``."""

    def __init__(self, port: int = 0) -> None:
        self.pushes: list[Push] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stamp = self.headers.get("X-Gridcase-Timestamp", "")
                expected = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + raw,
                                                hashlib.sha256).hexdigest()
                signed = hmac.compare_digest(expected, self.headers.get("X-Gridcase-Signature", ""))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if status == 200:
                        receiver.pushes.append(Push(self.headers.get("X-Gridcase-Delivery", ""), signed,
                                                    json.loads(raw)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def hotline(code: str, port: int, **outbound: Any) -> dict[str, Any]:
    """A hotline connector's configuration pushing to ``port`` here (``outbound`` overrides its keys)."""
    return {"code": code, "kind": "hotline", "name": f"12345 热线 {code}", "active": True, "secret_env": SECRET_ENV,
            "inbound": {"field_map": {"order_id": "gdbh", "content": "sqnr", "lon": "location.lng",
                                      "lat": "location.lat", "deadline": "blsx", "category": "sqlb",
                                      "address": "sjdz", "urgency": "jjcd"},
                        "category_map": {"HJWS-001": "0601"}, "urgency_map": {"1": "urgent"},
                        "deadline_format": "%Y-%m-%d %H:%M:%S"},
            "outbound": {"url": f"http://127.0.0.1:{port}/gdfk", "stage_map": STAGE_CODES, "body": BODY,
                         "timeout_seconds": 5, "backoff_seconds": 30, **outbound}}


def load(api: Api, *connectors: dict[str, Any], user: str = "admin") -> TestResponse:
    """POST the configuration file holding ``connectors``."""
    return api.post("/connectors", user, {"connectors": list(connectors)})


def order(order_id: str, **fields: Any) -> dict[str, Any]:
    """A 12345 work order at the test point (环境卫生 · 暴露垃圾)."""
    return {"gdbh": order_id, "sqnr": "小区门口垃圾堆积，无人清理",
            "location": {"lng": POINT["lon"], "lat": POINT["lat"]}, "blsx": "2026-12-31 18:00:00",
            "sqlb": "HJWS-001", "sjdz": "石亭街道 1 号", "jjcd": "2", **fields}


def post_order(api: Api, code: str, body: bytes | dict[str, Any], *, secret: str = SECRET,
               stamp: int | None = None, signature: str | None = None) -> TestResponse:
    """POST a work order signed as the sender does (``stamp``: the app's clock now)."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    when = str(int(api.deps.clock.now().timestamp()) if stamp is None else stamp)
    sign = signature or "sha256=" + hmac.new(secret.encode(), when.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return api.client.post(f"/connectors/{code}/orders", data=raw, content_type="application/json",
                           headers={"X-Gridcase-Timestamp": when, "X-Gridcase-Signature": sign})


def send_all(api: Api) -> int:
    """Send pushes round after round (each round takes each case's next one) until none is due; how many rounds."""
    rounds = 0
    while sum(send_due(api.bus).values()):
        rounds += 1
    return rounds

