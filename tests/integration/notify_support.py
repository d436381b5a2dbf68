"""Real receivers for the notification tests and the bench's checks: an aiosmtpd SMTP server and a stdlib HTTP
receiver, each on 127.0.0.1 in its own thread, recording what they got and when."""

from __future__ import annotations

import email
import email.header
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    """One message the SMTP server accepted."""

    to: list[str]
    subject: str
    body: str
    at: float


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
        part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
        payload = part.get_payload(decode=True)
        body = payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), subject, body, time.time()))
        return "250 OK"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    """(port, inbox) of a running aiosmtpd server."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class Receiver:
    """A webhook receiver: answers each POST with the next of ``statuses`` (then 200) and records the JSON."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, str, Any]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if status == 200:
                        receiver.posts.append((time.time(), self.path, json.loads(raw or b"null")))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        """The Apprise json:// URL of ``path`` here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    """A running receiver, shut down afterwards."""
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.close()
