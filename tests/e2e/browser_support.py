"""Shared steps of the end-to-end tests: a free port, a server's health and ``gridcase serve`` with its scheduler over a
copy of the seeded city for the real processes, signing in as a demo person in Debian's Chromium (through
Playwright), and reading the API as a demo person."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from city_template import sqlite_city

PASSWORD = "gridcase-demo"
GRIDCASE = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]


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


def serve_city(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[str, str]]:
    """``gridcase serve`` and ``gridcase scheduler`` (as ``gridcase run`` has them: the lifecycle's notify steps wait
    for its connector loop) over a fresh copy of the session's seeded city (tests/city_template.py) in a folder
    named ``name``; yields (base URL, database URL) while they run."""
    folder = tmp_path_factory.mktemp(name)
    url = sqlite_city(tmp_path_factory, folder)
    port = unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
           "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"), "GRIDCASE_LOG_LEVEL": "WARNING"}
    with (folder / "server.log").open("wb") as log:
        processes = [subprocess.Popen([*GRIDCASE, *command], env=env, cwd=ROOT, stdout=log, stderr=log)
                     for command in (["serve"], ["scheduler"])]
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}", url
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)


def api_get(base: str, username: str, path: str) -> Any:
    """GET ``/api/v1{path}`` as ``username`` (a token asked for with the demo password); the JSON answer."""
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.loads(response.read())["token"]
    request = urllib.request.Request(f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
