"""End-to-end tests: the real `gridcase` processes over HTTP, and a real browser (Debian's Chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import unused_port, wait_for_health
from city_template import sqlite_city

GRIDCASE = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def free_port() -> int:
    return unused_port()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gridcase.db'}"


@pytest.fixture(scope="module")
def city_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gridcase serve` over a fresh database with the demo city and the lifecycle deployed; its base URL."""
    folder = tmp_path_factory.mktemp("city_server")
    url = sqlite_city(tmp_path_factory, folder)  # a copy of the session's seeded city (tests/city_template.py)
    port = unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
           "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"), "GRIDCASE_LOG_LEVEL": "WARNING"}
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen([*GRIDCASE, "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
        # The scheduler beside it, as `gridcase run` does: the lifecycle's notify steps (回退, 返工) wait for its
        # connector loop.
        scheduler = subprocess.Popen([*GRIDCASE, "scheduler"], env=env, cwd=ROOT, stdout=log, stderr=log)
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}"
        finally:
            for process in (server, scheduler):
                process.terminate()
                process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "browser tests need Debian's chromium (.ci/run installs it with apt)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()
