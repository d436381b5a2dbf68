"""One signed HTTP POST of a push (stdlib ``http.client``: redirects are never followed), outside any transaction;
the result for ``ReportPushes``. The connector's ``timeout_seconds`` bounds the whole attempt, not each read: a
watchdog shuts the socket down at the deadline, so a receiver dribbling its answer a byte at a time cannot hold the
sending loop past the claims' lease."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from city.connectors.commands import PushResult
from city.connectors.deliveries import Push
from city.connectors.signing import signature


class _Deadline:
    """Shut ``connection``'s socket down after ``seconds`` (a blocked read then ends at once)."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection, self.passed = connection, threading.Event()
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self) -> None:
        self.passed.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.timer.cancel()


def _post(push: Push, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """(HTTP status, error): a non-2xx (a 3xx too: a push never goes where its config does not say) is an error."""
    parts = urlsplit(push.url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=push.timeout_seconds)
    deadline = _Deadline(connection, push.timeout_seconds)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = connection.getresponse()
        status = int(response.status)
        return status, None if 200 <= status < 300 else f"HTTP {status} {response.reason}"[:200]
    except (http.client.HTTPException, OSError, ValueError) as exc:
        if deadline.passed.is_set():
            return None, f"TimeoutError: timed out after {push.timeout_seconds} s (the whole attempt)"
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    finally:
        deadline.cancel()
        connection.close()


def send(push: Push, now: float, environ: Mapping[str, str] | None = None) -> PushResult:
    """POST the push's body signed with its connector's secret at ``now`` (Unix seconds); a missing secret sends
    nothing."""
    secret = (os.environ if environ is None else environ).get(push.secret_env, "")
    if not secret:
        return PushResult(push.delivery_id, None, f"the secret's variable {push.secret_env} is not set: not sent", 0,
                          push.claimed_at)
    body, stamp = push.body.encode(), str(int(now))
    headers = {"Content-Type": "application/json", "X-Gridcase-Timestamp": stamp,
               "X-Gridcase-Signature": signature(secret.encode(), stamp, body),
               "X-Gridcase-Delivery": str(push.delivery_id), "Connection": "close"}
    started = time.monotonic()
    status, error = _post(push, body, headers)
    return PushResult(push.delivery_id, status, error, int((time.monotonic() - started) * 1000), push.claimed_at)
