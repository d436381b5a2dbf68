"""Shared steps of the end-to-end tests: a free port and a server's health for the real processes, and signing in as a
demo person in Debian's Chromium (through Playwright)."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from typing import Any

PASSWORD = "gridcase-demo"


def sign_in(browser: Any, base: str, username: str, **context: Any) -> Any:
    """A fresh browser context (its own cookies; ``context``: Playwright's context options, e.g. a phone's
    viewport) signed in as ``username``; returns its page."""
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()[:500]
    return page


def unused_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(port: int, deadline: float, request_timeout: float = 1.0) -> dict[str, object]:
    """Poll /healthz of a real server process until it answers (or the deadline passes); ``request_timeout``: how
    long one request may take (gunicorn's workers still booting may be slow)."""
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=request_timeout) as response:
                return dict(json.loads(response.read()))
        except OSError:  # not listening yet, refused, reset or slow to answer
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
